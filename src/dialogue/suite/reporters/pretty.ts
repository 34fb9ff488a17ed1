import type { ChalkInstance } from 'chalk';
import { sanitizeDeep } from '../../../output/sanitize.js';
import { show } from '../assertions/assertion.js';
import { assertionOf } from '../assertions/index.js';
import { type CoverageReport, coverageTotals } from '../coverage.js';
import { describeCheck } from '../coverage-gate.js';
import type { Mismatch } from '../expectations.js';
import type { Attempt, ConversationResult, Reporter, RunTarget, Summary } from '../runner.js';
import type { ReporterOptions, Sink } from './reporter.js';

export type { Sink } from './reporter.js';

/**
 * The human report: a line per conversation (failures in full: what was expected and what came
 * back), then the counts, the latency percentiles and turns per second, and coverage when asked.
 */
export class PrettyReporter implements Reporter {
  private repeat = false;
  /** file › name → runs and how they went, for the per-conversation tally of --repeat. */
  private readonly tally = new Map<string, { name: string; file: string; runs: number; notPassed: number; flaky: number; shown: boolean }>();
  constructor(
    private readonly out: Sink,
    private readonly chalk: ChalkInstance,
    private readonly opts: { repeat: number; quietPasses?: boolean },
  ) {
    this.repeat = opts.repeat > 1;
  }

  /** The header: where the run goes (profile, endpoint, instances), so a report says what it tested. */
  start(info: { files: number; conversations: number; target?: RunTarget }): void {
    const t = info.target;
    if (!t) return;
    const instances = t.instances.map((i) => (i.name ? `${i.id} (${i.name})` : i.id)).join(', ');
    const what = `${info.conversations} conversation${info.conversations === 1 ? '' : 's'} in ${info.files} file${info.files === 1 ? '' : 's'}`;
    this.out.write(this.chalk.dim(`profile ${t.profile} · endpoint ${t.endpoint} · instance${t.instances.length === 1 ? '' : 's'} ${instances} · ${what}\n`));
  }

  conversation(r: ConversationResult): void {
    const c = this.chalk;
    const key = `${r.file}\0${r.name}`;
    let t = this.tally.get(key);
    if (!t) this.tally.set(key, (t = { name: r.name, file: r.file, runs: 0, notPassed: 0, flaky: 0, shown: false }));
    t.runs++;
    if (r.outcome === 'flaky') t.flaky++;
    const title = `${r.name}${this.repeat ? c.dim(` #${r.run}`) : ''} ${c.dim(`(${r.file})`)}`;
    if (r.outcome === 'passed') {
      if (!this.opts.quietPasses && !this.repeat) this.out.write(`${c.green('✓')} ${title} ${c.dim(`${r.turns} turns, ${Math.round(r.durationMs)} ms`)}\n`);
      return;
    }
    if (r.outcome === 'updated') {
      this.out.write(`${c.cyan('✎ updated')} ${title} ${c.dim(`${r.failures.length} turn${r.failures.length === 1 ? '' : 's'} rewritten from the answers`)}\n`);
      return;
    }
    if (r.outcome === 'flaky') {
      // with --repeat, one line per conversation at the end says how often
      if (this.repeat && t.flaky > 1) return;
      const attempts = (r.retries?.length ?? 0) + 1;
      this.out.write(`${c.yellow('⚠ flaky')} ${title} ${c.dim(`passed on attempt ${attempts} of ${attempts}`)}\n`);
      for (const [i, a] of (r.retries ?? []).entries()) this.out.write(c.dim(`  attempt ${i + 1}: ${attemptReason(a)}\n`));
      return;
    }
    t.notPassed++;
    // --repeat: the first failure of a conversation in full, the rest counted in its tally
    if (this.repeat && t.shown) return;
    t.shown = true;
    const label = { failed: c.red('✗ failed'), errored: c.red('! errored'), timedOut: c.yellow('⏱ timed out') }[r.outcome as 'failed' | 'errored' | 'timedOut'];
    const retried = r.retries?.length ? c.dim(` (${r.retries.length + 1} attempts)`) : '';
    this.out.write(`${label} ${title}${retried}\n${c.dim(`  ConversationId ${r.conversationId}`)}\n`);
    for (const f of r.failures) {
      this.out.write(`  ${c.bold(`line ${f.line}`)} ${f.sent}\n`);
      for (const m of f.mismatches) this.out.write(`${describeMismatch(c, m)}\n`);
      const raw = f.answer.ActionParams as unknown;
      const params = raw && raw !== '{}' ? ` ${typeof raw === 'string' ? raw : JSON.stringify(raw)}` : '';
      this.out.write(
        c.dim(
          `      answer: ${JSON.stringify(f.answer.TextResponse ?? '')} · ${f.answer.Action ?? ''}${params}${f.answer.Interruptible ? ' · interruptible' : ''} · ${ms(f.latencyMs)}\n`,
        ),
      );
    }
    if (r.error) {
      const where = r.error.line ? `line ${r.error.line} ${r.error.step ?? ''}: ` : '';
      const id = r.error.code ? `${r.error.code}: ` : '';
      this.out.write(`  ${where}${id}${r.error.message}${r.error.requestId ? c.dim(` (RequestId ${r.error.requestId})`) : ''}\n`);
    }
    if (this.repeat) this.out.write(c.dim('  (further failing runs of this conversation are counted below, not shown)\n'));
  }

  end(s: Summary): void {
    const c = this.chalk;
    if (this.repeat) {
      for (const t of this.tally.values()) {
        if (t.notPassed) this.out.write(`${c.red('✗')} ${t.name} ${c.dim(`(${t.file})`)}: ${c.red(`failed ${t.notPassed}/${t.runs} runs`)}\n`);
        else if (t.flaky) this.out.write(`${c.yellow('⚠')} ${t.name} ${c.dim(`(${t.file})`)}: ${c.yellow(`flaky on ${t.flaky}/${t.runs} runs`)}\n`);
      }
    }
    const parts = [
      c.green(`${s.passed} passed`),
      ...(s.flaky ? [c.yellow(`${s.flaky} flaky`)] : []),
      (s.failed ? c.red : c.dim)(`${s.failed} failed`),
      (s.errored ? c.red : c.dim)(`${s.errored} errored`),
      (s.timedOut ? c.yellow : c.dim)(`${s.timedOut} timed out`),
      ...(s.updated ? [c.cyan(`${s.updated} updated`)] : []),
    ];
    if (s.skipped) parts.push(c.dim(`${s.skipped} not run`));
    const scope = s.shard ? `, shard ${s.shard.index}/${s.shard.count}` : s.merged ? `, ${s.merged} reports merged` : '';
    this.out.write(`\nConversations: ${parts.join(', ')} (${s.conversations} run${scope})\n`);
    const unstable = s.flakyConversations.filter((f) => f.flaky === 0);
    if (unstable.length)
      this.out.write(
        c.yellow(`Flaky (passed on some runs, not on others): ${unstable.map((f) => `${f.file} › ${f.name} (${f.passed}/${f.runs} passed)`).join('; ')}\n`),
      );
    const l = s.latency;
    this.out.write(
      `Turns: ${s.turns} · latency p50 ${ms(l.p50)} · p95 ${ms(l.p95)} · p99 ${ms(l.p99)} · max ${ms(l.max)} · ${s.turnsPerSecond.toFixed(1)} turns/s · ${(s.durationMs / 1000).toFixed(2)} s\n`,
    );
    if (s.latencyGate) {
      const g = s.latencyGate;
      this.out.write(
        g.passed
          ? c.green(`Latency gate: p95 ${ms(g.p95Ms)} ≤ ${g.maxP95Ms} ms\n`)
          : c.red(`Latency gate failed: p95 ${ms(g.p95Ms)} exceeds --max-p95 ${g.maxP95Ms} ms\n`),
      );
    }
    for (const cov of s.coverage ?? []) this.out.write(coverageText(c, cov));
    if (s.coverage?.length) this.out.write(coverageTotalsText(c, s));
    if (s.unreachable) this.out.write(c.red(`The service could not be reached: ${s.unreachable}\n`));
  }
}

/** Why an attempt did not pass, in one line. */
export function attemptReason(a: Attempt): string {
  if (a.error) return `${a.outcome}: ${a.error.line ? `line ${a.error.line} ` : ''}${a.error.code ? `${a.error.code}: ` : ''}${a.error.message}`;
  const f = a.failures[0];
  return f ? `${a.outcome}: line ${f.line} ${f.sent}: ${f.mismatches.map((m) => m.key).join(', ')} did not match` : a.outcome;
}

export function ms(v: number): string {
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

/** A mismatch as its assertion words it (assertions/<key>.ts, `describe`); a key from elsewhere as its JSON. */
function describeMismatch(c: ChalkInstance, m: Mismatch): string {
  const shown = assertionOf(String(m.key))?.describe(m.expected, m.actual) ?? { expected: show(m.expected) };
  const actual = shown.actual ?? JSON.stringify(m.actual);
  return `    ${c.dim('expected')} ${c.green(shown.expected)}\n    ${c.dim('     got')} ${c.red(actual)}`;
}

export function coverageText(c: ChalkInstance, cov: CoverageReport): string {
  const lines = [`\nCoverage of instance ${cov.instanceId} (navigation config paths):`];
  for (const p of cov.paths) {
    if (!p.configured) lines.push(c.dim(`  - ${p.label}: not configured`));
    else if (p.hits) lines.push(`  ${c.green('✓')} ${p.label} ${c.dim(`(${p.hits})`)}`);
    else lines.push(`  ${c.red('✗')} ${p.label}: ${c.red('unreached')}`);
  }
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, n]) => `${k} (${n})`)
      .join(', ') || 'none';
  lines.push(`  actions seen: ${list(cov.actions)}`);
  lines.push(`  transfer targets seen: ${list(cov.targets)}`);
  if (cov.unseenTargets.length) lines.push(`  ${c.red('configured targets never seen')}: ${cov.unseenTargets.join(', ')}`);
  const items = Array.isArray(cov.items) ? cov.items : [];
  for (const kind of ['intents', 'dtmf', 'transfers'] as const) {
    const of = items.filter((i) => i.kind === kind);
    if (!of.length) continue;
    const title =
      kind === 'transfers'
        ? 'transfer targets per entry'
        : `${kind === 'intents' ? 'intents' : 'DTMF entries'} of ${cov.chatbot ? chatbotName(cov.chatbot) : 'the bot'}`;
    lines.push(`  ${title}:`);
    for (const i of of) lines.push(i.hits ? `    ${c.green('✓')} ${i.label} ${c.dim(`(${i.hits})`)}` : `    ${c.red('✗')} ${i.label}: ${c.red('unreached')}`);
  }
  for (const n of Array.isArray(cov.notSeen) ? cov.notSeen : []) lines.push(c.dim(`  not seen — ${n}`));
  return `${lines.join('\n')}\n`;
}

function chatbotName(b: { id: string; name: string; source: string }): string {
  return `${b.name} (${b.id}, ${b.source === 'built-in' ? 'the built-in demo' : b.source})`;
}

/** The share reached per kind and overall, then the --min-coverage gate. */
function coverageTotalsText(c: ChalkInstance, s: Summary): string {
  const totals = coverageTotals(s.coverage ?? []);
  const shown = (['paths', 'intents', 'dtmf', 'transfers', 'overall'] as const)
    .filter((k) => totals[k].total > 0)
    .map((k) => `${k} ${totals[k].percent}% (${totals[k].reached}/${totals[k].total})`);
  let out = `Coverage: ${shown.join(' · ') || 'nothing to reach'}\n`;
  const g = s.coverageGate;
  if (g && Array.isArray(g.checks)) {
    const checks = g.checks.map((x) => (x.passed ? c.green(describeCheck(x)) : c.red(describeCheck(x)))).join(' · ');
    if (s.shard) out += `Coverage gate (checked by vn dialogue merge on the whole suite, not on a shard): ${checks}\n`;
    else out += g.passed ? `${c.green('Coverage gate:')} ${checks}\n` : `${c.red('Coverage gate failed (--min-coverage):')} ${checks}\n`;
  }
  return out;
}

/**
 * The `pretty` entry of the reporters' table (index.ts), and the summary every run shows: coloured
 * when its stream takes colours, to a file plain (the file is committed at the end, dropped on abort).
 */
export async function create(o: ReporterOptions & { quietPasses?: boolean }): Promise<Reporter> {
  const { Chalk } = await import('chalk');
  if (!o.file) return shownSafe(new PrettyReporter(o.out, new Chalk({ level: o.color ? 1 : 0 }), { repeat: o.repeat, quietPasses: o.quietPasses }));
  const { AtomicFile } = await import('../../../atomic-file.js');
  const f = new AtomicFile(o.file);
  // a failed write surfaces at commit (the file's queue keeps it)
  const r = new PrettyReporter({ write: (s) => void f.write(s).catch(() => undefined) }, new Chalk({ level: 0 }), { repeat: o.repeat });
  return shownSafe({
    start: (info) => r.start(info),
    conversation: (c) => r.conversation(c),
    async end(s) {
      r.end(s);
      await f.commit();
    },
    abort: () => f.abort(),
  });
}

/**
 * A human reporter colours what it prints: it is handed the results with every string sanitised
 * (the bot's text, Action and ActionParams, the service's error messages, a shard's fields), so the
 * colours it adds wrap text that can no longer drive a terminal, whatever the output is.
 */
function shownSafe(r: Reporter): Reporter {
  return {
    start: (info) => r.start(sanitizeDeep(info)),
    conversation: (c) => r.conversation(sanitizeDeep(c)),
    end: (s) => r.end(sanitizeDeep(s)),
    ...(r.abort ? { abort: () => (r.abort as () => Promise<void>)() } : {}),
  };
}
