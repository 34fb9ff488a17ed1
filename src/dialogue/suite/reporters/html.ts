import { type BotTurn, parsedParams } from '../../../api/bot-turn.js';
import { AtomicFile } from '../../../atomic-file.js';
import { type CoverageReport, coverageTotals } from '../coverage.js';
import { describeCheck } from '../coverage-gate.js';
import type { Mismatch } from '../expectations.js';
import type { Attempt, ConversationResult, Reporter, Summary, TranscriptTurn } from '../runner.js';
import type { MakeReporter, Sink } from './reporter.js';

const OUTCOME_LABEL: Record<string, string> = {
  passed: 'passed',
  flaky: 'flaky',
  failed: 'failed',
  errored: 'errored',
  timedOut: 'timed out',
  updated: 'updated',
};

/**
 * One self-contained HTML page (no script, no network): the summary, a latency histogram (inline
 * SVG), each conversation as a transcript — caller and bot turns with action, params,
 * interruptible and latency — failing expectations with expected and actual side by side, and the
 * coverage when --coverage was given. Conversations go to a temp file as they come.
 */
export class HtmlReporter implements Reporter {
  private readonly body: AtomicFile;
  private samples = new Float64Array(1024);
  private n = 0;
  private count = 0;
  /** Conversations that did not pass, linked from the summary (as many as failed, no more). */
  private readonly notPassed: { id: string; name: string; outcome: string }[] = [];
  constructor(
    private readonly out: Sink | undefined,
    private readonly reportFile: string | undefined,
    opts: { scratchDir: string },
  ) {
    this.body = new AtomicFile(`${opts.scratchDir}/vn-html-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.html`);
  }

  start(): void {}

  private sample(ms: unknown): void {
    // a latency that is not a number has no place on the chart (it is shown as text in its turn)
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return;
    if (this.n === this.samples.length) {
      const grown = new Float64Array(this.n * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.n++] = ms;
  }

  async conversation(r: ConversationResult): Promise<void> {
    this.count++;
    const attempts = Array.isArray(r.retries) ? r.retries : [];
    for (const a of [...attempts, r]) for (const t of Array.isArray(a.transcript) ? a.transcript : []) this.sample(t?.latencyMs);
    const id = `c${this.count}`;
    const run = typeof r.run === 'number' && r.run > 1 ? ` #${r.run}` : '';
    if (r.outcome !== 'passed' && r.outcome !== 'updated') this.notPassed.push({ id, name: `${r.name}${run}`, outcome: String(r.outcome) });
    const retries = attempts
      .map(
        (a, i) =>
          `<details class="attempt"><summary>attempt ${i + 1}: ${h(label(a.outcome))} · ConversationId ${h(a.conversationId)}</summary>${transcript(a)}</details>`,
      )
      .join('');
    const html =
      `<section class="conversation ${h(r.outcome)}" id="${id}" data-outcome="${h(r.outcome)}">` +
      `<h3><span class="badge ${h(r.outcome)}">${h(label(r.outcome))}</span> ${h(r.name)}${run ? ` <small>${h(run.trim())}</small>` : ''}</h3>` +
      `<p class="meta">${h(r.file)} · ${h(r.turns)} turns · ${fmt(r.durationMs)} ms · ConversationId <code>${h(r.conversationId)}</code>${
        Array.isArray(r.tags) && r.tags.length ? ` · tags ${r.tags.map((t) => `<code>${h(t)}</code>`).join(' ')}` : ''
      }</p>` +
      retries +
      transcript(r) +
      `</section>\n`;
    await this.body.write(html);
  }

  async end(s: Summary): Promise<void> {
    const { createReadStream } = await import('node:fs');
    const target = this.reportFile ? new AtomicFile(this.reportFile) : undefined;
    const emit = async (text: string) => (target ? target.write(text) : this.out?.write(text));
    try {
      await this.body.commit();
      await emit(head(s));
      await emit(summaryHtml(s));
      if (this.notPassed.length) {
        await emit(
          `<nav class="jump"><h2>Not passed at first</h2><ul>${this.notPassed
            .map((c) => `<li><a href="#${c.id}"><span class="badge ${h(c.outcome)}">${h(label(c.outcome))}</span> ${h(c.name)}</a></li>`)
            .join('')}</ul></nav>\n`,
        );
      }
      await emit(`<h2>Turn latency</h2>\n${histogram(this.samples.slice(0, this.n).sort())}\n`);
      if (Array.isArray(s.coverage) && s.coverage.length) await emit(coverageTotalsHtml(s));
      for (const c of Array.isArray(s.coverage) ? s.coverage : []) await emit(coverageHtml(c));
      await emit(`<h2>Conversations (${this.count})</h2>\n`);
      for await (const chunk of createReadStream(this.body.target, { encoding: 'utf8' })) await emit(chunk as string);
      await emit('</main></body></html>\n');
      await target?.commit();
    } finally {
      await target?.abort();
      await this.abort();
    }
  }

  /** Removes the spool file (and its temp file): after end, or when the run stopped before it. */
  async abort(): Promise<void> {
    const { rm } = await import('node:fs/promises');
    await this.body.abort();
    await rm(this.body.target, { force: true });
  }
}

function h(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The label of an outcome (escaped by the caller). */
function label(outcome: unknown): string {
  return Object.hasOwn(OUTCOME_LABEL, String(outcome)) ? (OUTCOME_LABEL[String(outcome)] as string) : String(outcome);
}

/** Milliseconds as shown; anything that is not a finite number is shown as text, escaped. */
function fmt(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return h(ms);
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

function sentText(t: TranscriptTurn): string {
  if (t.kind === 'begin') return '<em>(call begins)</em>';
  if (t.kind === 'silence') return '<em>(silence)</em>';
  if (t.kind === 'dtmf') return `<span class="dtmf">DTMF ${h(t.input)}</span>`;
  return h(t.input);
}

/** A value of the bot's answer as text, whatever its type (the service's data is shown as it came). */
function shown(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

function transcript(a: Pick<Attempt, 'transcript' | 'failures' | 'error'>): string {
  const failures = new Map((Array.isArray(a.failures) ? a.failures : []).map((f) => [f?.line, f]));
  const rows = (Array.isArray(a.transcript) ? a.transcript : []).map((t) => {
    const answer = (t.answer ?? {}) as BotTurn;
    const params = parsedParams(answer);
    const f = t.ok ? undefined : failures.get(t.line);
    return (
      `<li class="turn ${t.ok ? 'ok' : 'bad'}">` +
      `<div class="caller"><span class="who">caller</span> ${sentText(t)} <span class="line">line ${h(t.line)}</span></div>` +
      `<div class="bot"><span class="who">bot</span> ${h(shown(answer.TextResponse))}` +
      `<div class="facts"><span class="action">${h(shown(answer.Action))}</span>${
        params === undefined ? '' : ` <code class="params">${h(typeof params === 'string' ? params : JSON.stringify(params))}</code>`
      }${answer.Interruptible ? ' · <span class="interruptible">interruptible</span>' : ''} · <span class="latency">${fmt(t.latencyMs)} ms</span></div></div>` +
      (f && Array.isArray(f.mismatches) ? mismatchTable(f.mismatches) : '') +
      '</li>'
    );
  });
  const e = a.error;
  const error = e
    ? `<li class="turn bad"><div class="error">${e.line ? `line ${h(e.line)} ${h(e.step)}: ` : ''}${e.code ? `${h(e.code)}: ` : ''}${h(e.message)}${
        e.requestId ? ` (RequestId ${h(e.requestId)})` : ''
      }</div></li>`
    : '';
  return `<ol class="transcript">${rows.join('')}${error}</ol>`;
}

function mismatchTable(ms: Mismatch[]): string {
  const cell = (v: unknown) => `<code>${h(typeof v === 'string' ? v : JSON.stringify(v))}</code>`;
  return (
    '<table class="diff"><thead><tr><th>expectation</th><th>expected</th><th>actual</th></tr></thead><tbody>' +
    ms.map((m) => `<tr><td>${h(m?.key)}</td><td class="expected">${cell(m?.expected)}</td><td class="actual">${cell(m?.actual)}</td></tr>`).join('') +
    '</tbody></table>'
  );
}

/** A number of the summary to one decimal place, or the value as escaped text when it is not a number. */
function fixed(v: unknown, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : h(v);
}

function summaryHtml(s: Summary): string {
  const cells = [
    ['passed', s.passed],
    ['flaky', s.flaky],
    ['failed', s.failed],
    ['errored', s.errored],
    ['timedOut', s.timedOut],
    ...(s.updated ? [['updated', s.updated] as const] : []),
    ...(s.skipped ? [['skipped', s.skipped] as const] : []),
  ] as const;
  const l = s.latency ?? ({} as Summary['latency']);
  const g = s.latencyGate;
  const gate = g
    ? `<p class="gate ${g.passed ? 'ok' : 'bad'}">Latency gate: p95 ${fmt(g.p95Ms)} ms ${g.passed ? '≤' : 'exceeds'} ${h(g.maxP95Ms)} ms${
        g.passed ? '' : ' — the run fails'
      }</p>`
    : '';
  const scope = s.shard ? ` · shard ${h(s.shard.index)}/${h(s.shard.count)}` : s.merged ? ` · ${h(s.merged)} reports merged` : '';
  const flaky = Array.isArray(s.flakyConversations) ? s.flakyConversations : [];
  return (
    `<section class="summary"><h2>Summary</h2><ul class="counts">${cells
      .map(([k, n]) => `<li class="${h(k)}"><b>${h(n)}</b> ${h(label(k))}</li>`)
      .join('')}</ul>` +
    `<p>${h(s.conversations)} conversations run${scope} · ${h(s.turns)} turns · latency p50 ${fmt(l.p50)} ms · p95 ${fmt(l.p95)} ms · p99 ${fmt(l.p99)} ms · max ${fmt(
      l.max,
    )} ms · ${fixed(s.turnsPerSecond, 1)} turns/s · ${typeof s.durationMs === 'number' ? fixed(s.durationMs / 1000, 2) : h(s.durationMs)} s</p>${gate}${
      s.unreachable ? `<p class="gate bad">The service could not be reached: ${h(s.unreachable)}</p>` : ''
    }${
      flaky.length
        ? `<p class="flaky">Flaky: ${flaky
            .map((f) => `${h(f.file)} › ${h(f.name)} (${h(Number(f.passed) + Number(f.flaky))}/${h(f.runs)} passed, ${h(f.flaky)} on a retry)`)
            .join('; ')}</p>`
        : ''
    }</section>\n`
  );
}

/** A histogram of turn latency as an inline SVG: 20 bins from 0 to the maximum. */
export function histogram(sorted: ArrayLike<number>): string {
  const n = sorted.length;
  if (n === 0) return '<p>No turns.</p>';
  const max = Math.max(1, sorted[n - 1] as number);
  const bins = 20;
  const width = max / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor((sorted[i] as number) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  const top = Math.max(...counts);
  const W = 600;
  const H = 160;
  const bw = W / bins;
  const bars = counts
    .map((c, i) => {
      const bh = top ? Math.round((c / top) * (H - 20)) : 0;
      return `<rect class="bar" x="${(i * bw + 1).toFixed(1)}" y="${H - bh}" width="${(bw - 2).toFixed(1)}" height="${bh}"><title>${fmt(i * width)}–${fmt(
        (i + 1) * width,
      )} ms: ${c} turns</title></rect>`;
    })
    .join('');
  return (
    `<figure class="chart"><svg id="latency-histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H + 20}" width="${W}" height="${H + 20}" role="img" aria-label="turn latency histogram">` +
    `${bars}<line x1="0" y1="${H}" x2="${W}" y2="${H}" stroke="#888"/>` +
    `<text x="0" y="${H + 16}" font-size="12">0 ms</text><text x="${W}" y="${H + 16}" font-size="12" text-anchor="end">${fmt(max)} ms</text></svg>` +
    `<figcaption>${n} turns; the tallest bar holds ${top}</figcaption></figure>`
  );
}

function coverageHtml(c: CoverageReport): string {
  const rows = (Array.isArray(c.paths) ? c.paths : [])
    .map(
      (p) =>
        `<tr class="${!p.configured ? 'na' : p.hits ? 'ok' : 'bad'}"><td>${h(p.label)}</td><td>${!p.configured ? 'not configured' : p.hits ? h(p.hits) : 'unreached'}</td></tr>`,
    )
    .join('');
  const list = (o: Record<string, number> | undefined) =>
    Object.entries(o && typeof o === 'object' ? o : {})
      .map(([k, n]) => `${h(k)} (${h(n)})`)
      .join(', ') || 'none';
  const unseen = Array.isArray(c.unseenTargets) ? c.unseenTargets : [];
  const items = Array.isArray(c.items) ? c.items : [];
  const bot = c.chatbot && typeof c.chatbot === 'object' ? c.chatbot : undefined;
  const tables = (['intents', 'dtmf', 'transfers'] as const)
    .map((kind) => {
      const of = items.filter((i) => i?.kind === kind);
      if (!of.length) return '';
      const title = kind === 'intents' ? 'intent' : kind === 'dtmf' ? 'DTMF entry' : 'entry → transfer target';
      const body = of
        .map((i) => {
          const by = (Array.isArray(i.reachedBy) ? i.reachedBy : []).map((t) => `${h(t?.name)} <small>(${h(t?.file)})</small>`).join('<br>');
          return `<tr class="${i.hits ? 'ok' : 'bad'}"><td>${h(i.label)}</td><td>${i.hits ? h(i.hits) : 'unreached'}</td><td>${by}</td></tr>`;
        })
        .join('');
      return `<table data-kind="${kind}"><thead><tr><th>${title}</th><th>turns</th><th>reached by</th></tr></thead><tbody>${body}</tbody></table>`;
    })
    .join('');
  const notSeen = (Array.isArray(c.notSeen) ? c.notSeen : []).map((n) => `<p class="not-seen">Not seen — ${h(n)}</p>`).join('');
  return (
    `<section class="coverage"><h2>Coverage of instance ${h(c.instanceId)}</h2><table><thead><tr><th>navigation config path</th><th>answers</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p>Actions seen: ${list(c.actions)}</p><p>Transfer targets seen: ${list(c.targets)}</p>${
      unseen.length ? `<p class="bad">Configured targets never seen: ${unseen.map(h).join(', ')}</p>` : ''
    }${bot ? `<h3>Chatbot ${h(bot.name)} <small>(${h(bot.id)}, ${h(bot.source === 'built-in' ? 'the built-in demo' : bot.source)})</small></h3>` : ''}${tables}${notSeen}</section>\n`
  );
}

/** The share reached per kind and overall, and the --min-coverage gate as a banner. */
function coverageTotalsHtml(s: Summary): string {
  const totals = coverageTotals(s.coverage ?? []);
  const cells = (['paths', 'intents', 'dtmf', 'transfers', 'overall'] as const)
    .filter((k) => totals[k].total > 0)
    .map((k) => `<li><b>${h(totals[k].percent)}%</b> ${k} (${totals[k].reached}/${totals[k].total})</li>`)
    .join('');
  const g = s.coverageGate;
  const gate =
    g && Array.isArray(g.checks)
      ? `<p class="gate ${s.shard ? '' : g.passed ? 'ok' : 'bad'}" id="coverage-gate">${
          s.shard
            ? 'Coverage gate (checked by vn dialogue merge on the whole suite, not on a shard)'
            : g.passed
              ? 'Coverage gate passed'
              : 'Coverage gate failed (--min-coverage)'
        }: ${g.checks.map((x) => h(describeCheck(x))).join(' · ')}</p>`
      : '';
  return `<h2>Coverage</h2>\n${gate}<ul class="counts coverage-totals">${cells}</ul>\n`;
}

function head(s: Summary): string {
  const ok = s.failed + s.errored + s.timedOut === 0 && s.latencyGate?.passed !== false && (s.coverageGate?.passed !== false || s.shard !== undefined);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vn dialogue test — ${ok ? 'passed' : 'failed'}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:1000px;margin:0 auto;padding:16px 24px}
h1{font-size:22px} h2{font-size:18px;margin-top:28px} h3{font-size:15px;margin:0 0 4px}
.counts{display:flex;gap:12px;list-style:none;padding:0}.counts li{background:#fff;border-radius:6px;padding:8px 14px;border:1px solid #dde}
.counts b{font-size:20px;margin-right:4px}
.badge{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;vertical-align:middle}
.badge.passed,.badge.updated{background:#1a7f37}.badge.flaky{background:#bf8700}.badge.failed,.badge.errored{background:#cf222e}.badge.timedOut{background:#9a6700}
.conversation{background:#fff;border:1px solid #dde;border-left:4px solid #1a7f37;border-radius:6px;padding:10px 14px;margin:10px 0}
.conversation.failed,.conversation.errored,.conversation.timedOut{border-left-color:#cf222e}.conversation.flaky{border-left-color:#bf8700}
.meta{color:#57606a;margin:0 0 6px;font-size:12px}
.transcript{list-style:none;padding:0;margin:0}.turn{padding:4px 0;border-top:1px dashed #eee}
.who{display:inline-block;width:44px;color:#57606a;font-size:12px}.caller{color:#0550ae}.line{color:#8c959f;font-size:11px}
.facts{margin-left:48px;color:#57606a;font-size:12px}.action{font-weight:600}.turn.bad .bot{color:#cf222e}
table{border-collapse:collapse;margin:6px 0 6px 48px}td,th{border:1px solid #dde;padding:2px 8px;text-align:left;vertical-align:top}
.diff .expected{background:#dafbe1}.diff .actual{background:#ffebe9}
.coverage table{margin-left:0}.not-seen{color:#57606a;font-style:italic}.coverage tr.bad td{color:#cf222e}.coverage tr.na td{color:#8c959f}
.gate.bad,.bad{color:#cf222e}.gate.ok{color:#1a7f37}
.chart .bar{fill:#0969da}
.error{color:#cf222e;margin-left:48px}
</style></head><body><main>
<h1>vn dialogue test — ${ok ? 'passed' : 'failed'}</h1>
`;
}

/** The `html` entry of the reporters' table (index.ts). */
export const create: MakeReporter = (o) => new HtmlReporter(o.out, o.file, { scratchDir: o.scratchDir });
