import action from './action.js';
import type { Assertion } from './assertion.js';
import context from './context.js';
import intent from './intent.js';
import interruptible from './interruptible.js';
import maxLatencyMs from './max-latency-ms.js';
import notText from './not-text.js';
import params from './params.js';
import sameAsPrevious from './same-as-previous.js';
import save from './save.js';
import text from './text.js';
import textMatches from './text-matches.js';

/**
 * The expectations a test file's `bot` can hold, one line each, in the order they are checked and
 * reported. A new kind is its file beside this one (assertion.ts says what it exports) and one line
 * here: the parser, the checker, the reports, `--update`, `/save`, the `Expectation` type and the
 * JSON Schema (`npm run gen:schema`) read this table.
 */
export const ASSERTIONS = {
  text,
  textMatches,
  notText,
  action,
  params,
  context,
  intent,
  interruptible,
  sameAsPrevious,
  maxLatencyMs,
  save,
} as const;

type Table = typeof ASSERTIONS;
export type AssertionKey = keyof Table;

/** What a bot turn is checked against. Every key is optional; an empty object checks nothing. */
export type Expectation = { -readonly [K in AssertionKey]?: Table[K] extends Assertion<infer T> ? T : never };

export const EXPECTATION_KEYS = Object.keys(ASSERTIONS) as AssertionKey[];
/** Expectations that make sense on every turn of a file (a file's `defaults`). */
export const DEFAULT_KEYS = EXPECTATION_KEYS.filter((k) => ASSERTIONS[k].inDefaults === true);

/** Whether an expectation needs the conversation's context after the turn (one DescribeConversationContext). */
export function needsContext(e: Expectation): boolean {
  return EXPECTATION_KEYS.some((k) => e[k] !== undefined && (ASSERTIONS[k] as Assertion<unknown>).needsContext === true);
}

/** The assertion of a key read from outside (a report, a shard): undefined for a key vn does not know. */
export function assertionOf(key: string): Assertion<unknown> | undefined {
  return Object.hasOwn(ASSERTIONS, key) ? (ASSERTIONS[key as AssertionKey] as Assertion<unknown>) : undefined;
}
