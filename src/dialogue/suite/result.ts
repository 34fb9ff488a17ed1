import type { BotTurn } from '../../api/bot-turn.js';
import type { Mismatch } from './expectations.js';
import type { StepKind } from './format.js';

/** What a run of one conversation yields: the data every reporter and `vn dialogue merge` read. */

/**
 * How a conversation ended. `flaky`: it failed and then passed on a retry (--retries), which
 * counts as passed; `updated`: every failing expectation was rewritten by --update.
 */
export type Outcome = 'passed' | 'flaky' | 'failed' | 'errored' | 'timedOut' | 'updated';
export const OUTCOMES: readonly Outcome[] = ['passed', 'flaky', 'failed', 'errored', 'timedOut', 'updated'];
/** Outcomes that make the run exit 1. */
export const NOT_PASSED: ReadonlySet<Outcome> = new Set(['failed', 'errored', 'timedOut']);

/** A turn whose answer missed an expectation. */
export interface FailedTurn {
  /** 1-based line of the step in its file. */
  line: number;
  /** What was sent, e.g. `say 我想查余额`. */
  sent: string;
  answer: BotTurn;
  latencyMs: number;
  mismatches: Mismatch[];
  /** The conversation's context after the turn, when an expectation asked for it (`context:`, `intent:`). */
  context?: Record<string, unknown>;
}

/** One request of a conversation and its answer, for the transcript. */
export interface TranscriptTurn {
  line: number;
  kind: Exclude<StepKind, 'end'>;
  /** The utterance or digits, after `${NAME}` substitution. */
  input?: string;
  answer: BotTurn;
  latencyMs: number;
  /** Whether the answer met its expectations. */
  ok: boolean;
  /** The conversation's context after the turn, read only when an expectation asked for it (`context:`, `intent:`). */
  context?: Record<string, unknown>;
  /** What the turn expected of the intent and the action: what the `intents` report counts. */
  expect?: { intent?: string; action?: string };
}

export interface ConversationError {
  message: string;
  code?: string;
  requestId?: string;
  step?: string;
  line?: number;
}

/** One attempt at a conversation that did not pass (kept when a retry followed). */
export interface Attempt {
  conversationId: string;
  outcome: Outcome;
  durationMs: number;
  turns: number;
  failures: FailedTurn[];
  error?: ConversationError;
  transcript: TranscriptTurn[];
}

export interface ConversationResult {
  file: string;
  name: string;
  tags?: string[];
  /** 1-based run of this conversation (with --repeat). */
  run: number;
  conversationId: string;
  outcome: Outcome;
  durationMs: number;
  turns: number;
  failures: FailedTurn[];
  /** Transport, service or timeout error that stopped the conversation. */
  error?: ConversationError;
  /** Every request and answer of the last attempt. */
  transcript: TranscriptTurn[];
  /** Earlier attempts that did not pass (--retries), first first. */
  retries?: Attempt[];
}
