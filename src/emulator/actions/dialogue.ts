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
import { chatbotForAssociation, chatbotForInstance } from './chatbot.js';
import { getInstance } from './instance.js';
import type { ActionContext, HandlerTable } from './types.js';

/**
 * The dialogue actions: conversations live in `conversations` (engine state in state_json) and
 * every turn in `conversation_turns`. The rules themselves are in ../engine.ts; what callers may
 * rely on is documented in docs/emulator.md ("## Dialogue rules").
 */

interface ConversationRow {
  instance_id: string;
  conversation_id: string;
  debug: number;
  calling_number: string;
  called_number: string;
  status: string;
  state_json: string;
}

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
  const row = ctx.db.prepare('SELECT config_json FROM navigation_configs WHERE instance_id = ?').get(instanceId) as { config_json: string } | undefined;
  return rulesFromText(row?.config_json);
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

function answerBody(a: BotAnswer): Pick<BotAnswer, 'TextResponse' | 'Action' | 'ActionParams' | 'Interruptible'> {
  return { TextResponse: a.TextResponse, Action: a.Action, ActionParams: a.ActionParams, Interruptible: a.Interruptible };
}

function recordTurn(
  ctx: ActionContext,
  conv: { instance_id: string; conversation_id: string },
  sequence: number,
  turn: { speaker: string; utterance: string; action: string; params: string; rule: Rule | null },
): void {
  ctx.db
    .prepare(
      `INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, action, action_params, rule, create_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(conv.instance_id, conv.conversation_id, sequence, turn.speaker, turn.utterance, turn.action, turn.params, turn.rule, ctx.now);
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
  const exists = ctx.db.prepare('SELECT 1 FROM conversations WHERE instance_id = ? AND conversation_id = ?').get(instance.instance_id, conversationId);
  if (exists) throw serviceError(SERVICE_ERRORS.conversationDuplicated, `The specified ConversationId ${conversationId} already exists.`);
  if (env === 'live') {
    if (instance.status.toLowerCase() === 'disabled') {
      throw serviceError(SERVICE_ERRORS.instanceDisabled, `The instance ${instance.instance_id} is disabled; enable it to take calls.`);
    }
    const { n } = ctx.db
      .prepare("SELECT count(*) AS n FROM conversations WHERE instance_id = ? AND debug = 0 AND status = 'active'")
      .get(instance.instance_id) as { n: number };
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
  ctx.db
    .prepare(
      `INSERT INTO conversations (instance_id, conversation_id, debug, sandbox, calling_number, called_number, begin_time, status, state_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)`,
    )
    .run(
      conv.instance_id,
      conv.conversation_id,
      env === 'debug' ? 1 : 0,
      sandbox() ? 1 : 0,
      p.req('CallingNumber'),
      p.str('CalledNumber') ?? '',
      ctx.now,
      JSON.stringify(result.state),
    );
  const a = result.answer;
  recordTurn(ctx, conv, 1, { speaker: SPEAKER.bot, utterance: a.TextResponse, action: a.Action, params: a.ActionParams, rule: result.rule });
  return answerBody(a);
}

/** The conversation of this instance; `env` set means only a conversation of that kind counts. */
function findConversation(ctx: ActionContext<'InstanceId' | 'ConversationId'>, env: Env | undefined): ConversationRow {
  const instance = getInstance(ctx, ctx.params.req('InstanceId'));
  const id = ctx.params.req('ConversationId');
  const row = ctx.db.prepare('SELECT * FROM conversations WHERE instance_id = ? AND conversation_id = ?').get(instance.instance_id, id) as
    | ConversationRow
    | undefined;
  // a live action does not see debug conversations, nor a Debug* action live ones
  if (!row || (env !== undefined && (row.debug === 1) !== (env === 'debug'))) throw notFound.conversation(id);
  return row;
}

/** What a turn needs, read in one statement: the conversation (null columns when absent), the instance's chatbot association, navigation config and last turn number. */
interface TurnRow {
  instance_id: string;
  conversation_id: string | null;
  debug: number | null;
  calling_number: string | null;
  called_number: string | null;
  status: string | null;
  state_json: string | null;
  associated_chatbot: string | null;
  config_json: string | null;
  last_sequence: number | null;
}

// one statement instead of five (instance, conversation, association, config, max sequence): bench/emulator
const TURN_SQL = `SELECT i.instance_id AS instance_id, c.conversation_id AS conversation_id, c.debug AS debug, c.calling_number AS calling_number,
    c.called_number AS called_number, c.status AS status, c.state_json AS state_json,
    (SELECT chatbot_instance_id FROM chatbot_associations WHERE instance_id = i.instance_id) AS associated_chatbot,
    (SELECT config_json FROM navigation_configs WHERE instance_id = i.instance_id) AS config_json,
    (SELECT max(sequence) FROM conversation_turns WHERE instance_id = c.instance_id AND conversation_id = c.conversation_id) AS last_sequence
  FROM instances i LEFT JOIN conversations c ON c.instance_id = i.instance_id AND c.conversation_id = ?
  WHERE i.instance_id = ?`;

const TURN_PAIR_SQL = `INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, action, action_params, rule, create_time)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

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
  const row = ctx.db.prepare(TURN_SQL).get(ctx.params.str('ConversationId') ?? null, instanceId) as TurnRow | undefined;
  // the checks of findConversation, in its order
  if (!row) throw notFound.instance(instanceId);
  const id = ctx.params.req('ConversationId');
  if (row.conversation_id === null || (env !== undefined && (row.debug === 1) !== (env === 'debug'))) throw notFound.conversation(id);
  const conv = { instance_id: row.instance_id, conversation_id: row.conversation_id };
  if (row.status !== 'active') {
    throw serviceError(SERVICE_ERRORS.conversationEnded, `The conversation ${conv.conversation_id} has already ended.`);
  }
  const stored = JSON.parse(row.state_json as string) as StoredState;
  const before: StoredState = { ...initialState(), ...stored };
  if (contextName !== undefined) before.context = { ...before.context, ...contextParam(ctx, contextName) };
  const bot = chatbotForAssociation(ctx.state, conv.instance_id, row.associated_chatbot ?? undefined);
  const result = respond(rulesFromText(row.config_json ?? undefined), bot, before, input);
  const seq = (row.last_sequence ?? 0) + 1;
  const apiAction = ctx.action.name.replace(/^Debug/, '');
  const a = result.answer;
  if (input.kind !== 'silence') {
    // seed: 12.2 ListConversationDetails — a Customer row carries the action the caller sent ("Dialogue")
    // both rows in one statement; ids are given in order, the caller's row first
    ctx.db
      .prepare(TURN_PAIR_SQL)
      .run(
        conv.instance_id,
        conv.conversation_id,
        seq,
        SPEAKER.customer,
        input.kind === 'utterance' ? input.text : input.digits,
        apiAction,
        (contextName !== undefined && ctx.params.str(contextName)) || '{}',
        null,
        ctx.now,
        conv.instance_id,
        conv.conversation_id,
        seq + 1,
        SPEAKER.bot,
        a.TextResponse,
        a.Action,
        a.ActionParams,
        result.rule,
        ctx.now,
      );
  } else {
    recordTurn(ctx, conv, seq, { speaker: SPEAKER.bot, utterance: a.TextResponse, action: a.Action, params: a.ActionParams, rule: result.rule });
  }
  const userTurn = input.kind === 'silence' ? 0 : 1;
  // the engine carries unknown keys of the state along, hangUp included
  const next: StoredState = result.state;
  const calling = row.calling_number || numbers.calling || '';
  const called = row.called_number || numbers.called || '';
  if (result.ends) {
    ctx.db
      .prepare(
        `UPDATE conversations SET state_json = ?, user_utterance_count = user_utterance_count + ?, effective_answer_count = effective_answer_count + ?,
           calling_number = ?, called_number = ?, status = 'ended', end_time = ?, end_reason = ?, transferred_to_agent = ?, skill_group_id = ?
         WHERE instance_id = ? AND conversation_id = ?`,
      )
      .run(
        JSON.stringify(next),
        userTurn,
        result.effective ? 1 : 0,
        calling,
        called,
        ctx.now,
        END_REASON_BY_ACTION[a.Action] ?? END_REASON.endDialogue,
        a.Action === 'TransferToAgent' ? 1 : 0,
        a.Action === 'TransferToAgent' ? skillGroupOf(a.ActionParams) : '',
        conv.instance_id,
        conv.conversation_id,
      );
  } else {
    ctx.db
      .prepare(
        `UPDATE conversations SET state_json = ?, user_utterance_count = user_utterance_count + ?, effective_answer_count = effective_answer_count + ?,
           calling_number = ?, called_number = ?
         WHERE instance_id = ? AND conversation_id = ?`,
      )
      .run(JSON.stringify(next), userTurn, result.effective ? 1 : 0, calling, called, conv.instance_id, conv.conversation_id);
  }
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
    ctx.db
      .prepare(
        `UPDATE conversations SET state_json = ?,
           end_time = CASE WHEN status = 'active' THEN ? ELSE end_time END,
           end_reason = CASE WHEN status = 'active' THEN ? ELSE end_reason END,
           status = 'ended'
         WHERE instance_id = ? AND conversation_id = ?`,
      )
      .run(JSON.stringify(withHangUp), ctx.now, END_REASON.endDialogue, conv.instance_id, conv.conversation_id);
    return {};
  },

  DescribeConversationContext(ctx) {
    const conv = findConversation(ctx, undefined);
    const state: EngineState = { ...initialState(), ...(JSON.parse(conv.state_json) as StoredState) };
    return { ConversationContext: JSON.stringify(contextView(state)) };
  },
} satisfies Partial<HandlerTable>;
