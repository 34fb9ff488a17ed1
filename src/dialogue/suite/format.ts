/**
 * The `vn dialogue test` file format, as types and as the key lists the parser and the JSON Schema
 * (schema/dialogue-test.schema.json) both follow; a unit test keeps the two in step.
 */

import type { TurnKind } from '../session.js';

export { type DialogueEnv, ENVS } from '../session.js';

import type { DialogueEnv } from '../session.js';

/** What a bot turn is checked against. Every key is optional; an empty object checks nothing. */
export interface Expectation {
  /** Substring of TextResponse; a list means any of them. */
  text?: string | string[];
  /** Regular expression (JavaScript syntax) that TextResponse must match. */
  textMatches?: string;
  /** Substring(s) TextResponse must not contain. */
  notText?: string | string[];
  action?: string;
  /** A subset of the parsed ActionParams (deep: nested objects are subsets too). */
  params?: Record<string, unknown>;
  interruptible?: boolean;
  /** true: same text, action and params as the previous bot turn; false: different. */
  sameAsPrevious?: boolean;
  maxLatencyMs?: number;
  /** NAME → regex with one capture group, applied to TextResponse; `${NAME}` in later steps. */
  save?: Record<string, string>;
}

export const EXPECTATION_KEYS = ['text', 'textMatches', 'notText', 'action', 'params', 'interruptible', 'sameAsPrevious', 'maxLatencyMs', 'save'] as const;
/** Expectations that make sense on every turn of a file. */
export const DEFAULT_KEYS = ['notText', 'interruptible', 'maxLatencyMs'] as const;

export type StepKind = TurnKind;

/** One step of a conversation: what the caller does, and what the bot must answer. */
export interface Step {
  kind: StepKind;
  /** The utterance (say) or digits (dtmf), before `${NAME}` substitution. */
  input?: string;
  /** AdditionalContext of this turn (InitialContext for silence). */
  context?: Record<string, unknown>;
  bot?: Expectation;
  /** 1-based line of the step in its file. */
  line: number;
  /** Index of the step in the file's `turns` list (for --update). */
  index: number;
}

export const STEP_ACTION_KEYS = ['say', 'dtmf', 'silence', 'end'] as const;
export const STEP_KEYS = [...STEP_ACTION_KEYS, 'bot', 'context'] as const;

export interface Conversation {
  name: string;
  /** The conversation's own tags and its file's. */
  tags: string[];
  context?: Record<string, unknown>;
  callingNumber?: string;
  calledNumber?: string;
  /** The greeting expectation is steps[0] with kind 'begin' (always present; bot may be undefined). */
  steps: Step[];
  line: number;
  /** Index in the file's `conversations` list. */
  index: number;
}

export const CONVERSATION_KEYS = ['name', 'tags', 'context', 'callingNumber', 'calledNumber', 'turns'] as const;

export interface TestFile {
  path: string;
  instance?: string;
  env?: DialogueEnv;
  callingNumber?: string;
  calledNumber?: string;
  tags: string[];
  defaults: Expectation;
  conversations: Conversation[];
}

export const FILE_KEYS = ['$schema', 'instance', 'env', 'callingNumber', 'calledNumber', 'tags', 'defaults', 'conversations'] as const;

/** Used when neither the file nor the conversation names a calling number. */
export const DEFAULT_CALLING_NUMBER = '13800000000';

/** `${NAME}` in say, dtmf and context values. */
export const VARIABLE_PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
