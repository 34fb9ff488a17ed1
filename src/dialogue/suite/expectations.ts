import { type BotTurn, parsedParams } from '../../api/turn.js';
import { DEFAULT_TIMEOUT_S } from '../../defaults.js';
import { type Expectation, VARIABLE_PATTERN } from './format.js';
import { execLimited } from './regex-limit.js';

/** The patterns' time limit when none is given: the default per-turn timeout. */
const DEFAULT_PATTERN_LIMIT_MS = DEFAULT_TIMEOUT_S * 1000;

/** One expectation that the answer did not meet. */
export interface Mismatch {
  key: keyof Expectation;
  expected: unknown;
  actual: unknown;
}

export interface TurnCheck {
  mismatches: Mismatch[];
  /** Variables captured by `save`. */
  captures: Record<string, string>;
}

/** Turn-level expectations win over file defaults, key by key. */
export function withDefaults(defaults: Expectation, bot: Expectation | undefined): Expectation {
  return { ...defaults, ...(bot ?? {}) };
}

/**
 * Checks one answer against its expectations; `previous` is the bot's previous answer. The
 * patterns (textMatches, save) run with `patternLimitMs` as their time limit (regex-limit.ts);
 * one that does not finish throws RegexTimeout.
 */
export function checkTurn(
  expect: Expectation,
  turn: BotTurn,
  latencyMs: number,
  previous: BotTurn | undefined,
  patternLimitMs = DEFAULT_PATTERN_LIMIT_MS,
): TurnCheck {
  const raw = turn.TextResponse as unknown;
  // the service sends a string; anything else is compared as its JSON
  const text = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw);
  const mismatches: Mismatch[] = [];
  const captures: Record<string, string> = {};
  const miss = (key: keyof Expectation, actual: unknown) => mismatches.push({ key, expected: expect[key], actual });
  if (expect.text !== undefined && !alternatives(expect.text).some((t) => text.includes(t))) miss('text', text);
  if (expect.textMatches !== undefined && !execLimited(expect.textMatches, text, patternLimitMs).matched) miss('textMatches', text);
  if (expect.notText !== undefined && alternatives(expect.notText).some((t) => text.includes(t))) miss('notText', text);
  if (expect.action !== undefined && (turn.Action ?? '') !== expect.action) miss('action', turn.Action ?? '');
  if (expect.params !== undefined) {
    const actual = parsedParams(turn) ?? {};
    if (!isSubset(expect.params, actual)) miss('params', actual);
  }
  if (expect.interruptible !== undefined && Boolean(turn.Interruptible) !== expect.interruptible) miss('interruptible', Boolean(turn.Interruptible));
  if (expect.sameAsPrevious !== undefined) {
    const same = previous !== undefined && sameAnswer(previous, turn);
    if (same !== expect.sameAsPrevious) miss('sameAsPrevious', previous ? { previous: summary(previous), now: summary(turn) } : 'no previous answer');
  }
  if (expect.maxLatencyMs !== undefined && latencyMs > expect.maxLatencyMs) miss('maxLatencyMs', latencyMs);
  for (const [name, source] of Object.entries(expect.save ?? {})) {
    const m = execLimited(source, text, patternLimitMs);
    if (m.group === undefined) mismatches.push({ key: 'save', expected: { [name]: source }, actual: text });
    else captures[name] = m.group;
  }
  return { mismatches, captures };
}

function alternatives(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

/** Every key of `expected` is in `actual` with an equal value (objects compared as subsets too). */
export function isSubset(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected as Record<string, unknown>).every(([k, v]) => isSubset(v, (actual as Record<string, unknown>)[k]));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((v, i) => isSubset(v, actual[i]));
  }
  // ActionParams values arrive as JSON, so `skillGroupId: 12` and "12" are the same target
  if (typeof expected === 'number' && typeof actual === 'string') return String(expected) === actual;
  return expected === actual;
}

function sameAnswer(a: BotTurn, b: BotTurn): boolean {
  return (
    (a.TextResponse ?? '') === (b.TextResponse ?? '') &&
    (a.Action ?? '') === (b.Action ?? '') &&
    JSON.stringify(parsedParams(a) ?? null) === JSON.stringify(parsedParams(b) ?? null)
  );
}

function summary(t: BotTurn): Record<string, unknown> {
  const params = parsedParams(t);
  return { text: t.TextResponse ?? '', action: t.Action ?? '', ...(params === undefined ? {} : { params }) };
}

/** Replaces `${NAME}` with captured values; throws when a name was never captured (its save failed). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(VARIABLE_PATTERN, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new MissingVariable(name);
    return v;
  });
}

export function substituteDeep(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return substitute(value, vars);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, vars)]));
  return value;
}

export class MissingVariable extends Error {
  constructor(readonly variable: string) {
    super(`\${${variable}} has no value: the step that should have saved it did not match`);
  }
}

/**
 * Whether --update can rewrite a mismatch from the answer: a key of the answer written on the
 * turn itself (a file default is never rewritten from one turn; latency and save patterns are not
 * properties of the answer).
 */
export function isUpdatableMismatch(step: { index: number; bot?: Expectation }, m: Mismatch): boolean {
  return step.index >= 0 && m.key !== 'maxLatencyMs' && m.key !== 'save' && step.bot?.[m.key] !== undefined;
}
