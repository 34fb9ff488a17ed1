import type { BotTurn } from '../../../api/bot-turn.js';

type YNode = import('yaml').Node;

/**
 * One kind of expectation a test file's `bot` (and perhaps `defaults`) can hold, in one file of
 * this folder: its JSON Schema fragment, how it is read from the YAML, how an answer is checked
 * against it, how a miss is shown, and what `--update` and `/save` write from an answer. The table
 * of them is index.ts; the parser, the checker, the reporters, `--update`, `/save` and the JSON
 * Schema (scripts/gen-schema.mjs) all loop over it.
 */
export interface Assertion<T> {
  /** The JSON Schema of the value (a fragment of schema/dialogue-test.schema.json). */
  schema: Record<string, unknown>;
  /** Allowed in the file's `defaults` too (it makes sense on every turn). */
  inDefaults?: boolean;
  /**
   * Checks the conversation's context after the turn: the runner asks DescribeConversationContext
   * after a turn only when one of its expectations says this (and never otherwise).
   */
  needsContext?: boolean;
  /** The value from its YAML node, or undefined after reporting the problem at its node. */
  parse(node: YNode | null, p: ParseHelpers): T | undefined;
  /** What the answer missed (nothing: it met the expectation). */
  check(expected: T, answer: Answer): Miss[] | undefined;
  /** A miss in words, for the terminal report; `expected` and `actual` come from a report and may be anything. */
  describe(expected: unknown, actual: unknown): { expected: string; actual?: string };
  /** `--update`: rewrites the value written on the turn from the answer. Absent: not a property of the answer. */
  update?(u: UpdateEdit): void;
  /** `/save` and `--as-test`: the value that the answer meets, or undefined to leave the key out. Absent: never recorded. */
  record?(answer: BotTurn): T | undefined;
  /**
   * A value as written in a file, with an answer that meets it and one that misses it: the
   * registry's test (test/dialogue/registries.test.ts) runs every assertion through the schema,
   * the parser, the checker, the report, `--update` and `/save` with it.
   */
  example: { yaml: string; meets: ExampleAnswer; misses: ExampleAnswer };
}

/** An answer of an example: the bot's turn, and optionally its latency, the answer before it and the context after it. */
export interface ExampleAnswer {
  turn: BotTurn;
  latencyMs?: number;
  previous?: BotTurn;
  context?: Record<string, unknown>;
}

/** One expectation not met: what the answer had, and (when not the whole expectation) what was expected. */
export interface Miss {
  actual: unknown;
  expected?: unknown;
}

/** The answer being checked, as every assertion sees it. */
export interface Answer {
  turn: BotTurn;
  /** TextResponse as text (a value of another type as its JSON). */
  text: string;
  latencyMs: number;
  /** The bot's previous answer in this conversation. */
  previous: BotTurn | undefined;
  /**
   * The conversation's context after the turn (DescribeConversationContext), read only when an
   * expectation of the turn needs it (`needsContext`); undefined otherwise.
   */
  context: Record<string, unknown> | undefined;
  /** The time limit of a pattern (regex-limit.ts). */
  patternLimitMs: number;
  /** Keeps a variable for `${NAME}` in later steps. */
  capture(name: string, value: string): void;
}

/** What the test-file parser lends an assertion: its issue list (file:line:col) and its readers. */
export interface ParseHelpers {
  yaml: typeof import('yaml');
  doc: import('yaml').Document | undefined;
  issue(node: YNode | null | undefined, message: string): void;
  /** Text, or an issue naming `key`. */
  str(node: YNode | null, key: string): string | undefined;
  /** Text or a non-empty list of texts. */
  strOrList(node: YNode | null, key: string): string | string[] | undefined;
  /** Whether `source` compiles as a regular expression (else an issue naming `key`). */
  regex(node: YNode | null, source: string, key: string): boolean;
  /** The variables saved by earlier steps of this conversation (`save` adds to it). */
  saved: Set<string>;
}

/** `--update`'s edits of one turn's `bot` mapping: value by value, every other byte kept. */
export interface UpdateEdit {
  answer: BotTurn;
  /** The context after the turn, when it was read (`needsContext`). */
  context?: Record<string, unknown>;
  /** The key being rewritten, and its value as written on the turn. */
  key: string;
  written: unknown;
  /** Whether the turn's `bot` has this key. */
  has(key: string): boolean;
  /** Whether this key also missed on the turn (and so is rewritten by its own assertion). */
  missed(key: string): boolean;
  setValue(key: string, value: unknown): void;
  removePair(key: string): void;
  /** Writes `value` under `to` where `from` stood. */
  replaceKey(from: string, to: string, value: unknown): void;
}

/** An assertion, typed by its value. */
export function assertion<T>(a: Assertion<T>): Assertion<T> {
  return a;
}

/** A value as the reports quote it; a list of alternatives as `"a" or "b"`. */
export function show(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => JSON.stringify(x)).join(' or ');
  return JSON.stringify(v);
}

/** A text, or any of a list. */
export function alternatives(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

/** The JSON Schema of `text` and `notText`: a text or a non-empty list of texts. */
export const TEXTS_SCHEMA = {
  oneOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
};

/**
 * A pattern's key (`textMatches`, `notText`) rewritten from the answer: the answer's text replaces
 * it, under `text` where it stood (or in the `text` already there).
 */
export function replaceWithText(u: UpdateEdit): void {
  const text = u.answer.TextResponse ?? '';
  if (u.has('text')) {
    if (!u.missed('text')) u.setValue('text', text);
    u.removePair(u.key);
  } else u.replaceKey(u.key, 'text', text);
}
