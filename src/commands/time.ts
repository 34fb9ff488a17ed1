import { UsageError } from '../errors.js';

/** What the time flags accept, for help texts. */
export const TIME_FLAG_FORMS = 'ISO date or date-time (local unless a zone is given), epoch ms, now, or -30m/-24h/-7d/-2w';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const RELATIVE = /^([+-])((?:\d+[smhdw])+)$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export interface TimeFlagOptions {
  /** A date without a time means the end of that day (for `--to`), not its start. */
  endOfDay?: boolean;
}

/**
 * Turns the text of a time flag into epoch milliseconds: `now`, relative offsets from `now`
 * (`-24h`, `-7d`, `-1h30m`, `+2d`), epoch milliseconds, an ISO date (local midnight, or the day's
 * last millisecond with `endOfDay`), or an ISO date-time (local time unless it carries Z or ±hh:mm).
 */
export function parseTimeFlag(flag: string, text: string, now: Date, opts: TimeFlagOptions = {}): number {
  const s = text.trim();
  const bad = (why: string): UsageError => new UsageError(`--${flag} ${why}: "${text}" (use ${TIME_FLAG_FORMS})`);
  if (s === '') throw bad('is empty');
  if (s.toLowerCase() === 'now') return now.getTime();

  const rel = RELATIVE.exec(s.toLowerCase());
  if (rel) {
    let offset = 0;
    for (const [, n, unit] of (rel[2] as string).matchAll(/(\d+)([smhdw])/g)) offset += Number(n) * (UNIT_MS[unit as string] as number);
    const ms = now.getTime() + (rel[1] === '-' ? -offset : offset);
    if (!Number.isSafeInteger(ms)) throw bad('is out of range');
    return afterEpoch(ms, bad);
  }

  if (/^\d+$/.test(s)) {
    // 10 digits is an epoch in seconds; the API wants milliseconds, and guessing would be off by 1000×
    if (s.length <= 10) throw bad('looks like epoch seconds; the API takes epoch milliseconds');
    const ms = Number(s);
    if (!Number.isSafeInteger(ms)) throw bad('is out of range');
    return ms;
  }

  const dateOnly = DATE_ONLY.exec(s);
  if (dateOnly) {
    const [y, mo, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    checkCalendar(y, mo, d, 0, 0, 0, bad);
    return afterEpoch(opts.endOfDay ? localTime(y, mo - 1, d, 23, 59, 59, 999) : localTime(y, mo - 1, d, 0, 0, 0, 0), bad);
  }

  const dt = DATE_TIME.exec(s);
  if (dt) {
    const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(dt[i] ?? 0)) as [number, number, number, number, number, number];
    const ms = Number((dt[7] ?? '0').padEnd(3, '0'));
    checkCalendar(y, mo, d, h, mi, sec, bad);
    const zone = dt[8];
    if (!zone) return afterEpoch(localTime(y, mo - 1, d, h, mi, sec, ms), bad);
    const utc = utcTime(y, mo - 1, d, h, mi, sec, ms);
    if (zone.toUpperCase() === 'Z') return afterEpoch(utc, bad);
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = Number(digits.slice(2) || '0');
    if (zh > 14 || zm > 59) throw bad('has an impossible time zone offset');
    const offsetMs = (zh * 60 + zm) * 60_000 * (zone.startsWith('-') ? -1 : 1);
    return afterEpoch(utc - offsetMs, bad);
  }

  throw bad('is not a time');
}

// Date() and Date.UTC() read the years 0-99 as 1900-1999; setFullYear takes the year as written
function localTime(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(2000, mo, d, h, mi, s, ms);
  t.setFullYear(y, mo, d);
  return t.getTime();
}

function utcTime(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(Date.UTC(2000, mo, d, h, mi, s, ms));
  t.setUTCFullYear(y, mo, d);
  return t.getTime();
}

/** The API's times are epoch milliseconds: nothing before 1970-01-01T00:00Z can be asked for. */
function afterEpoch(ms: number, bad: (why: string) => UsageError): number {
  if (!Number.isFinite(ms)) throw bad('is out of range');
  if (ms < 0) throw bad('is before 1970-01-01T00:00Z, the start of the service’s epoch-millisecond times');
  return ms;
}

function checkCalendar(y: number, mo: number, d: number, h: number, mi: number, s: number, bad: (why: string) => UsageError): void {
  const daysInMonth = new Date(utcTime(y, mo, 0, 0, 0, 0, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth) throw bad('is not a calendar date');
  if (h > 23 || mi > 59 || s > 59) throw bad('is not a time of day');
}

/**
 * `--from` / `--to` as the API's BeginTimeLeftRange / BeginTimeRightRange (epoch ms), refusing a
 * range that ends before it starts.
 */
export function timeRangeParams(flags: Record<string, unknown>, now: Date): { BeginTimeLeftRange?: number; BeginTimeRightRange?: number } {
  const out: { BeginTimeLeftRange?: number; BeginTimeRightRange?: number } = {};
  if (typeof flags.from === 'string') out.BeginTimeLeftRange = parseTimeFlag('from', flags.from, now);
  if (typeof flags.to === 'string') out.BeginTimeRightRange = parseTimeFlag('to', flags.to, now, { endOfDay: true });
  if (out.BeginTimeLeftRange !== undefined && out.BeginTimeRightRange !== undefined && out.BeginTimeLeftRange > out.BeginTimeRightRange) {
    throw new UsageError(`--from (${new Date(out.BeginTimeLeftRange).toISOString()}) is after --to (${new Date(out.BeginTimeRightRange).toISOString()})`);
  }
  return out;
}

/** The `--from` and `--to` flag definitions, shared by every command that filters by time. */
export const TIME_RANGE_FLAGS = [
  { name: 'from', type: 'string', valueName: 'time', description: `conversations that began at or after this time: ${TIME_FLAG_FORMS}` },
  { name: 'to', type: 'string', valueName: 'time', description: 'conversations that began at or before this time (a date alone means the end of that day)' },
] as const;
