import { AtomicFile } from '../../../atomic-file.js';
import { escapeJsonControls, sanitizeLine } from '../../../output/sanitize.js';
import { intentOf } from '../assertions/intent.js';
import type { ConversationResult, Reporter } from '../runner.js';
import type { MakeReporter, Sink } from './reporter.js';

/**
 * The `intents` report: how often the bot understood what the turns expected of it. Each turn that
 * names an `intent:` is counted against the intent the context recorded after it, each turn that
 * names an `action:` against the answer's Action: accuracy, accuracy per expected label, and a
 * confusion table (expected against what came back), with the turns that missed. It reads only the
 * transcripts (their `expect` and `context`), so `vn dialogue merge` rebuilds it from shards.
 */

/** The misses listed: the first ones; the counts cover every turn. */
export const MAX_LISTED_MISSES = 200;
/** A confusion table wider than this many labels is shown as its list of pairs only. */
const MAX_TABLE_LABELS = 8;

export interface ConfusionCell {
  expected: string;
  /** What came back; null: the context recorded no intent at all. */
  actual: string | null;
  count: number;
}

export interface Confusion {
  turns: number;
  correct: number;
  /** correct / turns, to three decimals (0 when no turn counted). */
  accuracy: number;
  perExpected: { label: string; turns: number; correct: number; accuracy: number }[];
  cells: ConfusionCell[];
  /** The first MAX_LISTED_MISSES turns that got something else. */
  misses: { file: string; conversation: string; run: number; line: number; input?: string; expected: string; actual: string | null }[];
}

export interface IntentsReport {
  schemaVersion: 1;
  /** Turns with `intent:`; null when none has one. */
  intents: Confusion | null;
  /** Turns with `action:`; null when none has one. */
  actions: Confusion | null;
}

/** Counts expected against actual labels, one turn at a time. */
class ConfusionCounter {
  private readonly cells = new Map<string, ConfusionCell>();
  private readonly misses: Confusion['misses'] = [];
  private turns = 0;
  private correct = 0;

  add(expected: string, actual: string | null, where: Omit<Confusion['misses'][number], 'expected' | 'actual'>): void {
    this.turns++;
    const key = JSON.stringify([expected, actual]);
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { expected, actual, count: 0 }));
    cell.count++;
    if (actual === expected) this.correct++;
    else if (this.misses.length < MAX_LISTED_MISSES) this.misses.push({ ...where, expected, actual });
  }

  result(): Confusion | null {
    if (this.turns === 0) return null;
    const per = new Map<string, { label: string; turns: number; correct: number; accuracy: number }>();
    for (const c of this.cells.values()) {
      let p = per.get(c.expected);
      if (!p) per.set(c.expected, (p = { label: c.expected, turns: 0, correct: 0, accuracy: 0 }));
      p.turns += c.count;
      if (c.actual === c.expected) p.correct += c.count;
    }
    for (const p of per.values()) p.accuracy = ratio(p.correct, p.turns);
    return {
      turns: this.turns,
      correct: this.correct,
      accuracy: ratio(this.correct, this.turns),
      perExpected: [...per.values()],
      cells: [...this.cells.values()],
      misses: this.misses,
    };
  }
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : Math.round((n / d) * 1000) / 1000;
}

/** The report of the turns seen so far; `add` each conversation's result. */
export class IntentsTally {
  private readonly intents = new ConfusionCounter();
  private readonly actions = new ConfusionCounter();

  add(r: ConversationResult): void {
    // the last attempt only: a retried conversation counts once, as it ended
    for (const t of r.transcript ?? []) {
      if (!t.expect) continue;
      const where = { file: r.file, conversation: r.name, run: r.run, line: t.line, ...(t.input !== undefined ? { input: t.input } : {}) };
      if (typeof t.expect.intent === 'string') this.intents.add(t.expect.intent, intentOf(t.context) ?? null, where);
      if (typeof t.expect.action === 'string') this.actions.add(t.expect.action, typeof t.answer?.Action === 'string' ? t.answer.Action : '', where);
    }
  }

  report(): IntentsReport {
    return { schemaVersion: 1, intents: this.intents.result(), actions: this.actions.result() };
  }
}

/** A label as the text report shows it. */
function label(v: string | null, kind: 'intent' | 'action'): string {
  if (v === null) return '(not recorded)';
  if (v === '') return kind === 'intent' ? '(none)' : '(no action)';
  return sanitizeLine(v);
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** The report for people: accuracy, per label, the confusion table (or its pairs), the misses. */
export async function intentsText(report: IntentsReport): Promise<string> {
  const { displayWidth } = await import('../../../output/table.js');
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
  const out: string[] = [];
  const section = (title: string, c: Confusion | null, kind: 'intent' | 'action', key: string) => {
    if (!c) {
      out.push(`${title}: no turn names \`${key}:\``);
      return;
    }
    out.push(`${title}: ${c.correct} of ${c.turns} turns as expected (${percent(c.accuracy)})`);
    const w = Math.max(...c.perExpected.map((p) => displayWidth(label(p.label, kind))));
    for (const p of c.perExpected) out.push(`  ${pad(label(p.label, kind), w)}  ${p.correct}/${p.turns} (${percent(p.accuracy)})`);
    const expected = [...new Set(c.cells.map((x) => x.expected))];
    const labels = [...new Set<string | null>([...expected, ...c.cells.map((x) => x.actual)])];
    const count = (e: string, a: string | null) => c.cells.find((x) => x.expected === e && x.actual === a)?.count ?? 0;
    if (labels.length <= MAX_TABLE_LABELS) {
      out.push(`  confusion (rows: expected, columns: got):`);
      const head = ['', ...labels.map((l) => label(l, kind))];
      const rows = expected.map((e) => [label(e, kind), ...labels.map((a) => String(count(e, a)))]);
      const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] as string))));
      for (const r of [head, ...rows]) out.push(`    ${r.map((cell, i) => pad(cell, widths[i] as number)).join('  ')}`.trimEnd());
    }
    const wrong = c.cells.filter((x) => x.actual !== x.expected).sort((a, b) => b.count - a.count);
    if (wrong.length) {
      out.push('  confused:');
      for (const x of wrong) out.push(`    ${label(x.expected, kind)} → ${label(x.actual, kind)}: ${x.count}`);
      out.push('  turns that got something else:');
      for (const m of c.misses) {
        // a variant's case already names what it said
        const said = m.input === undefined || m.conversation.includes(`say: ${m.input}`) ? '' : ` "${sanitizeLine(m.input)}"`;
        out.push(
          `    ${sanitizeLine(m.file)}:${m.line} ${sanitizeLine(m.conversation)}${said}: expected ${label(m.expected, kind)}, got ${label(m.actual, kind)}`,
        );
      }
      const listed = c.misses.length;
      const all = c.turns - c.correct;
      if (all > listed) out.push(`    … and ${all - listed} more`);
    }
  };
  section('Intents', report.intents, 'intent', 'intent');
  section('Actions', report.actions, 'action', 'action');
  return `${out.join('\n')}\n`;
}

/** Text for HTML: every character that means something there escaped. */
function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The same report as one self-contained page (no script, nothing fetched); the diagonal of each table green, the rest red. */
export function intentsHtml(report: IntentsReport): string {
  const section = (title: string, c: Confusion | null, kind: 'intent' | 'action') => {
    if (!c) return `<h2>${title}</h2><p>No turn names <code>${kind}:</code>.</p>`;
    const expected = [...new Set(c.cells.map((x) => x.expected))];
    const labels = [...new Set<string | null>([...expected, ...c.cells.map((x) => x.actual)])];
    const count = (e: string, a: string | null) => c.cells.find((x) => x.expected === e && x.actual === a)?.count ?? 0;
    const head = `<tr><th>expected ↓ got →</th>${labels.map((l) => `<th>${esc(label(l, kind))}</th>`).join('')}<th>accuracy</th></tr>`;
    const rows = expected.map((e) => {
      const per = c.perExpected.find((p) => p.label === e);
      const cells = labels.map((a) => {
        const n = count(e, a);
        return `<td class="${n === 0 ? '' : a === e ? 'ok' : 'bad'}">${n}</td>`;
      });
      return `<tr><th>${esc(label(e, kind))}</th>${cells.join('')}<td>${per ? `${per.correct}/${per.turns} (${percent(per.accuracy)})` : ''}</td></tr>`;
    });
    const misses = c.misses.map(
      (m) =>
        `<li><code>${esc(m.file)}:${m.line}</code> ${esc(m.conversation)}${m.input === undefined ? '' : ` — “${esc(m.input)}”`}: expected ${esc(label(m.expected, kind))}, got <b>${esc(label(m.actual, kind))}</b></li>`,
    );
    return (
      `<h2>${title}: ${c.correct} of ${c.turns} turns as expected (${percent(c.accuracy)})</h2>` +
      `<table>${head}${rows.join('')}</table>` +
      (misses.length ? `<h3>Turns that got something else</h3><ul>${misses.join('')}</ul>` : '')
    );
  };
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>vn dialogue test — intents</title>
<style>
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:24px;color:#1b1f24}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:right}
th{background:#f6f8fa}td.ok{background:#dafbe1}td.bad{background:#ffebe9;font-weight:bold}
</style></head><body><h1>Intents and actions</h1>
${section('Intents', report.intents, 'intent')}
${section('Actions', report.actions, 'action')}
</body></html>
`;
}

/** Writes the report at the end of the run, to its file (atomically) or to the stream. */
class IntentsReporter implements Reporter {
  private readonly tally = new IntentsTally();
  private readonly file?: AtomicFile;
  constructor(
    private readonly out: Sink,
    file: string | undefined,
    private readonly format: (r: IntentsReport) => string | Promise<string>,
  ) {
    if (file) this.file = new AtomicFile(file);
  }

  start(): void {}

  conversation(r: ConversationResult): void {
    this.tally.add(r);
  }

  async end(): Promise<void> {
    const text = await this.format(this.tally.report());
    if (!this.file) return void this.out.write(text);
    await this.file.write(text);
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await this.file?.abort();
  }
}

/** The `intents` entry of the reporters' table (index.ts): the report for people. */
export const createText: MakeReporter = (o) => new IntentsReporter(o.out, o.file, intentsText);

/** The `intents-html` entry: the same counts as a page, the confusions in colour. */
export const createHtml: MakeReporter = (o) => new IntentsReporter(o.out, o.file, intentsHtml);

/** The `intents-json` entry: the same counts as one JSON document. */
export const createJson: MakeReporter = (o) => new IntentsReporter(o.out, o.file, (r) => `${escapeJsonControls(JSON.stringify(r, null, 2))}\n`);
