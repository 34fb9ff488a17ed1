import type { BotTurn } from '../../api/bot-turn.js';
import { DEFAULT_TIMEOUT_S } from '../../defaults.js';
import type { Answer, Assertion } from './assertions/assertion.js';
import { ASSERTIONS, assertionOf, EXPECTATION_KEYS, type Expectation } from './assertions/index.js';
import { VARIABLE_PATTERN } from './format.js';

export { isSubset } from './assertions/params.js';

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
 * Checks one answer against its expectations, key by key in the table's order (assertions/);
 * `previous` is the bot's previous answer. The patterns (textMatches, save) run with
 * `patternLimitMs` as their time limit (regex-limit.ts); one that does not finish throws RegexTimeout.
 * `context` is the conversation's context after the turn, read only when an expectation needs it
 * (`needsContext`).
 */
export function checkTurn(
  expect: Expectation,
  turn: BotTurn,
  latencyMs: number,
  previous: BotTurn | undefined,
  patternLimitMs = DEFAULT_PATTERN_LIMIT_MS,
  context?: Record<string, unknown>,
): TurnCheck {
  const raw = turn.TextResponse as unknown;
  // the service sends a string; anything else is compared as its JSON
  const text = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw);
  const mismatches: Mismatch[] = [];
  const captures: Record<string, string> = {};
  const answer: Answer = { turn, text, latencyMs, previous, context, patternLimitMs, capture: (name, value) => void (captures[name] = value) };
  for (const key of EXPECTATION_KEYS) {
    const expected = expect[key];
    if (expected === undefined) continue;
    const misses = (ASSERTIONS[key] as Assertion<unknown>).check(expected, answer) ?? [];
    for (const m of misses) mismatches.push({ key, expected: 'expected' in m ? m.expected : expected, actual: m.actual });
  }
  return { mismatches, captures };
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
 * Whether --update can rewrite a mismatch from the answer: a key whose assertion has an `update`
 * (latency and save patterns are not properties of the answer), written on the turn itself (a
 * file default is never rewritten from one turn), and not shared by the cases of utterance variants.
 */
export function isUpdatableMismatch(step: { index: number; bot?: Expectation; shared?: boolean }, m: Mismatch): boolean {
  return step.index >= 0 && step.shared !== true && assertionOf(m.key)?.update !== undefined && step.bot?.[m.key] !== undefined;
}
