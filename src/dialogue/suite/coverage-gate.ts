import { UsageError } from '../../errors.js';
import { closest } from '../../suggest.js';
import { COVERAGE_KINDS, type CoverageKind, type CoverageReport, coverageTotals } from './coverage.js';

/** What `--min-coverage` can name: each kind of coverage item, or all of them together. */
export type GateKind = CoverageKind | 'overall';
export const GATE_KINDS: readonly GateKind[] = ['overall', ...COVERAGE_KINDS];

/** `--min-coverage`: a lowest share (percent, 0–100) per kind, or overall. */
export type MinCoverage = Partial<Record<GateKind, number>>;

export interface CoverageCheck {
  kind: GateKind;
  /** The threshold, in percent. */
  min: number;
  reached: number;
  total: number;
  /** Absent when there is nothing of this kind to reach. */
  percent?: number;
  passed: boolean;
}

/** The run's coverage against `--min-coverage`: one check per threshold given. */
export interface CoverageGate {
  checks: CoverageCheck[];
  passed: boolean;
}

/**
 * Reads `--min-coverage`: `80` (overall), `paths=100,intents=80`, or both (`90,dtmf=100`). Each
 * value is a percent from 0 to 100; a kind given twice, an unknown kind or a bad number is exit 2.
 */
export function parseMinCoverage(text: string): MinCoverage {
  const out: MinCoverage = {};
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new UsageError('--min-coverage needs a percent (80) or kind=percent pairs (paths=100,intents=80)');
  for (const part of parts) {
    if (part === '') throw new UsageError(`--min-coverage ${text}: an empty item between commas`);
    const eq = part.indexOf('=');
    const kind = (eq < 0 ? 'overall' : part.slice(0, eq).trim()) as GateKind;
    const value = eq < 0 ? part : part.slice(eq + 1).trim();
    if (!GATE_KINDS.includes(kind)) {
      const near = closest(kind, GATE_KINDS);
      throw new UsageError(`--min-coverage ${part}: unknown kind "${kind}"${near ? ` (did you mean ${near}?)` : ''}; kinds: ${GATE_KINDS.join(', ')}`);
    }
    const n = /^\d+(\.\d+)?%?$/.test(value) ? Number(value.replace(/%$/, '')) : Number.NaN;
    if (!(n >= 0 && n <= 100)) throw new UsageError(`--min-coverage ${part}: ${JSON.stringify(value)} is not a percent from 0 to 100`);
    if (out[kind] !== undefined) throw new UsageError(`--min-coverage ${text}: ${kind} is given twice`);
    out[kind] = n;
  }
  return out;
}

/**
 * Kinds a run without a chatbot model cannot measure: a threshold on them is refused before
 * anything is sent (exit 2), rather than failing after the run.
 */
export function checkMeasurable(min: MinCoverage, hasModel: boolean): void {
  if (hasModel) return;
  const blind = (['intents', 'dtmf'] as const).filter((k) => min[k] !== undefined);
  if (blind.length)
    throw new UsageError(
      `--min-coverage ${blind.join(', ')}: vn cannot see this bot's ${blind.map((k) => (k === 'dtmf' ? 'DTMF menu' : k)).join(' or ')} ` +
        '(the service does not expose them): give --chatbots FILE with a model of the bot, or use the local profile',
    );
}

/** Each threshold against the coverage reached; a kind with nothing to reach does not pass (a gate on nothing proves nothing). */
export function coverageGate(reports: CoverageReport[], min: MinCoverage): CoverageGate {
  const totals = coverageTotals(reports);
  const checks: CoverageCheck[] = [];
  for (const kind of GATE_KINDS) {
    const m = min[kind];
    if (m === undefined) continue;
    const t = totals[kind];
    // compared as shown (to 0.1%), so a report never reads "66.7% < 66.7%"
    checks.push({ kind, min: m, ...t, passed: t.percent !== undefined && t.percent >= m });
  }
  return { checks, passed: checks.every((c) => c.passed) };
}

/** One check in words: `intents 60% (3 of 5) < 80%`. */
export function describeCheck(c: CoverageCheck): string {
  if (c.total === 0) return `${c.kind}: nothing to reach (needs ${c.min}%)`;
  return `${c.kind} ${c.percent}% (${c.reached} of ${c.total}) ${c.passed ? '≥' : '<'} ${c.min}%`;
}
