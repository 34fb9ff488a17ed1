import {
  type BotAnswer,
  contextView,
  type EngineState,
  greet,
  initialState,
  type NavigationRules,
  navigationRules,
  type Rule,
  respond,
  type UserInput,
} from '../engine.js';
import { notFound, SERVICE_ERRORS, serviceError } from '../errors.js';
import type { ConversationRow, NewTurn } from '../store/index.js';
import { chatbotForAssociation, chatbotForInstance } from './chatbot.js';
import { getInstance } from './instance.js';
import type { ActionContext, HandlerTable } from './types.js';

/**
 * The dialogue actions: conversations live in `conversations` (engine state in state_json) and
 * every turn in `conversation_turns`. The rules themselves are in ../engine.ts; what callers may
 * rely on is documented in docs/emulator.md ("## Dialogue rules").
 */

/** What state_json holds: the engine state plus what EndDialogue was told. */
interface StoredState extends EngineState {
  hangUp?: Record<string, unknown>;
}

// seed: 12.2 ListConversationDetails — "Customer = 客户, Chatbot = 机器人"
export const SPEAKER = { customer: 'Customer', bot: 'Chatbot' } as const;

/** conversations.end_reason: why a conversation ended (ListConversations' EndReason). */
export const END_REASON = { endDialogue: 1, transferToAgent: 2, transferToIvr: 3, redirectToPage: 4, botHangUp: 5 } as const;

const END_REASON_BY_ACTION: Record<string, number> = {
  TransferToAgent: END_REASON.transferToAgent,
  TransferToIVR: END_REASON.transferToIvr,
  RedirectToPage: END_REASON.redirectToPage,
  HangUp: END_REASON.botHangUp,
};

type Env = 'live' | 'debug';

/** InitialContext / AdditionalContext: a JSON object (the model's rule, checked by the gateway). */
function contextParam<N extends string>(ctx: ActionContext<N>, name: N): Record<string, unknown> {
  return ctx.params.json<Record<string, unknown>>(name) ?? {};
}

function rulesOf(ctx: ActionContext, instanceId: string): NavigationRules {
  return rulesFromText(ctx.store.configs.navigation(instanceId));
}

/**
 * The rules of a stored config (`undefined`: no row), parsed once per distinct JSON text. The row
 * is still read on every turn, so a config changed by another process sharing the data file
 * counts at once; only an unchanged text skips the parse (bench/emulator).
 */
const rulesByText = new Map<string | undefined, NavigationRules>();
const RULES_CACHE_LIMIT = 100;
function rulesFromText(configJson: string | undefined): NavigationRules {
  let rules = rulesByText.get(configJson);
  if (!rules) {
    rules = navigationRules(configJson === undefined ? {} : (JSON.parse(configJson) as Record<string, unknown>));
    if (rulesByText.size >= RULES_CACHE_LIMIT) rulesByText.clear();
    rulesByText.set(configJson, rules);
  }
  return rules;
}

/**
 * The navigation config text each instance had at its last turn, so that a turn whose config is
 * unchanged does not read the text out again (store/conversations.ts turnContext compares it in
 * SQL, so a config another process changed still counts at once).
 */
const lastConfigText = new Map<string, string>();

/** The config text of a turn's row: the one known when the store says it is unchanged; undefined when there is none. */
function configTextOf(instanceId: string, row: { config_json: string | null; config_known: number | null }, known: string | undefined): string | undefined {
  if (row.config_known === 1 && known !== undefined) return known;
  const text = row.config_json ?? undefined;
  if (text === undefined) lastConfigText.delete(instanceId);
  else {
    if (lastConfigText.size >= RULES_CACHE_LIMIT) lastConfigText.clear();
    lastConfigText.set(instanceId, text);
  }
  return text;
}

function answerBody(a: BotAnswer): Pick<BotAnswer, 'TextResponse' | 'Action' | 'ActionParams' | 'Interruptible'> {
  return { TextResponse: a.TextResponse, Action: a.Action, ActionParams: a.ActionParams, Interruptible: a.Interruptible };
}

/** A turn of the conversation, as it is recorded. */
function turnRow(
  ctx: ActionContext,
  conv: { instance_id: string; conversation_id: string },
  sequence: number,
  turn: { speaker: string; utterance: string; action: string; params: string; rule: Rule | null },
): NewTurn {
  return {
    instance_id: conv.instance_id,
    conversation_id: conv.conversation_id,
    sequence,
    speaker: turn.speaker,
    utterance: turn.utterance,
    action: turn.action,
    action_params: turn.params,
    rule: turn.rule,
    create_time: ctx.now,
  };
}

function skillGroupOf(params: string): string {
  try {
    const v = JSON.parse(params) as Record<string, unknown> | null;
    const id = v && typeof v === 'object' ? (v.skillGroupId ?? v.SkillGroupId) : undefined;
    return id === undefined || id === null ? '' : String(id);
  } catch {
    return '';
  }
}

type BeginParam = 'InstanceId' | 'ConversationId' | 'CallingNumber' | 'CalledNumber' | 'InitialContext';

/** BeginDialogue and DebugBeginDialogue; `sandbox` is DebugBeginDialogue's ShouldUseSandBox (BeginDialogue has none). */
function begin(ctx: ActionContext<BeginParam>, env: Env, sandbox: () => boolean) {
  const p = ctx.params;
  const instance = getInstance(ctx, p.req('InstanceId'));
  // not blank: the model's rule
  const conversationId = p.req('ConversationId').trim();
  if (ctx.store.conversations.exists(instance.instance_id, conversationId))
    throw serviceError(SERVICE_ERRORS.conversationDuplicated, `The specified ConversationId ${conversationId} already exists.`);
  if (env === 'live') {
    if (instance.status.toLowerCase() === 'disabled') {
      throw serviceError(SERVICE_ERRORS.instanceDisabled, `The instance ${instance.instance_id} is disabled; enable it to take calls.`);
    }
    const n = ctx.store.conversations.activeLive(instance.instance_id);
    if (n >= instance.concurrency) {
      throw serviceError(
        SERVICE_ERRORS.concurrencyLimitExceeded,
        `The instance ${instance.instance_id} already has ${n} active conversations, its Concurrency limit.`,
      );
    }
  }
  const context = contextParam(ctx, 'InitialContext');
  const bot = chatbotForInstance(ctx, instance.instance_id);
  const result = greet(rulesOf(ctx, instance.instance_id), bot, context);
  const conv = { instance_id: instance.instance_id, conversation_id: conversationId };
  ctx.store.conversations.begin({
    ...conv,
    debug: env === 'debug' ? 1 : 0,
    sandbox: sandbox() ? 1 : 0,
    calling_number: p.req('CallingNumber'),
    called_number: p.str('CalledNumber') ?? '',
    begin_time: ctx.now,
    state_json: JSON.stringify(result.state),
    // its greeting, below, is turn 1
    last_sequence: 1,
  });
  const a = result.answer;
  ctx.store.conversations.appendTurn(
    turnRow(ctx, conv, 1, { speaker: SPEAKER.bot, utterance: a.TextResponse, action: a.Action, params: a.ActionParams, rule: result.rule }),
  );
  return answerBody(a);
}

/**
 * The one check of a conversation a request names: its instance exists (else the instance is not
 * found), the conversation exists in it, and, with `env` set, is of that kind (a live action does
 * not see debug conversations, nor a Debug* action live ones).
 */
function checkConversation<R extends { conversation_id: string | null; debug: number | null }>(
  instanceId: string,
  conversationId: string,
  row: R | undefined,
  instanceFound: boolean,
  env: Env | undefined,
): R & { conversation_id: string } {
  if (!instanceFound) throw notFound.instance(instanceId);
  if (!row || row.conversation_id === null || (env !== undefined && (row.debug === 1) !== (env === 'debug'))) throw notFound.conversation(conversationId);
  return row as R & { conversation_id: string };
}

/** The conversation of this instance; `env` set means only a conversation of that kind counts. */
function findConversation(ctx: ActionContext<'InstanceId' | 'ConversationId'>, env: Env | undefined): ConversationRow {
  const instance = getInstance(ctx, ctx.params.req('InstanceId'));
  const id = ctx.params.req('ConversationId');
  return checkConversation(instance.instance_id, id, ctx.store.conversations.find(instance.instance_id, id), true, env);
}

/**
 * One turn of a conversation. `contextName` is the action's context parameter (none for
 * DebugCollectedNumber); `numbers` are the calling and called numbers a Dialogue may carry.
 */
function turn<C extends string>(
  ctx: ActionContext<'InstanceId' | 'ConversationId' | C>,
  env: Env | undefined,
  input: UserInput,
  contextName: C | undefined,
  numbers: { calling?: string; called?: string } = {},
) {
  const instanceId = ctx.params.req('InstanceId');
  const known = lastConfigText.get(instanceId);
  const read = ctx.store.conversations.turnContext(instanceId, ctx.params.str('ConversationId') ?? null, known ?? null);
  // read in one statement (bench/emulator), checked as findConversation checks
  const row = checkConversation(instanceId, ctx.params.req('ConversationId'), read, read !== undefined, env);
  const conv = { instance_id: row.instance_id, conversation_id: row.conversation_id };
  if (row.status !== 'active') {
    throw serviceError(SERVICE_ERRORS.conversationEnded, `The conversation ${conv.conversation_id} has already ended.`);
  }
  const stored = JSON.parse(row.state_json as string) as StoredState;
  const before: StoredState = { ...initialState(), ...stored };
  if (contextName !== undefined) before.context = { ...before.context, ...contextParam(ctx, contextName) };
  const bot = chatbotForAssociation(ctx.state, conv.instance_id, row.associated_chatbot ?? undefined);
  const result = respond(rulesFromText(configTextOf(instanceId, row, known)), bot, before, input);
  const seq = (row.last_sequence ?? 0) + 1;
  const apiAction = ctx.action.name.replace(/^Debug/, '');
  const a = result.answer;
  if (input.kind !== 'silence') {
    // seed: 12.2 ListConversationDetails — a Customer row carries the action the caller sent ("Dialogue")
    // both rows in one statement; ids are given in order, the caller's row first
    ctx.store.conversations.appendTurnPair(
      turnRow(ctx, conv, seq, {
        speaker: SPEAKER.customer,
        utterance: input.kind === 'utterance' ? input.text : input.digits,
        action: apiAction,
        params: (contextName !== undefined && ctx.params.str(contextName)) || '{}',
        rule: null,
      }),
      turnRow(ctx, conv, seq + 1, { speaker: SPEAKER.bot, utterance: a.TextResponse, action: a.Action, params: a.ActionParams, rule: result.rule }),
    );
  } else {
    ctx.store.conversations.appendTurn(
      turnRow(ctx, conv, seq, { speaker: SPEAKER.bot, utterance: a.TextResponse, action: a.Action, params: a.ActionParams, rule: result.rule }),
    );
  }
  const userTurn = input.kind === 'silence' ? 0 : 1;
  // the engine carries unknown keys of the state along, hangUp included
  const next: StoredState = result.state;
  const calling = row.calling_number || numbers.calling || '';
  const called = row.called_number || numbers.called || '';
  ctx.store.conversations.afterTurn(conv.instance_id, conv.conversation_id, {
    stateJson: JSON.stringify(next),
    userTurns: userTurn,
    effective: result.effective ? 1 : 0,
    calling,
    called,
    lastSequence: input.kind === 'silence' ? seq : seq + 1,
    end: result.ends
      ? {
          time: ctx.now,
          reason: END_REASON_BY_ACTION[a.Action] ?? END_REASON.endDialogue,
          transferredToAgent: a.Action === 'TransferToAgent' ? 1 : 0,
          skillGroupId: a.Action === 'TransferToAgent' ? skillGroupOf(a.ActionParams) : '',
        }
      : undefined,
  });
  return answerBody(a);
}

function utterance(ctx: ActionContext<'Utterance'>): UserInput {
  return { kind: 'utterance', text: ctx.params.req('Utterance') };
}

/**
 * The digits a collection gathered. seed: 11.3 CollectedNumber — Number is optional (否): a
 * collection that ends with no digits is one where the caller entered nothing before it timed
 * out, so it takes the no-input path, exactly as SilenceTimeout (docs/emulator.md).
 */
function digits(ctx: ActionContext<'Number'>): UserInput {
  // keypad digits or nothing: the model's rule (spec/constraints.json), checked before dispatch
  const d = ctx.params.str('Number') ?? '';
  return d === '' ? { kind: 'silence' } : { kind: 'digits', digits: d };
}

export const handlers = {
  BeginDialogue: (ctx) => begin(ctx, 'live', () => false),
  DebugBeginDialogue: (ctx) => begin(ctx, 'debug', () => ctx.params.bool('ShouldUseSandBox') === true),
  Dialogue: (ctx) =>
    turn(ctx, 'live', utterance(ctx), 'AdditionalContext', { calling: ctx.params.str('CallingNumber'), called: ctx.params.str('CalledNumber') }),
  DebugDialogue: (ctx) => turn(ctx, 'debug', utterance(ctx), 'AdditionalContext'),
  CollectedNumber: (ctx) => turn(ctx, 'live', digits(ctx), 'AdditionalContext'),
  // DebugCollectedNumber has no AdditionalContext in the catalog
  DebugCollectedNumber: (ctx) => turn(ctx, 'debug', digits(ctx), undefined),
  // seed: 11.4 SilenceTimeout — its context comes as InitialContext; it serves live and debug conversations
  SilenceTimeout: (ctx) => turn(ctx, undefined, { kind: 'silence' }, 'InitialContext'),

  EndDialogue(ctx) {
    const conv = findConversation(ctx, undefined);
    const hangUp = contextParam(ctx, 'HangUpParams');
    const stored = JSON.parse(conv.state_json) as StoredState;
    const withHangUp = Object.keys(hangUp).length ? { ...stored, hangUp } : stored;
    // ending an ended conversation (after a transfer, the gateway still hangs up) keeps its first end
    ctx.store.conversations.end(conv.instance_id, conv.conversation_id, JSON.stringify(withHangUp), ctx.now, END_REASON.endDialogue);
    return {};
  },

  DescribeConversationContext(ctx) {
    const conv = findConversation(ctx, undefined);
    const state: EngineState = { ...initialState(), ...(JSON.parse(conv.state_json) as StoredState) };
    return { ConversationContext: JSON.stringify(contextView(state)) };
  },
} satisfies Partial<HandlerTable>;
