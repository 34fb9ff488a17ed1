import { type BotTurn, parsedParams } from '../../api/bot-turn.js';
import type { TestFile, VolatilePath } from './format.js';
import type { ConversationResult, TranscriptTurn } from './result.js';

/**
 * A differential run (`vn dialogue test --compare A B`, `--baseline report.json`): the same
 * conversations on two sides, compared turn by turn on what a caller hears and what the call does
 * (text, action, ActionParams), leaving out what the suite marks `volatile`. Pure: the runs are the
 * command's; this module only lines the transcripts up.
 */

/** One side of the comparison, for the reports' header. */
export interface Side {
  /** What the user named: an instance id or name, or the baseline report's path. */
  label: string;
  instance?: string;
  profile?: string;
}

export type Field = 'text' | 'action' | 'params';
export const FIELDS: readonly Field[] = ['text', 'action', 'params'];

export interface FieldDifference {
  /** `text`, `action`, `params`, or `params.KEY` for one value of ActionParams. */
  field: string;
  /** The value on side A (undefined: absent). */
  a?: unknown;
  b?: unknown;
}

export interface TurnDifference {
  /** 1-based position of the answer in the conversation (1: the greeting). */
  turn: number;
  /** Line of the step in its file (side B's, else A's). */
  line: number;
  /** What was sent, e.g. `say 我想查余额` or `greeting`. */
  sent: string;
  /** The whole answer on each side; null when that side has no such turn (its conversation stopped earlier). */
  a: BotTurn | null;
  b: BotTurn | null;
  differences: FieldDifference[];
}

export interface ConversationComparison {
  file: string;
  name: string;
  run: number;
  equal: boolean;
  /** Turns compared (the longer side's count). */
  turns: number;
  /** Only the turns that differ. */
  differing: TurnDifference[];
  /** An error that stopped the conversation on a side, when the two sides disagree about it. */
  errors?: { a?: string; b?: string };
  /** Set when only one side ran this conversation (the baseline has no such conversation). */
  missing?: 'a' | 'b';
}

export interface ComparisonSummary {
  conversations: number;
  equal: number;
  different: number;
  turns: number;
  differentTurns: number;
}

export interface Comparison {
  a: Side;
  b: Side;
  conversations: ConversationComparison[];
  summary: ComparisonSummary;
}

/** The JSON report's `kind`, telling it from a test run's report. */
export const COMPARISON_KIND = 'vn-dialogue-comparison';
export const COMPARISON_SCHEMA_VERSION = 1;

/** The key a conversation is matched on across the two sides. */
export function conversationKey(r: { file: string; name: string; run: number }): string {
  return `${r.file}\0${r.name}\0${r.run}`;
}

/**
 * The volatile paths of each answer: the file's, and the step's (the step found by its line, which
 * every transcript turn carries).
 */
export class VolatileMap {
  private readonly byFile = new Map<string, { file: VolatilePath[]; steps: Map<number, VolatilePath[]> }>();
  constructor(files: TestFile[]) {
    for (const f of files) {
      const steps = new Map<number, VolatilePath[]>();
      for (const c of f.conversations) for (const s of c.steps) if (s.volatile?.length) steps.set(s.line, s.volatile);
      this.byFile.set(f.path, { file: f.volatile ?? [], steps });
    }
  }

  paths(file: string, line: number | undefined): VolatilePath[] {
    const f = this.byFile.get(file);
    if (!f) return [];
    return [...f.file, ...((line !== undefined ? f.steps.get(line) : undefined) ?? [])];
  }
}

/** Compares two runs of the same conversations; `b` drives the order (the run in hand). */
export function compareRuns(a: Side, b: Side, resultsA: ConversationResult[], resultsB: ConversationResult[], volatile: VolatileMap): Comparison {
  const byKeyA = new Map(resultsA.map((r) => [conversationKey(r), r]));
  const conversations: ConversationComparison[] = [];
  const seen = new Set<string>();
  for (const rb of resultsB) {
    const key = conversationKey(rb);
    seen.add(key);
    conversations.push(compareConversation(byKeyA.get(key), rb, volatile));
  }
  for (const ra of resultsA) if (!seen.has(conversationKey(ra))) conversations.push(compareConversation(ra, undefined, volatile));
  const summary: ComparisonSummary = { conversations: conversations.length, equal: 0, different: 0, turns: 0, differentTurns: 0 };
  for (const c of conversations) {
    if (c.equal) summary.equal++;
    else summary.different++;
    summary.turns += c.turns;
    summary.differentTurns += c.differing.length;
  }
  return { a, b, conversations, summary };
}

function compareConversation(ra: ConversationResult | undefined, rb: ConversationResult | undefined, volatile: VolatileMap): ConversationComparison {
  const some = (rb ?? ra) as ConversationResult;
  const base = { file: some.file, name: some.name, run: some.run };
  if (!ra || !rb) {
    return { ...base, equal: false, turns: some.transcript.length, differing: [], missing: ra ? 'b' : 'a' };
  }
  const ta = ra.transcript;
  const tb = rb.transcript;
  const turns = Math.max(ta.length, tb.length);
  const differing: TurnDifference[] = [];
  for (let i = 0; i < turns; i++) {
    const x = ta[i];
    const y = tb[i];
    const line = (y ?? x)?.line;
    const ignore = volatile.paths(some.file, line);
    const differences =
      x && y ? compareAnswers(x.answer, y.answer, ignore) : [{ field: 'turn', a: x ? 'answered' : 'no answer', b: y ? 'answered' : 'no answer' }];
    // a different input (a `${NAME}` saved from a different answer) is a difference of its own
    if (x && y && (x.kind !== y.kind || (x.input ?? '') !== (y.input ?? ''))) differences.unshift({ field: 'sent', a: sent(x), b: sent(y) });
    if (differences.length) {
      differing.push({ turn: i + 1, line: line ?? 0, sent: sent((y ?? x) as TranscriptTurn), a: x?.answer ?? null, b: y?.answer ?? null, differences });
    }
  }
  const ea = ra.error ? describeError(ra.error) : undefined;
  const eb = rb.error ? describeError(rb.error) : undefined;
  const errorsDiffer = ea !== eb;
  return {
    ...base,
    equal: differing.length === 0 && !errorsDiffer,
    turns,
    differing,
    ...(errorsDiffer ? { errors: { ...(ea ? { a: ea } : {}), ...(eb ? { b: eb } : {}) } } : {}),
  };
}

function describeError(e: { message: string; code?: string }): string {
  return e.code ? `${e.code}: ${e.message}` : e.message;
}

function sent(t: TranscriptTurn): string {
  if (t.kind === 'begin') return 'greeting';
  if (t.kind === 'silence') return 'silence';
  return `${t.kind} ${t.input ?? ''}`;
}

/** The fields of two answers that differ, leaving out the volatile ones. */
export function compareAnswers(a: BotTurn, b: BotTurn, volatile: readonly VolatilePath[]): FieldDifference[] {
  const out: FieldDifference[] = [];
  const skip = new Set(volatile);
  if (!skip.has('text') && (a.TextResponse ?? '') !== (b.TextResponse ?? '')) out.push({ field: 'text', a: a.TextResponse, b: b.TextResponse });
  if (!skip.has('action') && (a.Action ?? '') !== (b.Action ?? '')) out.push({ field: 'action', a: a.Action, b: b.Action });
  if (!skip.has('params')) {
    const paramPaths = volatile.filter((v) => v.startsWith('params.')).map((v) => v.slice('params.'.length).split('.'));
    const pa = withoutPaths(parsedParams(a), paramPaths);
    const pb = withoutPaths(parsedParams(b), paramPaths);
    if (!sameJson(pa, pb)) {
      // objects on both sides: name the keys that differ; otherwise the whole value
      if (isRecord(pa) && isRecord(pb)) {
        for (const k of [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort()) {
          if (!sameJson(pa[k], pb[k])) out.push({ field: `params.${k}`, a: pa[k], b: pb[k] });
        }
      } else out.push({ field: 'params', a: pa, b: pb });
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A copy of parsed ActionParams without the values at these paths (`[['ticket'], ['a', 'b']]`). */
function withoutPaths(v: unknown, paths: string[][]): unknown {
  if (!paths.length || !isRecord(v)) return v;
  const copy = structuredClone(v) as Record<string, unknown>;
  for (const path of paths) {
    let at: unknown = copy;
    for (const [i, key] of path.entries()) {
      if (!isRecord(at)) break;
      if (i === path.length - 1) delete at[key];
      else at = at[key];
    }
  }
  return copy;
}

/** Equal as JSON values, whatever the order of object keys; a number and its text are the same (ActionParams arrive as JSON text). */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isRecord(a) || isRecord(b)) {
    if (!isRecord(a) || !isRecord(b)) return false;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameJson(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}
