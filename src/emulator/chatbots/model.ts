import type { BOT_ACTIONS } from '../../api/bot-actions.js';

/**
 * The chatbot model of the emulator: what a bot knows (intents, a DTMF menu) and the catalog of the
 * bots one emulator serves. The rules are documented in docs/emulator.md ("## Chatbots").
 */

/** Actions an intent or a DTMF entry may carry (the navigator's action vocabulary). */
export type BotAction = (typeof BOT_ACTIONS)[number];

export interface Intent {
  name: string;
  /** Example utterances; matching compares the caller's utterance with each of them. */
  examples: string[];
  answer: string;
  action: BotAction;
  /** Stringified JSON object ("{}" when none). */
  params: string;
}

export interface DtmfEntry {
  digits: string;
  answer: string;
  action: BotAction;
  params: string;
}

export interface Chatbot {
  id: string;
  name: string;
  introduction: string;
  languageCode: string;
  timeZone: string;
  avatar: string;
  /** Epoch ms, as ListChatbotInstances reports it. */
  createTime: number;
  /** Lowest similarity score that counts as a match (0..1). */
  threshold: number;
  intents: Intent[];
  dtmf: DtmfEntry[];
}

export interface ChatbotCatalog {
  /** Where the bots came from: the file path, or "built-in". */
  source: string;
  bots: Chatbot[];
}

export const DEFAULT_MATCH_THRESHOLD = 0.5;

/**
 * A chatbot file that cannot be used: every problem found, one line each (`file:line:col: …` when
 * the place is known); the message holds them joined by newlines.
 */
export class ChatbotFileError extends Error {
  readonly lines: readonly string[];
  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === 'string' ? [problems] : problems;
    super(lines.join('\n'));
    this.lines = lines;
  }
}
