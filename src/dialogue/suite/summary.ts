import type { CoverageReport } from './coverage.js';
import type { CoverageGate } from './coverage-gate.js';
import type { ConversationResult, Outcome } from './result.js';
import { LatencyStats, type LatencySummary } from './stats.js';

/** Milliseconds to one decimal: what a report states, and what it is computed from. */
export function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A conversation that did not give the same outcome every time: retried into a pass, or passing on some --repeat runs only. */
export interface FlakyConversation {
  file: string;
  name: string;
  runs: number;
  /** Runs that passed at the first attempt. */
  passed: number;
  /** Runs that passed on a retry. */
  flaky: number;
  /** Runs that did not pass. */
  failed: number;
}

/** --max-p95: the turns' latency p95 against its limit. */
export interface LatencyGate {
  maxP95Ms: number;
  p95Ms: number;
  passed: boolean;
}

export interface Summary {
  conversations: number;
  passed: number;
  /** Runs that failed and then passed on a retry (counted as passed for the exit code). */
  flaky: number;
  failed: number;
  errored: number;
  timedOut: number;
  /** Runs whose every failing expectation --update rewrote. */
  updated: number;
  /** Conversations not started because of --bail or an unreachable service. */
  skipped: number;
  /** Conversations whose runs or attempts disagreed. */
  flakyConversations: FlakyConversation[];
  /** Requests sent, retried attempts included; the latency is over these. */
  turns: number;
  latency: LatencySummary;
  turnsPerSecond: number;
  durationMs: number;
  latencyGate?: LatencyGate;
  coverage?: CoverageReport[];
  /** --min-coverage: the thresholds against what the coverage reached. */
  coverageGate?: CoverageGate;
  /** Set when the service could not be reached: the command exits 3. */
  unreachable?: string;
  /** --shard i/n of this run. */
  shard?: { index: number; count: number };
  /** How many reports `vn dialogue merge` combined. */
  merged?: number;
}

/** Whether the run as a whole passed: nothing failed and the latency and coverage gates held. */
export function summaryPassed(s: Summary): boolean {
  return s.failed + s.errored + s.timedOut === 0 && s.latencyGate?.passed !== false && s.coverageGate?.passed !== false && !s.unreachable;
}

/**
 * Counts and latency built from conversation results one at a time. The runner and
 * `vn dialogue merge` both go through it, so shards merged give the totals of one run.
 */
export class SummaryBuilder {
  private readonly counts: Record<Outcome, number> = { passed: 0, flaky: 0, failed: 0, errored: 0, timedOut: 0, updated: 0 };
  private readonly latency = new LatencyStats();
  private readonly history = new Map<string, FlakyConversation>();
  private started = 0;

  add(r: ConversationResult): void {
    this.started++;
    this.counts[r.outcome]++;
    for (const attempt of [...(r.retries ?? []), r]) for (const t of attempt.transcript ?? []) this.latency.add(t.latencyMs);
    const key = `${r.file}\0${r.name}`;
    let h = this.history.get(key);
    if (!h) this.history.set(key, (h = { file: r.file, name: r.name, runs: 0, passed: 0, flaky: 0, failed: 0 }));
    h.runs++;
    if (r.outcome === 'passed' || r.outcome === 'updated') h.passed++;
    else if (r.outcome === 'flaky') h.flaky++;
    else h.failed++;
  }

  build(o: {
    skipped: number;
    durationMs: number;
    coverage?: CoverageReport[];
    coverageGate?: CoverageGate;
    unreachable?: string;
    maxP95Ms?: number;
    shard?: { index: number; count: number };
    merged?: number;
  }): Summary {
    const latency = this.latency.summary();
    const durationMs = round1(o.durationMs);
    const c = this.counts;
    return {
      conversations: this.started,
      passed: c.passed,
      flaky: c.flaky,
      failed: c.failed,
      errored: c.errored,
      timedOut: c.timedOut,
      updated: c.updated,
      skipped: o.skipped,
      flakyConversations: [...this.history.values()].filter((h) => h.flaky > 0 || (h.passed > 0 && h.failed > 0)),
      turns: latency.count,
      latency,
      turnsPerSecond: durationMs > 0 ? round1(latency.count / (durationMs / 1000)) : 0,
      durationMs,
      ...(o.maxP95Ms !== undefined ? { latencyGate: { maxP95Ms: o.maxP95Ms, p95Ms: latency.p95, passed: latency.p95 <= o.maxP95Ms } } : {}),
      ...(o.coverage ? { coverage: o.coverage } : {}),
      ...(o.coverageGate ? { coverageGate: o.coverageGate } : {}),
      ...(o.unreachable ? { unreachable: o.unreachable } : {}),
      ...(o.shard ? { shard: o.shard } : {}),
      ...(o.merged ? { merged: o.merged } : {}),
    };
  }
}
