import type { ChalkInstance } from 'chalk';
import type { CoverageReport } from '../coverage.js';
import type { Mismatch } from '../expectations.js';
import type { ConversationResult, Reporter, Summary } from '../runner.js';

export interface Sink {
  write(text: string): void;
}

/**
 * The human report: a line per conversation (failures in full: what was expected and what came
 * back), then the counts, the latency percentiles and turns per second, and coverage when asked.
 */
export class PrettyReporter implements Reporter {
  private repeat = false;
  constructor(
    private readonly out: Sink,
    private readonly chalk: ChalkInstance,
    private readonly opts: { repeat: number; quietPasses?: boolean },
  ) {
    this.repeat = opts.repeat > 1;
  }

  start(): void {}

  conversation(r: ConversationResult): void {
    const c = this.chalk;
    const title = `${r.name}${this.repeat ? c.dim(` #${r.run}`) : ''} ${c.dim(`(${r.file})`)}`;
    if (r.outcome === 'passed') {
      if (!this.opts.quietPasses && !this.repeat) this.out.write(`${c.green('✓')} ${title} ${c.dim(`${r.turns} turns, ${Math.round(r.durationMs)} ms`)}\n`);
      return;
    }
    const label = { failed: c.red('✗ failed'), errored: c.red('! errored'), timedOut: c.yellow('⏱ timed out') }[r.outcome];
    this.out.write(`${label} ${title}\n${c.dim(`  ConversationId ${r.conversationId}`)}\n`);
    for (const f of r.failures) {
      this.out.write(`  ${c.bold(`line ${f.step.line}`)} ${f.sent}\n`);
      for (const m of f.mismatches) this.out.write(`${describeMismatch(c, m)}\n`);
      const params = f.turn.ActionParams && f.turn.ActionParams !== '{}' ? ` ${f.turn.ActionParams}` : '';
      this.out.write(
        c.dim(
          `      answer: ${JSON.stringify(f.turn.TextResponse ?? '')} · ${f.turn.Action ?? ''}${params}${f.turn.Interruptible ? ' · interruptible' : ''} · ${Math.round(f.latencyMs)} ms\n`,
        ),
      );
    }
    if (r.error) {
      const where = r.error.line ? `line ${r.error.line} ${r.error.step ?? ''}: ` : '';
      const id = r.error.code ? `${r.error.code}: ` : '';
      this.out.write(`  ${where}${id}${r.error.message}${r.error.requestId ? c.dim(` (RequestId ${r.error.requestId})`) : ''}\n`);
    }
  }

  end(s: Summary): void {
    const c = this.chalk;
    const parts = [
      c.green(`${s.passed} passed`),
      (s.failed ? c.red : c.dim)(`${s.failed} failed`),
      (s.errored ? c.red : c.dim)(`${s.errored} errored`),
      (s.timedOut ? c.yellow : c.dim)(`${s.timedOut} timed out`),
    ];
    if (s.skipped) parts.push(c.dim(`${s.skipped} not run`));
    this.out.write(`\nConversations: ${parts.join(', ')} (${s.conversations} run)\n`);
    if (s.flaky.length) this.out.write(c.yellow(`Flaky (passed on some runs, not on others): ${s.flaky.join('; ')}\n`));
    const l = s.latency;
    this.out.write(
      `Turns: ${s.turns} · latency p50 ${ms(l.p50)} · p95 ${ms(l.p95)} · p99 ${ms(l.p99)} · max ${ms(l.max)} · ${s.turnsPerSecond.toFixed(1)} turns/s · ${(s.durationMs / 1000).toFixed(2)} s\n`,
    );
    for (const cov of s.coverage ?? []) this.out.write(coverageText(c, cov));
    if (s.unreachable) this.out.write(c.red(`The service could not be reached: ${s.unreachable}\n`));
  }
}

function ms(v: number): string {
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => JSON.stringify(x)).join(' or ');
  return JSON.stringify(v);
}

function describeMismatch(c: ChalkInstance, m: Mismatch): string {
  const expected: Record<string, string> = {
    text: `text containing ${show(m.expected)}`,
    textMatches: `text matching /${String(m.expected)}/`,
    notText: `text without ${show(m.expected)}`,
    action: `action ${show(m.expected)}`,
    params: `params including ${JSON.stringify(m.expected)}`,
    interruptible: `interruptible ${show(m.expected)}`,
    sameAsPrevious: m.expected ? 'the same answer as the previous turn' : 'a different answer from the previous turn',
    maxLatencyMs: `an answer within ${show(m.expected)} ms`,
    save: `text matching the save pattern ${JSON.stringify(m.expected)}`,
  };
  const actual = m.key === 'maxLatencyMs' ? `${String(m.actual)} ms` : JSON.stringify(m.actual);
  return `    ${c.dim('expected')} ${c.green(expected[m.key] ?? show(m.expected))}\n    ${c.dim('     got')} ${c.red(actual)}`;
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
  return `${lines.join('\n')}\n`;
}
