import { ENDING_ACTIONS } from '../api/bot-actions.js';
import { matchDtmf, matchIntent, matchNormalized, normalize } from './chatbots/match.js';
import type { Chatbot } from './chatbots/model.js';
import { defaultNavigationConfig } from './defaults.js';

/**
 * The dialogue rules, pure: (navigation config, chatbot, state, input) → the bot's answer and the
 * next state. No database, no clock. The rules are documented in docs/emulator.md
 * ("## Dialogue rules"); keep the two in step.
 */

/** Which rule produced a bot turn (stored in conversation_turns.rule; statistics read it). */
export type Rule =
  | 'greeting'
  | 'knowledge'
  | 'dtmf'
  | 'dtmf-echo'
  | 'unrecognized'
  | 'unrecognized-final'
  | 'silence'
  | 'silence-final'
  | 'repeat'
  | 'negative-feedback'
  | 'complaining';

/** A bot answer, as every dialogue action returns it. */
export interface BotAnswer {
  TextResponse: string;
  Action: string;
  ActionParams: string;
  Interruptible: boolean;
}

export type UserInput = { kind: 'utterance'; text: string } | { kind: 'digits'; digits: string } | { kind: 'silence' };

export interface EngineState {
  /** InitialContext merged with every AdditionalContext so far. */
  context: Record<string, unknown>;
  /** Consecutive unrecognized utterances. */
  unrecognizedCount: number;
  /** Consecutive silence timeouts. */
  silenceCount: number;
  /** The last bot answer ended with the asking-back prompt. */
  askedBack: boolean;
  last?: BotAnswer;
  lastRule?: Rule;
  lastIntent?: string;
}

export interface EngineReply {
  answer: BotAnswer;
  rule: Rule;
  state: EngineState;
  /** The action ends the call (transfer, redirect, hang-up). */
  ends: boolean;
  /** The bot answered something (knowledge or a DTMF menu entry): counts as an effective answer. */
  effective: boolean;
}

/** The navigation config with every field read defensively (stored values may be strings). */
export interface NavigationRules {
  greeting: { words: string; intentTrigger: string; sourceType: string };
  unrecognizing: { prompt: string; threshold: number; finalPrompt: string; finalAction: string; finalActionParams: string };
  repeating: { utterances: string[] };
  askingBack: {
    enabled: boolean;
    prompt: string;
    negativeFeedbackEnabled: boolean;
    negativeFeedbackUtterances: string[];
    negativeFeedbackPrompt: string;
    negativeFeedbackAction: string;
    negativeFeedbackActionParams: string;
  };
  silence: {
    prompt: string;
    threshold: number;
    finalPrompt: string;
    finalAction: string;
    finalActionParams: string;
    intentTrigger: string;
    sourceType: string;
  };
  complaining: { utterances: string[]; prompt: string; finalAction: string; finalActionParams: string };
}

/**
 * Reads a stored navigation config (DescribeNavigationConfig's body). A section or field that is
 * missing falls back to the default a new instance starts with.
 */
export function navigationRules(stored: Record<string, unknown>): NavigationRules {
  const defaults = defaultNavigationConfig();
  const section = (name: string): Record<string, unknown> => ({
    ...(defaults[name] as Record<string, unknown>),
    ...(isObject(stored[name]) ? (stored[name] as Record<string, unknown>) : {}),
  });
  const g = section('GreetingConfig');
  const u = section('UnrecognizingConfig');
  const r = section('RepeatingConfig');
  const a = section('AskingBackConfig');
  const s = section('SilenceTimeoutConfig');
  // seed: 10.1 DescribeNavigationConfig — the table names FinalAction/FinalActionParams; the sample's Action/ActionParams are read too
  const storedC = isObject(stored.ComplainingConfig) ? (stored.ComplainingConfig as Record<string, unknown>) : {};
  const c = section('ComplainingConfig');
  if (storedC.FinalAction === undefined && storedC.Action !== undefined) c.FinalAction = storedC.Action;
  if (storedC.FinalActionParams === undefined && storedC.ActionParams !== undefined) c.FinalActionParams = storedC.ActionParams;
  return {
    greeting: { words: str(g.GreetingWords), intentTrigger: str(g.IntentTrigger), sourceType: str(g.SourceType) },
    unrecognizing: {
      prompt: str(u.Prompt),
      threshold: int(u.Threshold, 3),
      finalPrompt: str(u.FinalPrompt),
      finalAction: str(u.FinalAction),
      finalActionParams: paramsText(u.FinalActionParams),
    },
    repeating: { utterances: list(r.Utterances) },
    askingBack: {
      enabled: bool(a.Enabled),
      prompt: str(a.Prompt),
      negativeFeedbackEnabled: bool(a.EnableNegativeFeedback),
      negativeFeedbackUtterances: list(a.NegativeFeedbackUtterances),
      negativeFeedbackPrompt: str(a.NegativeFeedbackPrompt),
      negativeFeedbackAction: str(a.NegativeFeedbackAction),
      negativeFeedbackActionParams: paramsText(a.NegativeFeedbackActionParams),
    },
    silence: {
      prompt: str(s.Prompt),
      threshold: int(s.Threshold, 3),
      finalPrompt: str(s.FinalPrompt),
      finalAction: str(s.FinalAction),
      finalActionParams: paramsText(s.FinalActionParams),
      intentTrigger: str(s.IntentTrigger),
      sourceType: str(s.SourceType),
    },
    complaining: {
      utterances: list(c.Utterances),
      prompt: str(c.Prompt),
      finalAction: str(c.FinalAction),
      finalActionParams: paramsText(c.FinalActionParams),
    },
  };
}

export function initialState(context: Record<string, unknown> = {}): EngineState {
  return { context: { ...context }, unrecognizedCount: 0, silenceCount: 0, askedBack: false };
}

/** The greeting: the chatbot's answer to GreetingConfig.IntentTrigger when one matches, else GreetingWords. */
export function greet(rules: NavigationRules, bot: Chatbot | undefined, context: Record<string, unknown> = {}): EngineReply {
  const triggered = triggerAnswer(bot, rules.greeting.intentTrigger, rules.greeting.sourceType);
  // seed: 11.1 BeginDialogue — the sample greeting is Broadcast, Interruptible false, ActionParams {}
  const answer: BotAnswer = triggered
    ? { ...triggered, Interruptible: false }
    : { TextResponse: rules.greeting.words, Action: 'Broadcast', ActionParams: '{}', Interruptible: false };
  return finish(initialState(context), answer, 'greeting', { effective: false });
}

/** One caller turn (an utterance, collected digits, or a silence timeout) → the bot's answer. */
export function respond(rules: NavigationRules, bot: Chatbot | undefined, state: EngineState, input: UserInput): EngineReply {
  if (input.kind === 'silence') return onSilence(rules, bot, state);
  // any caller input breaks a run of silences
  const s: EngineState = { ...state, silenceCount: 0 };
  if (input.kind === 'digits') return onDigits(bot, s, input.digits);
  return onUtterance(rules, bot, s, input.text);
}

function onUtterance(rules: NavigationRules, bot: Chatbot | undefined, state: EngineState, text: string): EngineReply {
  const u = normalize(text);
  // 1. complaining: the utterance contains one of the complaining phrases
  if (containsAny(u, rules.complaining.utterances)) {
    const c = rules.complaining;
    return finish(resetUnrecognized(state), answerOf(c.prompt, c.finalAction || 'TransferToAgent', c.finalActionParams), 'complaining', { effective: false });
  }
  // 2. repeating: the utterance contains one of the repeating phrases → the last answer, unchanged
  if (state.last && containsAny(u, rules.repeating.utterances)) {
    return { answer: { ...state.last }, rule: 'repeat', state: { ...resetUnrecognized(state), lastRule: 'repeat' }, ends: false, effective: false };
  }
  // 3. negative feedback, only right after the asking-back prompt: equals or starts with a phrase
  const ab = rules.askingBack;
  if (state.askedBack && ab.negativeFeedbackEnabled && startsWithAny(u, ab.negativeFeedbackUtterances)) {
    return finish(
      resetUnrecognized(state),
      answerOf(ab.negativeFeedbackPrompt, ab.negativeFeedbackAction || 'HangUp', ab.negativeFeedbackActionParams),
      'negative-feedback',
      {
        effective: false,
      },
    );
  }
  // 4. knowledge from the chatbot
  const match = bot ? matchNormalized(bot, u) : undefined;
  if (match) {
    const { intent } = match;
    let answer = answerOf(intent.answer, intent.action, intent.params);
    let askedBack = false;
    if (!ENDING_ACTIONS.has(answer.Action) && ab.enabled && ab.prompt) {
      answer = { ...answer, TextResponse: joinSpoken(answer.TextResponse, ab.prompt) };
      askedBack = true;
    }
    return finish({ ...resetUnrecognized(state), lastIntent: intent.name }, answer, 'knowledge', { effective: true, askedBack });
  }
  // 5. unrecognized: the prompt until the Threshold-th consecutive one, then the final prompt and action
  const un = rules.unrecognizing;
  const count = state.unrecognizedCount + 1;
  if (count >= Math.max(1, un.threshold)) {
    const answer = answerOf(un.finalPrompt, un.finalAction || 'HangUp', un.finalActionParams);
    // a final action that does not end the call starts the count again
    return finish({ ...state, unrecognizedCount: 0 }, answer, 'unrecognized-final', { effective: false });
  }
  return finish({ ...state, unrecognizedCount: count }, answerOf(un.prompt, 'Broadcast', '{}'), 'unrecognized', { effective: false });
}

function onDigits(bot: Chatbot | undefined, state: EngineState, digits: string): EngineReply {
  const entry = bot ? matchDtmf(bot, digits) : undefined;
  if (entry) {
    return finish({ ...resetUnrecognized(state), lastIntent: `dtmf:${entry.digits}` }, answerOf(entry.answer, entry.action, entry.params), 'dtmf', {
      effective: true,
    });
  }
  // seed: 11.3 CollectedNumber — the sample answers "收号内容是123", Broadcast, Interruptible false
  const answer: BotAnswer = { TextResponse: `收号内容是${digits}`, Action: 'Broadcast', ActionParams: '{}', Interruptible: false };
  return finish(state, answer, 'dtmf-echo', { effective: false });
}

function onSilence(rules: NavigationRules, bot: Chatbot | undefined, state: EngineState): EngineReply {
  const si = rules.silence;
  const count = state.silenceCount + 1;
  if (count >= Math.max(1, si.threshold)) {
    const answer = answerOf(si.finalPrompt, si.finalAction || 'HangUp', si.finalActionParams);
    return finish({ ...state, silenceCount: 0 }, answer, 'silence-final', { effective: false });
  }
  const triggered = triggerAnswer(bot, si.intentTrigger, si.sourceType);
  const answer = triggered && !ENDING_ACTIONS.has(triggered.Action) ? triggered : answerOf(si.prompt, 'Broadcast', '{}');
  return finish({ ...state, silenceCount: count }, answer, 'silence', { effective: false });
}

/** An answer with the Interruptible rule: Broadcast can be barged in on; an ending action cannot. */
function answerOf(text: string, action: string, params: string): BotAnswer {
  return { TextResponse: text, Action: action, ActionParams: params || '{}', Interruptible: !ENDING_ACTIONS.has(action) };
}

function finish(state: EngineState, answer: BotAnswer, rule: Rule, opts: { effective: boolean; askedBack?: boolean }): EngineReply {
  return {
    answer,
    rule,
    state: { ...state, last: answer, lastRule: rule, askedBack: opts.askedBack ?? false },
    ends: ENDING_ACTIONS.has(answer.Action),
    effective: opts.effective,
  };
}

function resetUnrecognized(state: EngineState): EngineState {
  return { ...state, unrecognizedCount: 0 };
}

/** IntentTrigger with SourceType chatbotIntent: the bot's answer to that text, when it knows one. */
function triggerAnswer(bot: Chatbot | undefined, trigger: string, sourceType: string): BotAnswer | undefined {
  if (!bot || !trigger || (sourceType && sourceType !== 'chatbotIntent')) return undefined;
  const m = matchIntent(bot, trigger);
  return m ? answerOf(m.intent.answer, m.intent.action, m.intent.params) : undefined;
}

function containsAny(normalized: string, phrases: string[]): boolean {
  if (!normalized) return false;
  return normalizedPhrases(phrases).some((n) => normalized.includes(n));
}

function startsWithAny(normalized: string, phrases: string[]): boolean {
  if (!normalized) return false;
  return normalizedPhrases(phrases).some((n) => normalized.startsWith(n));
}

/**
 * A phrase list normalised, without its empty phrases; kept per list, so the cached rules of an
 * instance (actions/dialogue.ts) normalise their phrases once, not on every turn.
 */
const phraseLists = new WeakMap<string[], string[]>();
function normalizedPhrases(phrases: string[]): string[] {
  let out = phraseLists.get(phrases);
  if (!out) {
    out = phrases.map(normalize).filter((n) => n !== '');
    phraseLists.set(phrases, out);
  }
  return out;
}

/** Two spoken sentences in one TextResponse; a space only between Latin-script ones. */
function joinSpoken(a: string, b: string): string {
  return /[A-Za-z0-9.!?,]$/.test(a) && /^[A-Za-z]/.test(b) ? `${a} ${b}` : `${a}${b}`;
}

/** What DescribeConversationContext returns: the caller's context plus what the engine tracks. */
export function contextView(state: EngineState): Record<string, unknown> {
  return {
    ...state.context,
    lastIntent: state.lastIntent ?? '',
    lastRule: state.lastRule ?? '',
    lastAction: state.last?.Action ?? '',
    unrecognizedCount: state.unrecognizedCount,
    silenceCount: state.silenceCount,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function int(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

function bool(v: unknown): boolean {
  return v === true || v === 'true';
}

/** A list field: an array, or a string holding a JSON array (or one phrase). */
function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string' && v.trim()) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      /* a single phrase */
    }
    return [v];
  }
  return [];
}

/** ActionParams as the API carries them: a JSON string ("{}" when empty). */
function paramsText(v: unknown): string {
  if (v === undefined || v === null || v === '') return '{}';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
