/**
 * The `vn dialogue test` file format, as types and as the key lists the parser and the JSON Schema
 * (schema/dialogue-test.schema.json, made by schema.ts) both follow. The expectations of a `bot`
 * are the table in assertions/.
 */

import type { TurnKind } from '../session.js';

export { type DialogueEnv, ENVS } from '../session.js';

import type { DialogueEnv } from '../session.js';

export { DEFAULT_KEYS, EXPECTATION_KEYS, type Expectation } from './assertions/index.js';

import type { Expectation } from './assertions/index.js';

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
  /**
   * The step belongs to a conversation with utterance variants (`say: { anyOf | file }`): every case
   * of it shares the step's expectations, so --update never rewrites them from one case's answer.
   */
  shared?: boolean;
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
  /** A case of a conversation with utterance variants: the name written in the file (`name` adds the variants said). */
  variantOf?: string;
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
