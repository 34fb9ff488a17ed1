import { invalidParameter } from './errors.js';
import type { RequestParams } from './params.js';
import type { ConversationSearch, Store } from './store/index.js';

export type { ConversationSearch } from './store/index.js';

/**
 * Statistics over the conversations the dialogue engine writes (the queries are the store's,
 * store/statistics.ts and store/conversations.ts). Periods and the times written into exports are in UTC, so that every
 * process sharing a data file (whatever its TZ) reports the same buckets.
 */

// Rule names are the dialogue engine's (see the column comment in store/migrations.ts).
/** Bot turns that answer something the caller said or keyed in: one per user turn. */
const ANSWER_RULES = ['knowledge', 'dtmf', 'dtmf-echo', 'unrecognized', 'unrecognized-final', 'repeat', 'negative-feedback', 'complaining'];
/** Answers that hit the chatbot's knowledge (an intent or a DTMF menu item). */
const HIT_RULES = ['knowledge', 'dtmf'];
/** Answers that did not understand the caller. */
const MISS_RULES = ['unrecognized', 'unrecognized-final'];
const VALID_RULES = ANSWER_RULES.filter((r) => !MISS_RULES.includes(r));

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A report longer than this is refused rather than built (about 41 days of hours). */
const MAX_PERIODS = 1000;

export type TimeUnit = 'Day' | 'Hour';

/** seed: 12.4 DescribeStatisticalData — TimeUnit "Day/Hour" means one of the two, in any case (the model checked it). */
export function parseTimeUnit(raw: string): TimeUnit {
  return raw.trim().toLowerCase() === 'hour' ? 'Hour' : 'Day';
}

/** "NN.NN%" as the seed's samples write rates; an empty denominator gives "0.00%". */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0.00%';
  return `${(Math.round((part * 10_000) / whole) / 100).toFixed(2)}%`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "YYYY-MM-DD HH:mm:ss" in UTC (for CSV cells). */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  return `${utcDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function utcDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function floorTo(ms: number, unit: TimeUnit): number {
  const size = unit === 'Hour' ? HOUR_MS : DAY_MS;
  return Math.floor(ms / size) * size;
}

/**
 * The BeginTime range of a statistics request: RightRange defaults to now; LeftRange to the start
 * of that (UTC) day for Hour, and to the start of the day six days earlier for Day (one week).
 */
export function statisticsRange(p: RequestParams<'BeginTimeLeftRange' | 'BeginTimeRightRange'>, unit: TimeUnit, now: number): { from: number; to: number } {
  const to = p.int('BeginTimeRightRange') ?? now;
  const from = p.int('BeginTimeLeftRange') ?? (unit === 'Hour' ? floorTo(to, 'Day') : floorTo(to, 'Day') - 6 * DAY_MS);
  if (from > to) throw invalidParameter('BeginTimeLeftRange', 'It must not be later than BeginTimeRightRange.');
  const size = unit === 'Hour' ? HOUR_MS : DAY_MS;
  if ((floorTo(to, unit) - floorTo(from, unit)) / size + 1 > MAX_PERIODS) {
    throw invalidParameter('BeginTimeLeftRange', `The range covers more than ${MAX_PERIODS} periods of one ${unit.toLowerCase()}.`);
  }
  return { from, to };
}

export interface PeriodReport {
  StatisticalDate: string;
  TotalConversationNum: number;
  ResolvedQuestionNum: number;
  KnowledgeHitRate: string;
  ValidAnswerRate: string;
  ResolutionRate: string;
  DialoguePassRate: string;
}

export interface StatisticsReport {
  ConversationTotalNum: number;
  ResolvedQuestionTotalNum: number;
  TotalKnowledgeHitRate: string;
  TotalValidAnswerRate: string;
  StatisticalDataReports: PeriodReport[];
  TotalDialoguePassRate: string;
  TotalResolutionRate: string;
}

interface Tally {
  conversations: number;
  resolved: number;
  notTransferred: number;
  userTurns: number;
  hits: number;
  valid: number;
}

const emptyTally = (): Tally => ({ conversations: 0, resolved: 0, notTransferred: 0, userTurns: 0, hits: 0, valid: 0 });

function rates(t: Tally) {
  return {
    KnowledgeHitRate: percent(t.hits, t.userTurns),
    ValidAnswerRate: percent(t.valid, t.userTurns),
    ResolutionRate: percent(t.resolved, t.conversations),
    DialoguePassRate: percent(t.notTransferred, t.conversations),
  };
}

/**
 * Live traffic only (debug = 0), conversations whose BeginTime lies in [from, to], bucketed by the
 * period their BeginTime falls in; every period of the range is reported, empty ones too.
 */
export function computeStatistics(store: Store, instanceId: string, unit: TimeUnit, from: number, to: number): StatisticsReport {
  const rows = store.statistics.tallies(instanceId, from, to, { answer: ANSWER_RULES, hit: HIT_RULES, valid: VALID_RULES });

  const size = unit === 'Hour' ? HOUR_MS : DAY_MS;
  const first = floorTo(from, unit);
  const last = floorTo(to, unit);
  const periods = new Map<number, Tally>();
  for (let start = first; start <= last; start += size) periods.set(start, emptyTally());
  const total = emptyTally();
  for (const r of rows) {
    const transferred = r.transferred_to_agent !== 0;
    const resolved = !transferred && r.hits > 0;
    for (const t of [periods.get(floorTo(r.begin_time, unit)) as Tally, total]) {
      t.conversations++;
      if (resolved) t.resolved++;
      if (!transferred) t.notTransferred++;
      t.userTurns += r.user_turns;
      t.hits += r.hits;
      t.valid += r.valid;
    }
  }

  // seed: 12.4 sample "19:00:00" — an hour is named by its clock time; the date is added only
  // when the range spans several days, where the clock time alone would repeat
  const oneDay = floorTo(first, 'Day') === floorTo(last, 'Day');
  const label = (start: number): string => {
    if (unit === 'Day') return utcDate(start);
    const hour = `${pad(new Date(start).getUTCHours())}:00:00`;
    return oneDay ? hour : `${utcDate(start)} ${hour}`;
  };
  const reports: PeriodReport[] = [...periods].map(([start, t]) => ({
    StatisticalDate: label(start),
    TotalConversationNum: t.conversations,
    ResolvedQuestionNum: t.resolved,
    ...rates(t),
  }));
  const totals = rates(total);
  return {
    ConversationTotalNum: total.conversations,
    ResolvedQuestionTotalNum: total.resolved,
    TotalKnowledgeHitRate: totals.KnowledgeHitRate,
    TotalValidAnswerRate: totals.ValidAnswerRate,
    StatisticalDataReports: reports,
    TotalDialoguePassRate: totals.DialoguePassRate,
    TotalResolutionRate: totals.ResolutionRate,
  };
}

/** The parameters conversationSearch reads. */
export type SearchParam =
  | 'DebugConversation'
  | 'CallingNumber'
  | 'Result'
  | 'AbTestId'
  | 'BeginTimeLeftRange'
  | 'BeginTimeRightRange'
  | 'RoundsLeftRange'
  | 'RoundsRightRange';

/**
 * The search of ExportConversationDetails and ListConversations: every filter their actions share
 * (ListConversations adds IsSandBox and Query).
 */
export function conversationSearch(p: RequestParams<SearchParam>): ConversationSearch {
  return {
    debug: p.int('DebugConversation') ?? 0,
    callingNumber: p.str('CallingNumber'),
    beginFrom: p.int('BeginTimeLeftRange'),
    beginTo: p.int('BeginTimeRightRange'),
    roundsFrom: p.int('RoundsLeftRange'),
    roundsTo: p.int('RoundsRightRange'),
    result: p.int('Result'),
    abTestId: p.str('AbTestId'),
  };
}
