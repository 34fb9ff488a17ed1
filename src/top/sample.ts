import type { ApiCaller } from '../ports.js';

/**
 * One look at an instance for `vn top`: three reads, nothing else.
 * - GetRealTimeConcurrency: the calls now against the cap.
 * - DescribeStatisticalData over the window (TimeUnit Hour; its totals cover exactly the window's
 *   BeginTime range): the conversations, the transfer rate (1 − TotalDialoguePassRate: the share
 *   transferred to an agent) and the unrecognized rate (1 − TotalValidAnswerRate: the share of the
 *   caller's turns the bot did not understand).
 * - ListConversations over the window (live calls only): each call's start, HasToAgent and
 *   EndReason, for the per-minute timeline and the hang-up rate (EndReason 5: the bot hung up,
 *   its HangUp action, among the calls that ended).
 */

/** ListConversations' EndReason of a call the bot hung up (its HangUp action). */
export const END_REASON_BOT_HANG_UP = 5;
/** At most this many pages of ListConversations per look (100 calls each): the timeline of a busy hotline is a sample of its calls. */
const MAX_PAGES = 10;
const PAGE_SIZE = 100;

export interface Bucket {
  /** Epoch ms of the minute's start. */
  start: number;
  conversations: number;
  transfers: number;
  ended: number;
  hangUps: number;
}

export interface Sample {
  instanceId: string;
  name?: string;
  /** Epoch ms the window ends (now) and starts. */
  at: number;
  from: number;
  concurrency?: { now: number; max: number };
  conversations: number;
  /** Rates from 0 to 1; undefined when there is nothing to divide by. */
  transferRate?: number;
  hangUpRate?: number;
  unrecognizedRate?: number;
  /** The window minute by minute, oldest first. */
  buckets: Bucket[];
  /** Whether the timeline holds every call of the window (else the first MAX_PAGES pages). */
  complete: boolean;
  /** The calls the timeline holds. */
  listed: number;
  /** Set when a read failed: the look is partial. */
  error?: string;
  /** The first read's error itself (a ServiceError, a NetworkError), for `--once` to exit with. */
  failure?: unknown;
}

/** "23.45%" (or "23.45") → 0.2345; undefined for anything else. */
export function parseRate(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1 ? v / 100 : v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/.exec(v);
  return m ? Number(m[1]) / 100 : undefined;
}

interface ListedCall {
  BeginTime?: unknown;
  StartTime?: unknown;
  EndTime?: unknown;
  HasToAgent?: unknown;
  TransferredToAgent?: unknown;
  EndReason?: unknown;
  Rounds?: unknown;
}

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined);

export async function sampleInstance(api: ApiCaller, instanceId: string, name: string | undefined, at: number, windowMs: number): Promise<Sample> {
  const from = at - windowMs;
  const minute = 60_000;
  const first = Math.floor(from / minute) * minute;
  const buckets: Bucket[] = [];
  for (let start = first; start <= at; start += minute) buckets.push({ start, conversations: 0, transfers: 0, ended: 0, hangUps: 0 });
  const sample: Sample = { instanceId, ...(name ? { name } : {}), at, from, conversations: 0, buckets, complete: true, listed: 0 };

  const [concurrency, stats, calls] = await Promise.allSettled([
    api('GetRealTimeConcurrency', { InstanceId: instanceId }),
    api('DescribeStatisticalData', { InstanceId: instanceId, TimeUnit: 'Hour', BeginTimeLeftRange: from, BeginTimeRightRange: at }),
    listCalls(api, instanceId, from, at),
  ]);
  const errors: string[] = [];
  if (concurrency.status === 'fulfilled') {
    const d = concurrency.value.data as { RealTimeConcurrency?: unknown; MaxConcurrency?: unknown };
    const now = asNumber(d.RealTimeConcurrency);
    const max = asNumber(d.MaxConcurrency);
    if (now !== undefined && max !== undefined) sample.concurrency = { now, max };
  } else errors.push((concurrency.reason as Error).message);

  let userTurns: number | undefined;
  if (calls.status === 'fulfilled') {
    sample.complete = calls.value.complete;
    sample.listed = calls.value.items.length;
    let ended = 0;
    let hangUps = 0;
    userTurns = 0;
    for (const c of calls.value.items) {
      const begin = asNumber(c.BeginTime ?? c.StartTime);
      const b = begin === undefined ? undefined : buckets[Math.floor((begin - first) / minute)];
      const transferred = c.HasToAgent === true || c.TransferredToAgent === true;
      const isEnded = c.EndTime !== undefined && c.EndTime !== null && c.EndTime !== '';
      const hungUp = asNumber(c.EndReason) === END_REASON_BOT_HANG_UP;
      userTurns += asNumber(c.Rounds) ?? 0;
      if (isEnded) ended++;
      if (hungUp) hangUps++;
      if (b) {
        b.conversations++;
        if (transferred) b.transfers++;
        if (isEnded) b.ended++;
        if (hungUp) b.hangUps++;
      }
    }
    if (ended > 0) sample.hangUpRate = hangUps / ended;
  } else errors.push((calls.reason as Error).message);

  if (stats.status === 'fulfilled') {
    const d = stats.value.data as { ConversationTotalNum?: unknown; TotalDialoguePassRate?: unknown; TotalValidAnswerRate?: unknown };
    sample.conversations = asNumber(d.ConversationTotalNum) ?? 0;
    const pass = parseRate(d.TotalDialoguePassRate);
    if (sample.conversations > 0 && pass !== undefined) sample.transferRate = round4(1 - pass);
    const valid = parseRate(d.TotalValidAnswerRate);
    // no caller turn in the window: the service reports 0% valid answers, which is no rate at all
    if (sample.conversations > 0 && valid !== undefined && userTurns !== 0) sample.unrecognizedRate = round4(1 - valid);
  } else errors.push((stats.reason as Error).message);
  if (errors.length) {
    sample.error = errors.join('; ');
    sample.failure = [concurrency, calls, stats].find((r) => r.status === 'rejected')?.reason;
  }
  return sample;
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

async function listCalls(api: ApiCaller, instanceId: string, from: number, to: number): Promise<{ items: ListedCall[]; complete: boolean }> {
  const items: ListedCall[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const out = await api('ListConversations', {
      InstanceId: instanceId,
      BeginTimeLeftRange: from,
      BeginTimeRightRange: to,
      PageNumber: page,
      PageSize: PAGE_SIZE,
    });
    const d = out.data as { Conversations?: unknown; TotalCount?: unknown };
    const got = Array.isArray(d.Conversations) ? (d.Conversations as ListedCall[]) : [];
    items.push(...got);
    const total = asNumber(d.TotalCount) ?? items.length;
    if (got.length < PAGE_SIZE || items.length >= total) return { items, complete: true };
  }
  return { items, complete: false };
}
