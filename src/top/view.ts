import { displayWidth, truncate } from '../output/table.js';
import type { LastApply } from './last-apply.js';
import type { Bucket, Sample } from './sample.js';
import { type Breach, breachesOf, type Thresholds } from './thresholds.js';

/**
 * What `vn top` draws, as lines of plain text (the caller writes them through IOStreams, which
 * sanitises an instance name that holds control characters). Pure: the same state gives the same
 * screen, which the tests read.
 */

const BARS = '▁▂▃▄▅▆▇█';

/** One character per value: scaled to `max` (the largest value when absent); a missing value is a blank. */
export function sparkline(values: (number | undefined)[], max?: number): string {
  const top = max ?? Math.max(0, ...values.filter((v): v is number => v !== undefined));
  return values
    .map((v) => {
      if (v === undefined) return ' ';
      if (top <= 0) return BARS[0];
      const i = Math.min(BARS.length - 1, Math.max(0, Math.round((v / top) * (BARS.length - 1))));
      return BARS[i];
    })
    .join('');
}

/** 0.2345 → "23.45%"; a missing rate → "—". */
export function pct(rate: number | undefined): string {
  return rate === undefined ? '—' : `${(rate * 100).toFixed(2)}%`;
}

/** The apply's minute on the timeline: `▲` under it, blanks elsewhere; empty when it is outside the window. */
export function applyMarker(buckets: Bucket[], apply: LastApply | undefined): string {
  if (!apply || buckets.length === 0) return '';
  const first = buckets[0] as Bucket;
  const i = Math.floor((apply.time - first.start) / 60_000);
  if (i < 0 || i >= buckets.length) return '';
  return `${' '.repeat(i)}▲${' '.repeat(buckets.length - i - 1)}`;
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

/** The state one screen shows. */
export interface TopState {
  samples: Sample[];
  /** Earlier looks per instance (oldest first, the latest included), for the per-refresh sparklines. */
  history: Map<string, Sample[]>;
  applies: Map<string, LastApply>;
  selected: number;
  paused: boolean;
  intervalSeconds: number;
  windowMinutes: number;
  thresholds: Thresholds;
}

export function label(s: Pick<Sample, 'instanceId' | 'name'>): string {
  return s.name ? `${s.name} (${s.instanceId})` : s.instanceId;
}

function concurrencyText(s: Sample): string {
  if (!s.concurrency) return '—';
  const { now, max } = s.concurrency;
  return `${now}/${max}${max > 0 ? ` (${Math.round((now / max) * 100)}%)` : ''}`;
}

function mark(breaches: Breach[], what: Breach['what']): string {
  return breaches.some((b) => b.what === what) ? ' !' : '';
}

function applyText(a: LastApply | undefined, now: number): string {
  if (!a) return 'none recorded';
  const who = a.user ? ` by ${a.user}` : '';
  return `${a.id} ${ago(now - a.time)} (${a.source}${who}${a.outcome && a.outcome !== 'applied' ? `, ${a.outcome}` : ''})`;
}

/** The full screen: the instances one per row, then the selected one with its timeline, then the keys. */
export function screenLines(st: TopState, now: number): string[] {
  const lines: string[] = [];
  const breachesAll = st.samples.flatMap((s) => breachesOf(s, st.thresholds));
  lines.push(
    `vn top · ${st.samples.length} instance${st.samples.length === 1 ? '' : 's'} · window ${st.windowMinutes}m · every ${st.intervalSeconds}s · ${new Date(now).toISOString().slice(11, 19)} UTC${st.paused ? ' · PAUSED' : ''}${breachesAll.length ? ` · ${breachesAll.length} over threshold` : ''}`,
  );
  lines.push('');
  const nameWidth = Math.min(60, Math.max(8, ...st.samples.map((s) => displayWidth(label(s)))));
  // display cells, not code units: a Chinese name takes two cells a character
  const pad = (t: string, n: number) => {
    const cut = displayWidth(t) > n ? truncate(t, n) : t;
    return cut + ' '.repeat(Math.max(0, n - displayWidth(cut)));
  };
  lines.push(`  ${pad('INSTANCE', nameWidth)}  ${pad('NOW/CAP', 14)}${pad('CALLS', 7)}${pad('TRANSFER', 10)}${pad('HANG-UP', 10)}UNRECOGNIZED`);
  st.samples.forEach((s, i) => {
    const b = breachesOf(s, st.thresholds);
    lines.push(
      `${i === st.selected ? '>' : ' '} ${pad(label(s), nameWidth)}  ${pad(concurrencyText(s) + mark(b, 'concurrency'), 14)}${pad(String(s.conversations), 7)}${pad(
        pct(s.transferRate) + mark(b, 'transfer'),
        10,
      )}${pad(pct(s.hangUpRate) + mark(b, 'hang-up'), 10)}${pct(s.unrecognizedRate)}${mark(b, 'unrecognized')}`,
    );
  });
  const s = st.samples[st.selected];
  if (s) {
    lines.push('');
    lines.push(...detailLines(s, st, now));
  }
  lines.push('');
  lines.push('q quit · p/space pause · tab/n next instance');
  return lines;
}

/** The selected instance: each number with its sparkline and the apply's mark on the minute timeline. */
export function detailLines(s: Sample, st: Pick<TopState, 'history' | 'applies' | 'thresholds' | 'windowMinutes'>, now: number): string[] {
  const b = breachesOf(s, st.thresholds);
  const limit = (v: number | undefined) => (v === undefined ? '' : ` (max ${pct(v)})`);
  const hist = (st.history.get(s.instanceId) ?? [s]).slice(-30);
  const minute = s.buckets;
  const rate = (f: (x: Bucket) => number, d: (x: Bucket) => number) => minute.map((x) => (d(x) > 0 ? f(x) / d(x) : undefined));
  const lines = [
    label(s),
    `  concurrency    ${pad(concurrencyText(s), 16)}${sparkline(
      hist.map((h) => h.concurrency?.now),
      s.concurrency?.max,
    )}  per refresh${limit(st.thresholds.concurrency)}${mark(b, 'concurrency')}`,
    `  conversations  ${pad(`${s.conversations} in ${st.windowMinutes}m`, 16)}${sparkline(minute.map((x) => x.conversations))}  per minute`,
    `  transfer       ${pad(pct(s.transferRate), 16)}${sparkline(
      rate(
        (x) => x.transfers,
        (x) => x.conversations,
      ),
      1,
    )}  per minute${limit(st.thresholds.transfer)}${mark(b, 'transfer')}`,
    `  hang-up        ${pad(pct(s.hangUpRate), 16)}${sparkline(
      rate(
        (x) => x.hangUps,
        (x) => x.ended,
      ),
      1,
    )}  per minute${limit(st.thresholds.hangUp)}${mark(b, 'hang-up')}`,
    `  unrecognized   ${pad(pct(s.unrecognizedRate), 16)}${sparkline(
      hist.map((h) => h.unrecognizedRate),
      1,
    )}  per refresh${limit(st.thresholds.unrecognized)}${mark(b, 'unrecognized')}`,
  ];
  const apply = st.applies.get(s.instanceId);
  const first = minute[0];
  const marker = applyMarker(minute, apply);
  lines.push(
    `  timeline       ${pad(`${first ? hhmm(first.start) : ''}–${hhmm(s.at)}`, 16)}${marker || ' '.repeat(minute.length)}  ${marker ? '▲ ' : ''}last apply`,
  );
  lines.push(`  last apply     ${applyText(apply, now)}`);
  if (!s.complete) lines.push(`  (the per-minute lines hold ${s.listed} of the ${s.conversations} calls of the window)`);
  if (s.error) lines.push(`  error: ${s.error}`);
  return lines;
}

function pad(t: string, n: number): string {
  const w = displayWidth(t);
  return w >= n ? `${t} ` : t + ' '.repeat(n - w);
}

/** One line per instance for a pipe or `--once`: every number, no drawing. */
export function plainLine(s: Sample, applies: Map<string, LastApply>, thresholds: Thresholds): string {
  const parts = [
    new Date(s.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    label(s),
    `concurrency ${s.concurrency ? `${s.concurrency.now}/${s.concurrency.max}` : '—'}`,
    `conversations ${s.conversations}`,
    `transfer ${pct(s.transferRate)}`,
    `hang-up ${pct(s.hangUpRate)}`,
    `unrecognized ${pct(s.unrecognizedRate)}`,
  ];
  const apply = applies.get(s.instanceId);
  if (apply) parts.push(`last apply ${apply.id}`);
  const breaches = breachesOf(s, thresholds);
  if (breaches.length) parts.push(`over: ${breaches.map((b) => b.what).join(', ')}`);
  if (s.error) parts.push(`error: ${s.error}`);
  return parts.join(' · ');
}
