import { notFound } from '../errors.js';
import { type ConversationSearch, computeStatistics, conversationSearch, parseTimeUnit, statisticsRange } from '../statistics.js';
import type { ConversationRow } from '../store/index.js';
import { getInstance } from './instance.js';
import type { ActionContext, HandlerTable, ItemOf } from './types.js';

/** The statistics and conversation actions; the arithmetic lives in emulator/statistics.ts, the queries in the store. */

/** The seed's conversation item (QueryConversations, DescribeConversation); EndTime only once ended. */
function seedItem(r: ConversationRow): ItemOf<'QueryConversations', 'Conversations'> {
  return {
    ConversationId: r.conversation_id,
    CallingNumber: r.calling_number,
    BeginTime: r.begin_time,
    ...(r.end_time !== null ? { EndTime: r.end_time } : {}),
    TransferredToAgent: r.transferred_to_agent !== 0,
    SkillGroupId: r.skill_group_id,
    UserUtteranceCount: r.user_utterance_count,
    EffectiveAnswerCount: r.effective_answer_count,
  };
}

/**
 * ListConversations items carry the seed's fields and the SDK's (see the spec's discrepancies):
 * StartTime = BeginTime, SkillGroup = SkillGroupId, HasToAgent = TransferredToAgent,
 * Rounds = UserUtteranceCount.
 */
function listItem(r: ConversationRow): ItemOf<'ListConversations', 'Conversations'> {
  const ended = r.end_time !== null;
  return {
    ...seedItem(r),
    StartTime: r.begin_time,
    SkillGroup: r.skill_group_id,
    HasToAgent: r.transferred_to_agent !== 0,
    Rounds: r.user_utterance_count,
    CalledNumber: r.called_number,
    ...(r.end_reason !== null ? { EndReason: r.end_reason } : {}),
    SandBox: r.sandbox !== 0,
    // no audio is played, so the last prompt of an ended call always counts as fully played
    HasLastPlaybackCompleted: ended,
    AbTestName: '',
    DsReport: '',
    DsReportTitles: [],
  };
}

function getConversation(ctx: ActionContext<'InstanceId' | 'ConversationId'>): ConversationRow {
  const instanceId = ctx.params.req('InstanceId');
  getInstance(ctx, instanceId);
  const id = ctx.params.req('ConversationId');
  const row = ctx.store.conversations.find(instanceId, id);
  if (!row) throw notFound.conversation(id);
  return row;
}

/** One page of an instance's conversations that match a search, each shown by `item`. */
function pagedConversations<T>(
  ctx: ActionContext<'InstanceId' | 'PageNumber' | 'PageSize'>,
  search: ConversationSearch,
  item: (r: ConversationRow) => T,
): { PageNumber: number; PageSize: number; TotalCount: number; Conversations: T[] } {
  const instanceId = ctx.params.req('InstanceId');
  getInstance(ctx, instanceId);
  const { pageNumber, pageSize, offset } = ctx.params.page(10);
  const total = ctx.store.conversations.count(instanceId, search);
  const rows = ctx.store.conversations.search(instanceId, search, { limit: pageSize, offset });
  return { PageNumber: pageNumber, PageSize: pageSize, TotalCount: total, Conversations: rows.map(item) };
}

export const handlers = {
  DescribeStatisticalData(ctx) {
    const instanceId = ctx.params.req('InstanceId');
    getInstance(ctx, instanceId);
    const unit = parseTimeUnit(ctx.params.req('TimeUnit'));
    const { from, to } = statisticsRange(ctx.params, unit, ctx.now);
    return { ...computeStatistics(ctx.store, instanceId, unit, from, to) };
  },

  GetRealTimeConcurrency(ctx) {
    const instance = getInstance(ctx, ctx.params.req('InstanceId'));
    return { RealTimeConcurrency: ctx.store.conversations.activeLive(instance.instance_id), MaxConcurrency: instance.concurrency, Timestamp: ctx.now };
  },

  // seed: 12.1 QueryConversations has no DebugConversation: it lists live traffic only
  QueryConversations: (ctx) =>
    pagedConversations(
      ctx,
      {
        debug: 0,
        callingNumber: ctx.params.str('CallingNumber'),
        beginFrom: ctx.params.int('BeginTimeLeftRange'),
        beginTo: ctx.params.int('BeginTimeRightRange'),
      },
      seedItem,
    ),

  ListConversations: (ctx) =>
    pagedConversations(ctx, { ...conversationSearch(ctx.params), sandbox: ctx.params.str('IsSandBox'), query: ctx.params.str('Query') }, listItem),

  // seed: 12.8 — the samples give ISO strings, the table and the SDK Long: epoch ms here
  DescribeConversation: (ctx) => seedItem(getConversation(ctx)),

  ListConversationDetails(ctx) {
    const c = getConversation(ctx);
    // seed: 12.2 — CreateTime is Long (epoch ms) per the table and the SDK, not the sample's string
    return {
      ConversationDetails: ctx.store.conversations.turns(c.instance_id, c.conversation_id).map((t) => ({
        ConversationId: t.conversation_id,
        SequenceId: String(t.sequence),
        Speaker: t.speaker,
        Utterance: t.utterance,
        Action: t.action ?? '',
        ActionParams: t.action_params ?? '',
        CreateTime: t.create_time,
      })),
    };
  },
} satisfies Partial<HandlerTable>;
