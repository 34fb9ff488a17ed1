import { UsageError } from '../errors.js';
import type { Sample } from './sample.js';

/** `--max-…` of `vn top`: rates from 0 to 1 (exceeded when the value is above). */
export interface Thresholds {
  transfer?: number;
  hangUp?: number;
  unrecognized?: number;
  /** RealTimeConcurrency / MaxConcurrency. */
  concurrency?: number;
}

export interface Breach {
  what: 'transfer' | 'hang-up' | 'unrecognized' | 'concurrency';
  instanceId: string;
  name?: string;
  value: number;
  max: number;
  flag: string;
}

export const THRESHOLD_FLAGS = [
  { key: 'transfer', flag: 'max-transfer-rate', what: 'transfer' },
  { key: 'hangUp', flag: 'max-hangup-rate', what: 'hang-up' },
  { key: 'unrecognized', flag: 'max-unrecognized-rate', what: 'unrecognized' },
  { key: 'concurrency', flag: 'max-concurrency-ratio', what: 'concurrency' },
] as const;

/** A threshold as given: `0.3` or `30%`, from 0 to 1. */
export function parseThreshold(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text);
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${flag} must be a rate from 0 to 1 (or 0% to 100%), got "${text}"`);
  return n;
}

function measured(s: Sample, what: Breach['what']): number | undefined {
  switch (what) {
    case 'transfer':
      return s.transferRate;
    case 'hang-up':
      return s.hangUpRate;
    case 'unrecognized':
      return s.unrecognizedRate;
    case 'concurrency':
      return s.concurrency && s.concurrency.max > 0 ? s.concurrency.now / s.concurrency.max : undefined;
  }
}

/** The thresholds this look exceeds (a rate with nothing to divide by exceeds none). */
export function breachesOf(s: Sample, t: Thresholds): Breach[] {
  const out: Breach[] = [];
  for (const { key, flag, what } of THRESHOLD_FLAGS) {
    const max = t[key];
    const value = measured(s, what);
    if (max === undefined || value === undefined || !(value > max)) continue;
    out.push({ what, instanceId: s.instanceId, ...(s.name ? { name: s.name } : {}), value, max, flag });
  }
  return out;
}
