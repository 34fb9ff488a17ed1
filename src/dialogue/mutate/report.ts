import { escapeHtml as h } from '../../output/html.js';
import type { MutantResult, MutationReport } from './run.js';

/**
 * The mutation report for people (text: the writer sanitises it on a terminal) and as one
 * self-contained HTML page (every value escaped). The JSON report is the MutationReport itself.
 */

export function percent(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

function instanceLabel(r: MutationReport): string {
  return r.instance.name ? `${r.instance.name} (${r.instance.id})` : r.instance.id;
}

function botLabel(r: MutationReport): string {
  return r.chatbots === 'built-in' ? 'the built-in demo bot' : r.chatbots;
}

function killedByText(m: MutantResult): string {
  const k = m.killedBy;
  if (!k) return '';
  const where = k.line !== undefined ? `${k.file}:${k.line}` : k.file;
  return `“${k.name}” (${where}${k.turn ? `, ${k.turn}` : ''}: ${k.why})`;
}

export function scoreLine(r: MutationReport): string {
  const ran = r.killed + r.survived;
  const score = r.score === null ? 'no mutant ran' : `${percent(r.score)} (${r.killed} killed of ${ran} run)`;
  const extra = [r.notRun ? `${r.notRun} not run` : '', r.invalid ? `${r.invalid} invalid` : ''].filter(Boolean).join(', ');
  const gate = r.gate ? `; --min-mutation-score ${percent(r.gate.minScore)} ${r.gate.passed ? 'met' : 'NOT met'}` : '';
  return `Mutation score: ${score}${extra ? `; ${extra}` : ''} in ${(r.durationMs / 1000).toFixed(1)} s, ${r.mutantsPerSecond} mutants/s${gate}`;
}

export function prettyMutationReport(r: MutationReport): string {
  const lines: string[] = [];
  lines.push(`Mutation testing of ${instanceLabel(r)} with ${botLabel(r)}: ${r.total} mutant${r.total === 1 ? '' : 's'}`);
  const b = r.baseline;
  lines.push(`Baseline: ${b.passed} of ${b.conversations} conversations pass on the unmutated copy`);
  if (b.excluded.length) {
    lines.push(`Excluded (they do not pass on the unmutated copy, so they cannot kill a mutant):`);
    for (const e of b.excluded) lines.push(`  - “${e.name}” (${e.file}): ${e.why}`);
  }
  const by = (s: MutantResult['status']) => r.mutants.filter((m) => m.status === s);
  const survived = by('survived');
  if (survived.length) {
    lines.push('', `Survived (${survived.length}):`);
    for (const m of survived) lines.push(`  ✗ ${m.description} survived: ${m.reason ?? ''}`);
  }
  const killed = by('killed');
  if (killed.length) {
    lines.push('', `Killed (${killed.length}):`);
    for (const m of killed) lines.push(`  ✓ ${m.description} killed by ${killedByText(m)}`);
  }
  const notRun = by('notRun');
  if (notRun.length) {
    lines.push('', `Not run (${notRun.length}, not counted): ${notRun[0]?.reason ?? ''}`);
    for (const m of notRun) lines.push(`  - ${m.description}`);
  }
  const invalid = by('invalid');
  if (invalid.length) {
    lines.push('', `Invalid (${invalid.length}, not counted: the API would refuse the change):`);
    for (const m of invalid) lines.push(`  - ${m.description}: ${m.reason ?? ''}`);
  }
  lines.push('', scoreLine(r));
  return `${lines.join('\n')}\n`;
}

const STATUS_LABEL: Record<MutantResult['status'], string> = { survived: 'survived', killed: 'killed', notRun: 'not run', invalid: 'invalid' };
/** Survivors first: they are what to act on. */
const ORDER: MutantResult['status'][] = ['survived', 'killed', 'notRun', 'invalid'];

export function htmlMutationReport(r: MutationReport): string {
  const rows = [...r.mutants]
    .sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.id - b.id)
    .map((m) => {
      const detail = m.status === 'killed' ? `killed by ${killedByText(m)}` : (m.reason ?? '');
      return `<tr class="${h(m.status)}"><td>${h(STATUS_LABEL[m.status] ?? m.status)}</td><td><code>${h(m.path)}</code></td><td>${h(m.description)}</td><td>${h(detail)}</td></tr>`;
    })
    .join('\n');
  const excluded = r.baseline.excluded.length
    ? `<h2>Excluded</h2><p>These do not pass on the unmutated copy, so they cannot kill a mutant:</p><ul>${r.baseline.excluded
        .map((e) => `<li>“${h(e.name)}” (${h(e.file)}): ${h(e.why)}</li>`)
        .join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mutation report: ${h(instanceLabel(r))}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
tr.survived td:first-child{color:#b00020;font-weight:bold}tr.killed td:first-child{color:#1b7f3a}
tr.notRun td:first-child,tr.invalid td:first-child{color:#777}.score{font-size:1.3em}
</style></head><body>
<h1>Mutation report</h1>
<p>${h(`Mutation testing of ${instanceLabel(r)} with ${botLabel(r)}: ${r.total} mutants.`)} ${h(`Baseline: ${r.baseline.passed} of ${r.baseline.conversations} conversations pass on the unmutated copy.`)}</p>
<p class="score">${h(scoreLine(r))}</p>
${excluded}
<h2>Mutants (survivors first)</h2>
<table><thead><tr><th>status</th><th>path</th><th>change</th><th>detail</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
