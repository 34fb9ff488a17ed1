import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { ServiceError } from '../../src/errors.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';

const T = (iso: string) => Date.parse(iso);
const MIN = 60_000;

let emu: TestEmulator;
let client: Client;
const clock = T('2026-11-25T10:30:00Z');
let instanceId: string;

interface Seed {
  id: string;
  begin: number;
  ended?: boolean;
  debug?: boolean;
  sandbox?: boolean;
  calling?: string;
  transferred?: boolean;
  skill?: string;
  endReason?: number;
  /** Bot rules after the greeting; each except silence answers one caller turn. */
  rules: string[];
}

/** Inserts a conversation and its turns the way the dialogue engine records them. */
function seed(s: Seed): void {
  const db = emu.state.db;
  const userTurns = s.rules.filter((r) => !r.startsWith('silence')).length;
  const effective = s.rules.filter((r) => r === 'knowledge' || r === 'dtmf').length;
  db.prepare(
    `INSERT INTO conversations (instance_id, conversation_id, debug, sandbox, calling_number, called_number, begin_time, end_time, status,
       transferred_to_agent, skill_group_id, user_utterance_count, effective_answer_count, end_reason)
     VALUES (?, ?, ?, ?, ?, '95555', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    instanceId,
    s.id,
    s.debug ? 1 : 0,
    s.sandbox ? 1 : 0,
    s.calling ?? '13800000000',
    s.begin,
    s.ended === false ? null : s.begin + 5 * MIN,
    s.ended === false ? 'active' : 'ended',
    s.transferred ? 1 : 0,
    s.skill ?? '',
    userTurns,
    effective,
    s.endReason ?? null,
  );
  const turn = db.prepare(
    `INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, action, action_params, rule, create_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let seq = 0;
  let t = s.begin;
  turn.run(instanceId, s.id, ++seq, 'Chatbot', '您好，欢迎致电', 'Broadcast', '{}', 'greeting', t);
  for (const rule of s.rules) {
    if (!rule.startsWith('silence')) turn.run(instanceId, s.id, ++seq, 'Customer', `问题${seq}`, null, null, null, (t += 1000));
    turn.run(instanceId, s.id, ++seq, 'Chatbot', `回答${seq}`, 'Broadcast', '{}', rule, (t += 1000));
  }
}

async function call(action: ActionName, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await client.call(action, params)).data;
}

async function callError(action: ActionName, params: Record<string, unknown>): Promise<ServiceError> {
  const err = await client.call(action, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

beforeAll(async () => {
  emu = await startTestEmulator({ now: () => clock });
  client = new Client({
    endpoint: emu.url,
    credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret },
    now: () => new Date(clock),
    retries: 0,
    validate: false,
  });
  instanceId = String((await call('CreateInstance', { Name: 'stats-test', Concurrency: 3 })).InstanceId);
  // 2026-11-25, hour 09: c1 resolved (3 user turns, 2 hits, 2 valid); c2 transferred (2 user turns, 0 hits)
  seed({ id: 'c1', begin: T('2026-11-25T09:10:00Z'), calling: '13900001111', rules: ['knowledge', 'knowledge', 'unrecognized'] });
  seed({
    id: 'c2',
    begin: T('2026-11-25T09:40:00Z'),
    calling: '13900002222',
    transferred: true,
    skill: 'fallbackSkillGroup',
    endReason: 7,
    rules: ['unrecognized', 'unrecognized-final'],
  });
  // hour 10: c3 still active (2 user turns: a menu hit and an echo; a silence is not a user turn)
  seed({ id: 'c3', begin: T('2026-11-25T10:05:00Z'), ended: false, calling: '02811111111', rules: ['dtmf', 'dtmf-echo', 'silence'] });
  // a debug conversation in hour 09 and an active one: never in live statistics or live lists
  seed({ id: 'd1', begin: T('2026-11-25T09:20:00Z'), debug: true, sandbox: true, rules: ['knowledge'] });
  seed({ id: 'd2', begin: T('2026-11-25T10:10:00Z'), debug: true, ended: false, rules: [] });
  // the day before, 23:30
  seed({ id: 'c4', begin: T('2026-11-24T23:30:00Z'), calling: '13900004444', rules: ['knowledge', 'repeat'] });
});

afterAll(async () => {
  await emu?.stop();
});

describe('DescribeStatisticalData', () => {
  it('reports each hour of the range with the seed-formatted rates, live traffic only', async () => {
    const d = await call('DescribeStatisticalData', {
      InstanceId: instanceId,
      TimeUnit: 'Hour',
      BeginTimeLeftRange: T('2026-11-25T09:00:00Z'),
      BeginTimeRightRange: T('2026-11-25T10:59:59.999Z'),
    });
    expect(d.StatisticalDataReports).toEqual([
      {
        StatisticalDate: '09:00:00',
        TotalConversationNum: 2,
        ResolvedQuestionNum: 1,
        KnowledgeHitRate: '40.00%',
        ValidAnswerRate: '40.00%',
        ResolutionRate: '50.00%',
        DialoguePassRate: '50.00%',
      },
      {
        StatisticalDate: '10:00:00',
        TotalConversationNum: 1,
        ResolvedQuestionNum: 1,
        KnowledgeHitRate: '50.00%',
        ValidAnswerRate: '100.00%',
        ResolutionRate: '100.00%',
        DialoguePassRate: '100.00%',
      },
    ]);
    expect(d).toMatchObject({
      ConversationTotalNum: 3,
      ResolvedQuestionTotalNum: 2,
      TotalKnowledgeHitRate: '42.86%',
      TotalValidAnswerRate: '57.14%',
      TotalResolutionRate: '66.67%',
      TotalDialoguePassRate: '66.67%',
    });
  });

  it('buckets by UTC day, and accepts the unit in any case', async () => {
    for (const unit of ['Day', 'day', 'DAY']) {
      const d = await call('DescribeStatisticalData', {
        InstanceId: instanceId,
        TimeUnit: unit,
        BeginTimeLeftRange: T('2026-11-24T00:00:00Z'),
        BeginTimeRightRange: T('2026-11-25T23:59:59Z'),
      });
      const reports = d.StatisticalDataReports as Record<string, unknown>[];
      expect(reports.map((r) => [r.StatisticalDate, r.TotalConversationNum, r.KnowledgeHitRate])).toEqual([
        ['2026-11-24', 1, '50.00%'],
        ['2026-11-25', 3, '42.86%'],
      ]);
      expect(d.ConversationTotalNum).toBe(4);
      expect(d.TotalKnowledgeHitRate).toBe('44.44%');
    }
  });

  it('names hours with their date when the range spans days, and reports empty hours as 0.00%', async () => {
    const d = await call('DescribeStatisticalData', {
      InstanceId: instanceId,
      TimeUnit: 'hour',
      BeginTimeLeftRange: T('2026-11-24T22:00:00Z'),
      BeginTimeRightRange: T('2026-11-25T01:00:00Z'),
    });
    const reports = d.StatisticalDataReports as Record<string, unknown>[];
    expect(reports.map((r) => r.StatisticalDate)).toEqual(['2026-11-24 22:00:00', '2026-11-24 23:00:00', '2026-11-25 00:00:00', '2026-11-25 01:00:00']);
    expect(reports[0]).toMatchObject({
      TotalConversationNum: 0,
      KnowledgeHitRate: '0.00%',
      ValidAnswerRate: '0.00%',
      ResolutionRate: '0.00%',
      DialoguePassRate: '0.00%',
    });
    expect(reports[1]).toMatchObject({ TotalConversationNum: 1, ResolvedQuestionNum: 1, ValidAnswerRate: '100.00%' });
  });

  it('defaults to today so far for Hour and the last seven days for Day', async () => {
    const hours = await call('DescribeStatisticalData', { InstanceId: instanceId, TimeUnit: 'Hour' });
    const labels = (hours.StatisticalDataReports as Record<string, unknown>[]).map((r) => r.StatisticalDate);
    expect(labels).toHaveLength(11);
    expect(labels[0]).toBe('00:00:00');
    expect(labels[10]).toBe('10:00:00');
    expect(hours.ConversationTotalNum).toBe(3);
    const days = await call('DescribeStatisticalData', { InstanceId: instanceId, TimeUnit: 'Day' });
    const dayLabels = (days.StatisticalDataReports as Record<string, unknown>[]).map((r) => r.StatisticalDate);
    expect(dayLabels).toEqual(['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25']);
  });

  it('answers an instance without conversations with zero rates', async () => {
    const other = String((await call('CreateInstance', { Name: 'stats-empty', Concurrency: 1 })).InstanceId);
    const d = await call('DescribeStatisticalData', { InstanceId: other, TimeUnit: 'Day' });
    expect(d).toMatchObject({
      ConversationTotalNum: 0,
      ResolvedQuestionTotalNum: 0,
      TotalKnowledgeHitRate: '0.00%',
      TotalValidAnswerRate: '0.00%',
      TotalResolutionRate: '0.00%',
      TotalDialoguePassRate: '0.00%',
    });
  });

  it('refuses a bad TimeUnit, a reversed range and an unknown instance', async () => {
    for (const unit of ['Week', 'Day/Hour', '']) {
      const e = await callError('DescribeStatisticalData', { InstanceId: instanceId, TimeUnit: unit });
      expect([e.code, e.httpStatus]).toEqual(['InvalidParameter', 400]);
    }
    const reversed = await callError('DescribeStatisticalData', {
      InstanceId: instanceId,
      TimeUnit: 'Hour',
      BeginTimeLeftRange: T('2026-11-25T10:00:00Z'),
      BeginTimeRightRange: T('2026-11-25T09:00:00Z'),
    });
    expect(reversed.code).toBe('InvalidParameter');
    expect(reversed.message).toContain('BeginTimeLeftRange');
    const tooLong = await callError('DescribeStatisticalData', {
      InstanceId: instanceId,
      TimeUnit: 'Hour',
      BeginTimeLeftRange: T('2025-01-01T00:00:00Z'),
      BeginTimeRightRange: T('2026-11-25T09:00:00Z'),
    });
    expect(tooLong.code).toBe('InvalidParameter');
    const unknown = await callError('DescribeStatisticalData', { InstanceId: 'no-such-instance', TimeUnit: 'Day' });
    expect([unknown.code, unknown.httpStatus]).toEqual(['InvalidInstanceId.NotFound', 404]);
  });
});

describe('GetRealTimeConcurrency', () => {
  it('counts active live conversations against the instance Concurrency', async () => {
    const d = await call('GetRealTimeConcurrency', { InstanceId: instanceId });
    expect(d).toMatchObject({ RealTimeConcurrency: 1, MaxConcurrency: 3, Timestamp: clock });
  });
});

describe('ListConversations', () => {
  it('pages like the service: full page, last partial page, empty page past the end', async () => {
    const page = (n: number) => call('ListConversations', { InstanceId: instanceId, PageNumber: n, PageSize: 3 });
    const [p1, p2, p3] = [await page(1), await page(2), await page(3)];
    expect((p1.Conversations as Record<string, unknown>[]).map((c) => c.ConversationId)).toEqual(['c3', 'c2', 'c1']);
    expect(p1).toMatchObject({ PageNumber: 1, PageSize: 3, TotalCount: 4 });
    expect((p2.Conversations as Record<string, unknown>[]).map((c) => c.ConversationId)).toEqual(['c4']);
    expect(p2).toMatchObject({ PageNumber: 2, PageSize: 3, TotalCount: 4 });
    expect(p3).toMatchObject({ PageNumber: 3, PageSize: 3, TotalCount: 4, Conversations: [] });
  });

  it('gives each item both the seed and the SDK fields', async () => {
    const d = await call('ListConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 10, CallingNumber: '2222' });
    expect(d.Conversations).toEqual([
      {
        ConversationId: 'c2',
        CallingNumber: '13900002222',
        BeginTime: T('2026-11-25T09:40:00Z'),
        EndTime: T('2026-11-25T09:45:00Z'),
        TransferredToAgent: true,
        SkillGroupId: 'fallbackSkillGroup',
        UserUtteranceCount: 2,
        EffectiveAnswerCount: 0,
        StartTime: T('2026-11-25T09:40:00Z'),
        SkillGroup: 'fallbackSkillGroup',
        HasToAgent: true,
        Rounds: 2,
        CalledNumber: '95555',
        EndReason: 7,
        SandBox: false,
        HasLastPlaybackCompleted: true,
        AbTestName: '',
        DsReport: '',
        DsReportTitles: [],
      },
    ]);
    const active = await call('ListConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 10, CallingNumber: '0281' });
    const item = (active.Conversations as Record<string, unknown>[])[0];
    expect(item?.ConversationId).toBe('c3');
    expect(item).not.toHaveProperty('EndTime');
  });

  it('filters by debug flag, sandbox, time range, rounds, result and free text', async () => {
    const ids = async (extra: Record<string, unknown>) =>
      ((await call('ListConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 50, ...extra })).Conversations as Record<string, unknown>[]).map(
        (c) => c.ConversationId,
      );
    expect(await ids({ DebugConversation: 1 })).toEqual(['d2', 'd1']);
    expect(await ids({ DebugConversation: 0 })).toEqual(['c3', 'c2', 'c1', 'c4']);
    expect(await ids({ DebugConversation: 1, IsSandBox: 'true' })).toEqual(['d1']);
    expect(await ids({ BeginTimeLeftRange: T('2026-11-25T09:10:00Z'), BeginTimeRightRange: T('2026-11-25T09:40:00Z') })).toEqual(['c2', 'c1']);
    expect(await ids({ RoundsLeftRange: 3 })).toEqual(['c1']);
    expect(await ids({ RoundsLeftRange: 2, RoundsRightRange: 2 })).toEqual(['c3', 'c2', 'c4']);
    expect(await ids({ Result: 7 })).toEqual(['c2']);
    expect(await ids({ Result: 0 })).toHaveLength(4);
    expect(await ids({ Query: 'c4' })).toEqual(['c4']);
    expect(await ids({ AbTestId: 'ab-1' })).toEqual([]);
    const bad = await callError('ListConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 10, DebugConversation: 2 });
    expect(bad.code).toBe('InvalidParameter');
  });

  it('reads * in CallingNumber as one masked digit, like the SDK example 138106*****', async () => {
    const ids = async (calling: string) =>
      (
        (await call('ListConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 10, CallingNumber: calling })).Conversations as Record<
          string,
          unknown
        >[]
      ).map((c) => c.ConversationId);
    expect(await ids('139000*1111')).toEqual(['c1']);
    expect(await ids('1390000****')).toEqual(['c2', 'c1', 'c4']);
    expect(await ids('139000011111*')).toEqual([]);
  });

  it('escapes LIKE wildcards in the number filter', async () => {
    const d = await call('ListConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 10, CallingNumber: '%' });
    expect(d.TotalCount).toBe(0);
  });
});

describe('QueryConversations', () => {
  it('returns the seed item shape for live traffic only', async () => {
    const d = await call('QueryConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 2 });
    expect(d).toMatchObject({ PageNumber: 1, PageSize: 2, TotalCount: 4 });
    const items = d.Conversations as Record<string, unknown>[];
    expect(items.map((c) => c.ConversationId)).toEqual(['c3', 'c2']);
    expect(Object.keys(items[1] ?? {}).sort()).toEqual(
      ['BeginTime', 'CallingNumber', 'ConversationId', 'EffectiveAnswerCount', 'EndTime', 'SkillGroupId', 'TransferredToAgent', 'UserUtteranceCount'].sort(),
    );
    const past = await call('QueryConversations', { InstanceId: instanceId, PageNumber: 5, PageSize: 2 });
    expect(past).toMatchObject({ PageNumber: 5, TotalCount: 4, Conversations: [] });
    const filtered = await call('QueryConversations', {
      InstanceId: instanceId,
      PageNumber: 1,
      PageSize: 10,
      CallingNumber: '139',
      BeginTimeLeftRange: T('2026-11-25T00:00:00Z'),
    });
    expect((filtered.Conversations as Record<string, unknown>[]).map((c) => c.ConversationId)).toEqual(['c2', 'c1']);
  });

  it('refuses a PageSize over 100', async () => {
    const e = await callError('QueryConversations', { InstanceId: instanceId, PageNumber: 1, PageSize: 101 });
    expect(e.code).toBe('InvalidParameter');
  });
});

describe('DescribeConversation and ListConversationDetails', () => {
  it('describes a conversation with epoch-ms times', async () => {
    const d = await call('DescribeConversation', { InstanceId: instanceId, ConversationId: 'c1' });
    expect(d).toMatchObject({
      ConversationId: 'c1',
      CallingNumber: '13900001111',
      BeginTime: T('2026-11-25T09:10:00Z'),
      EndTime: T('2026-11-25T09:15:00Z'),
      TransferredToAgent: false,
      SkillGroupId: '',
      UserUtteranceCount: 3,
      EffectiveAnswerCount: 2,
    });
    // a debug conversation can be looked up by its id too
    expect((await call('DescribeConversation', { InstanceId: instanceId, ConversationId: 'd1' })).ConversationId).toBe('d1');
  });

  it('lists the turns in sequence order', async () => {
    // a turn written out of order still comes back in its place
    emu.state.db
      .prepare(
        `INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, action, action_params, rule, create_time)
         VALUES (?, 'c4', 0, 'Chatbot', '提示', 'Broadcast', NULL, NULL, ?)`,
      )
      .run(instanceId, T('2026-11-24T23:29:59Z'));
    const d = await call('ListConversationDetails', { InstanceId: instanceId, ConversationId: 'c4' });
    const turns = d.ConversationDetails as Record<string, unknown>[];
    expect(turns.map((t) => t.SequenceId)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(turns[0]).toEqual({
      ConversationId: 'c4',
      SequenceId: '0',
      Speaker: 'Chatbot',
      Utterance: '提示',
      Action: 'Broadcast',
      ActionParams: '',
      CreateTime: T('2026-11-24T23:29:59Z'),
    });
    expect(turns[2]).toMatchObject({ Speaker: 'Customer', Utterance: '问题2', Action: '', CreateTime: T('2026-11-24T23:30:01Z') });
  });

  it('answers an unknown conversation or instance with the NotFound codes', async () => {
    for (const action of ['DescribeConversation', 'ListConversationDetails'] as const) {
      const e = await callError(action, { InstanceId: instanceId, ConversationId: 'nope' });
      expect([e.code, e.httpStatus]).toEqual(['InvalidConversationId.NotFound', 404]);
      const i = await callError(action, { InstanceId: 'nope', ConversationId: 'c1' });
      expect(i.code).toBe('InvalidInstanceId.NotFound');
    }
  });
});

describe('with conversations from the dialogue engine', () => {
  it('counts a live conversation and keeps a debug one out of the statistics', async () => {
    const live = await startTestEmulator();
    try {
      const c = new Client({ endpoint: live.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
      const id = String((await c.call('CreateInstance', { Name: 'engine-stats', Concurrency: 2 })).data.InstanceId);
      // an explicit range: the default one (today so far) would miss a call begun just before midnight UTC
      const since = Date.now() - 60_000;
      await c.call('BeginDialogue', { InstanceId: id, ConversationId: 'live-1', CallingNumber: '13700000001' });
      await c.call('Dialogue', { InstanceId: id, ConversationId: 'live-1', Utterance: '我想查余额' });
      await c.call('DebugBeginDialogue', { InstanceId: id, ConversationId: 'debug-1', CallingNumber: '13700000002' });
      await c.call('DebugDialogue', { InstanceId: id, ConversationId: 'debug-1', Utterance: '我想查余额' });

      expect((await c.call('GetRealTimeConcurrency', { InstanceId: id })).data).toMatchObject({ RealTimeConcurrency: 1, MaxConcurrency: 2 });
      const stats = (await c.call('DescribeStatisticalData', { InstanceId: id, TimeUnit: 'Hour', BeginTimeLeftRange: since })).data;
      expect(stats).toMatchObject({ ConversationTotalNum: 1, TotalKnowledgeHitRate: '100.00%', TotalValidAnswerRate: '100.00%' });

      const turns = (await c.call('ListConversationDetails', { InstanceId: id, ConversationId: 'live-1' })).data.ConversationDetails as Record<
        string,
        unknown
      >[];
      expect(turns.map((t) => t.Speaker)).toEqual(['Chatbot', 'Customer', 'Chatbot']);
      expect(turns[1]?.Utterance).toBe('我想查余额');

      await c.call('EndDialogue', { InstanceId: id, ConversationId: 'live-1' });
      expect((await c.call('GetRealTimeConcurrency', { InstanceId: id })).data.RealTimeConcurrency).toBe(0);
      const conv = (await c.call('DescribeConversation', { InstanceId: id, ConversationId: 'live-1' })).data;
      expect(conv).toMatchObject({ CallingNumber: '13700000001', UserUtteranceCount: 1, EffectiveAnswerCount: 1, TransferredToAgent: false });
      expect(conv.EndTime as number).toBeGreaterThanOrEqual(conv.BeginTime as number);
    } finally {
      await live.stop();
    }
  });
});
