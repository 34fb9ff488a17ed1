import type { ChalkInstance } from 'chalk';
import type { BotTurn } from '../../api/bot-turn.js';
import { escapeHtml as h } from '../../output/html.js';
import { escapeJsonControls, sanitizeDeep } from '../../output/sanitize.js';
import { COMPARISON_KIND, COMPARISON_SCHEMA_VERSION, type Comparison, type FieldDifference, type Side } from './compare.js';

/**
 * The reports of a differential run: `pretty` for people, `json` for machines, `html` for a page to
 * share. Every string in them came from a bot or a file, so pretty is given sanitised data (its
 * colours wrap text that can no longer drive a terminal), JSON escapes the terminal controls JSON
 * leaves raw, and HTML escapes everything it prints.
 */
export type ComparisonFormat = 'pretty' | 'json' | 'html';
export const COMPARISON_FORMATS: readonly ComparisonFormat[] = ['pretty', 'json', 'html'];

export function comparisonJson(c: Comparison): string {
  return `${escapeJsonControls(JSON.stringify({ schemaVersion: COMPARISON_SCHEMA_VERSION, kind: COMPARISON_KIND, ...c }, null, 2))}\n`;
}

function sideText(s: Side): string {
  const extra = [s.instance && s.instance !== s.label ? s.instance : undefined, s.profile ? `profile ${s.profile}` : undefined].filter(Boolean);
  return extra.length ? `${s.label} (${extra.join(', ')})` : s.label;
}

/** A value as shown: text as it is, anything else as JSON, absent as a dash. */
function shown(v: unknown): string {
  if (v === undefined || v === null) return '—';
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

export function comparisonPretty(raw: Comparison, chalk: ChalkInstance): string {
  const c = sanitizeDeep(raw);
  const lines: string[] = [];
  lines.push(chalk.dim(`A: ${sideText(c.a)}`));
  lines.push(chalk.dim(`B: ${sideText(c.b)}`));
  for (const conv of c.conversations) {
    const name = `${conv.file} › ${conv.name}${conv.run > 1 ? ` (run ${conv.run})` : ''}`;
    if (conv.equal) {
      lines.push(`${chalk.green('=')} ${name}`);
      continue;
    }
    lines.push(`${chalk.red('≠')} ${chalk.bold(name)}`);
    if (conv.missing) lines.push(`    only on ${conv.missing === 'a' ? 'B' : 'A'}: side ${conv.missing.toUpperCase()} has no such conversation`);
    for (const t of conv.differing) {
      lines.push(`    turn ${t.turn} (line ${t.line}, ${t.sent}):`);
      for (const d of t.differences) lines.push(`      ${differenceText(d, chalk)}`);
    }
    if (conv.errors) {
      if (conv.errors.a !== undefined) lines.push(`    A stopped: ${conv.errors.a}`);
      if (conv.errors.b !== undefined) lines.push(`    B stopped: ${conv.errors.b}`);
      if (conv.errors.a === undefined) lines.push('    A ran to the end');
      if (conv.errors.b === undefined) lines.push('    B ran to the end');
    }
  }
  const s = c.summary;
  const verdict =
    s.different === 0
      ? chalk.green(`no differences: ${s.conversations} conversation${s.conversations === 1 ? '' : 's'}, ${s.turns} turns compared`)
      : chalk.red(`${s.different} of ${s.conversations} conversation${s.conversations === 1 ? '' : 's'} differ (${s.differentTurns} of ${s.turns} turns)`);
  lines.push('', verdict);
  return `${lines.join('\n')}\n`;
}

function differenceText(d: FieldDifference, chalk: ChalkInstance): string {
  return `${d.field}: ${chalk.red(`A ${shown(d.a)}`)} → ${chalk.green(`B ${shown(d.b)}`)}`;
}

function answerHtml(t: BotTurn | null): string {
  if (!t) return '<em>(no answer)</em>';
  return `<div>${h(t.TextResponse)}</div><div class="meta">${h(t.Action)} ${h(t.ActionParams)}</div>`;
}

export function comparisonHtml(c: Comparison): string {
  const s = c.summary;
  const rows = c.conversations
    .map((conv) => {
      const title = `${h(conv.file)} › ${h(conv.name)}${conv.run > 1 ? ` (run ${conv.run})` : ''}`;
      if (conv.equal) return `<section class="equal"><h2>= ${title}</h2></section>`;
      const turns = conv.differing
        .map(
          (t) =>
            `<tr><td>${t.turn}</td><td>${t.line}</td><td>${h(t.sent)}</td><td>${answerHtml(t.a)}</td><td>${answerHtml(t.b)}</td><td>${t.differences
              .map((d) => `<code>${h(d.field)}</code>`)
              .join(' ')}</td></tr>`,
        )
        .join('\n');
      const missing = conv.missing ? `<p>Side ${h(conv.missing.toUpperCase())} has no such conversation.</p>` : '';
      const errors = conv.errors ? `<p>A: ${h(conv.errors.a ?? 'ran to the end')}<br>B: ${h(conv.errors.b ?? 'ran to the end')}</p>` : '';
      const table = turns
        ? `<table><thead><tr><th>turn</th><th>line</th><th>sent</th><th>A</th><th>B</th><th>differs in</th></tr></thead><tbody>${turns}</tbody></table>`
        : '';
      return `<section class="differ"><h2>≠ ${title}</h2>${missing}${errors}${table}</section>`;
    })
    .join('\n');
  const verdict = s.different === 0 ? `No differences in ${s.conversations} conversations.` : `${s.different} of ${s.conversations} conversations differ.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>vn dialogue comparison</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}
.equal h2{color:#2a7a2a;font-size:1em}.differ h2{color:#b00;font-size:1.1em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
.meta{color:#666;font-size:.9em}code{background:#f4f4f4;padding:0 3px}
</style></head><body>
<h1>vn dialogue comparison</h1>
<p>A: ${h(sideText(c.a))}<br>B: ${h(sideText(c.b))}</p>
<p class="verdict">${h(verdict)} ${s.differentTurns} of ${s.turns} turns differ.</p>
${rows}
</body></html>
`;
}
