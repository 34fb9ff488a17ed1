import { randomUUID } from 'node:crypto';
import type { BotTurn } from '../../api/turn.js';
import type { Client } from '../../client/client.js';
import type { DialogueEnv, StepKind } from './format.js';

/** The wire actions behind each step, per environment (Debug* by default). */
export const ENV_ACTIONS: Record<DialogueEnv, Record<Exclude<StepKind, 'end'>, string> & { end: string }> = {
  debug: { begin: 'DebugBeginDialogue', say: 'DebugDialogue', dtmf: 'DebugCollectedNumber', silence: 'SilenceTimeout', end: 'EndDialogue' },
  live: { begin: 'BeginDialogue', say: 'Dialogue', dtmf: 'CollectedNumber', silence: 'SilenceTimeout', end: 'EndDialogue' },
};

export interface TurnResult {
  turn: BotTurn;
  latencyMs: number;
  requestId?: string;
}

export interface SessionOptions {
  instanceId: string;
  env: DialogueEnv;
  callingNumber: string;
  calledNumber?: string;
}

/**
 * One conversation with the bot: a fresh ConversationId, one request per turn. Turns are sent
 * through Client.call, which retries only what cannot have reached the service.
 */
export class DialogueSession {
  readonly conversationId = randomUUID();
  ended = false;
  constructor(
    private readonly client: Client,
    readonly options: SessionOptions,
  ) {}

  begin(context?: Record<string, unknown>): Promise<TurnResult> {
    const o = this.options;
    return this.send('begin', {
      CallingNumber: o.callingNumber,
      ...(o.calledNumber ? { CalledNumber: o.calledNumber } : {}),
      ...(context ? { InitialContext: JSON.stringify(context) } : {}),
    });
  }

  say(utterance: string, context?: Record<string, unknown>): Promise<TurnResult> {
    return this.send('say', { Utterance: utterance, ...(context ? { AdditionalContext: JSON.stringify(context) } : {}) });
  }

  dtmf(digits: string, context?: Record<string, unknown>): Promise<TurnResult> {
    // DebugCollectedNumber takes no AdditionalContext (seed 5.x and SDK); CollectedNumber does (SDK)
    const withContext = context && this.options.env === 'live';
    return this.send('dtmf', { Number: digits, ...(withContext ? { AdditionalContext: JSON.stringify(context) } : {}) });
  }

  /** SilenceTimeout carries its context as InitialContext (seed and SDK agree). */
  silence(context?: Record<string, unknown>): Promise<TurnResult> {
    return this.send('silence', context ? { InitialContext: JSON.stringify(context) } : {});
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.client.call(ENV_ACTIONS[this.options.env].end, { InstanceId: this.options.instanceId, ConversationId: this.conversationId });
  }

  private async send(kind: Exclude<StepKind, 'end'>, params: Record<string, unknown>): Promise<TurnResult> {
    const started = performance.now();
    const res = await this.client.call<BotTurn & { RequestId?: string }>(ENV_ACTIONS[this.options.env][kind], {
      InstanceId: this.options.instanceId,
      ConversationId: this.conversationId,
      ...params,
    });
    const latencyMs = performance.now() - started;
    const { TextResponse, Action, ActionParams, Interruptible } = res.data;
    return { turn: { TextResponse, Action, ActionParams, Interruptible }, latencyMs, requestId: res.requestId };
  }
}
