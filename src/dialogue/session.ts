import { randomUUID } from 'node:crypto';
import type { BotTurn } from '../api/bot-turn.js';
import type { ActionName } from '../api/catalog.js';

/** Which bot: the draft through the Debug* actions (for testing), or the published instance. */
export type DialogueEnv = 'debug' | 'live';
export const ENVS: readonly DialogueEnv[] = ['debug', 'live'];

/** What the caller does in one request. */
export type TurnKind = 'begin' | 'say' | 'dtmf' | 'silence' | 'end';

/**
 * The wire action behind each kind of turn, per environment — the one place that knows that
 * `say` is DebugDialogue on the draft and Dialogue on the published bot. SilenceTimeout and
 * EndDialogue have no Debug* variant (seed 11.x).
 */
export const ENV_ACTIONS: Record<DialogueEnv, Record<TurnKind, ActionName>> = {
  debug: { begin: 'DebugBeginDialogue', say: 'DebugDialogue', dtmf: 'DebugCollectedNumber', silence: 'SilenceTimeout', end: 'EndDialogue' },
  live: { begin: 'BeginDialogue', say: 'Dialogue', dtmf: 'CollectedNumber', silence: 'SilenceTimeout', end: 'EndDialogue' },
};

export function actionFor(env: DialogueEnv, kind: TurnKind): ActionName {
  return ENV_ACTIONS[env][kind];
}

/**
 * The name of the context parameter a turn takes, or undefined when it takes none:
 * BeginDialogue and SilenceTimeout carry InitialContext (seed and SDK agree), Dialogue and
 * CollectedNumber AdditionalContext; DebugCollectedNumber has no context parameter (seed 5.x and SDK).
 */
export function contextParamFor(env: DialogueEnv, kind: TurnKind): 'InitialContext' | 'AdditionalContext' | undefined {
  if (kind === 'begin' || kind === 'silence') return 'InitialContext';
  if (kind === 'say') return 'AdditionalContext';
  if (kind === 'dtmf') return env === 'live' ? 'AdditionalContext' : undefined;
  return undefined;
}

export interface TurnResult {
  turn: BotTurn;
  latencyMs: number;
  requestId?: string;
  /** Every field of the answer besides RequestId (what a real service adds beyond BotTurn is kept). */
  data: Record<string, unknown>;
}

export interface SessionOptions {
  instanceId: string;
  env: DialogueEnv;
  callingNumber: string;
  calledNumber?: string;
}

/** What the session sends through: Client.call, or ctx.call for the single-call commands. */
export type Send = (action: ActionName, params: Record<string, unknown>) => Promise<{ data: unknown; requestId?: string }>;

/**
 * One conversation with the bot: a ConversationId (fresh unless given), one request per turn,
 * with the debug/live action and its context parameter chosen here for chat, the test runner and
 * `vn dialogue begin|say|dtmf|silence|end` alike. Turns go through Client.call, which retries only
 * what cannot have reached the service.
 */
export class DialogueSession {
  readonly conversationId: string;
  ended = false;
  constructor(
    private readonly sendRequest: Send,
    readonly options: SessionOptions,
    conversationId?: string,
  ) {
    this.conversationId = conversationId ?? randomUUID();
  }

  /** Whether a context given to this kind of turn reaches the bot (false: DebugCollectedNumber). */
  takesContext(kind: TurnKind): boolean {
    return contextParamFor(this.options.env, kind) !== undefined;
  }

  /** The action and parameters of one turn, without sending it. */
  request(kind: TurnKind, input?: string, context?: Record<string, unknown>): { action: ActionName; params: Record<string, unknown> } {
    const o = this.options;
    const params: Record<string, unknown> = { InstanceId: o.instanceId, ConversationId: this.conversationId };
    if (kind === 'begin') {
      params.CallingNumber = o.callingNumber;
      if (o.calledNumber) params.CalledNumber = o.calledNumber;
    } else if (kind === 'say') params.Utterance = input ?? '';
    else if (kind === 'dtmf') params.Number = input ?? '';
    const contextParam = contextParamFor(o.env, kind);
    if (context && contextParam) params[contextParam] = JSON.stringify(context);
    return { action: actionFor(o.env, kind), params };
  }

  begin(context?: Record<string, unknown>): Promise<TurnResult> {
    return this.send('begin', undefined, context);
  }

  say(utterance: string, context?: Record<string, unknown>): Promise<TurnResult> {
    return this.send('say', utterance, context);
  }

  dtmf(digits: string, context?: Record<string, unknown>): Promise<TurnResult> {
    return this.send('dtmf', digits, context);
  }

  silence(context?: Record<string, unknown>): Promise<TurnResult> {
    return this.send('silence', undefined, context);
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const { action, params } = this.request('end');
    await this.sendRequest(action, params);
  }

  async send(kind: Exclude<TurnKind, 'end'>, input?: string, context?: Record<string, unknown>): Promise<TurnResult> {
    const { action, params } = this.request(kind, input, context);
    const started = performance.now();
    const res = await this.sendRequest(action, params);
    const latencyMs = performance.now() - started;
    const { RequestId: _id, ...data } = (res.data ?? {}) as Record<string, unknown> & BotTurn;
    const { TextResponse, Action, ActionParams, Interruptible } = data as BotTurn;
    return { turn: { TextResponse, Action, ActionParams, Interruptible }, latencyMs, requestId: res.requestId, data };
  }
}

/** A session that sends through a Client (chat, test runner). */
export function clientSend(client: { call: (action: ActionName, params: Record<string, unknown>) => Promise<{ data: unknown; requestId?: string }> }): Send {
  return (action, params) => client.call(action, params);
}
