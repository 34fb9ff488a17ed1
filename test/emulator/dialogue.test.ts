import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { DEMO_CHATBOT_ID } from '../../src/emulator/chatbots/demo.js';
import type { ConversationRow } from '../../src/emulator/store/index.js';
import { ServiceError } from '../../src/errors.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { tempDir } from '../helpers/run.js';

interface Answer {
  TextResponse: string;
  Action: string;
  ActionParams: string;
  Interruptible: boolean;
}

interface TurnRow {
  sequence: number;
  speaker: string;
  utterance: string;
  action: string;
  action_params: string;
  rule: string | null;
  create_time: number;
}

const files = tempDir('vn-dialogue-');
let clock = Date.parse('2026-11-25T08:00:00Z');
let emu: TestEmulator;

function clientFor(e: TestEmulator): Client {
  return new Client({
    endpoint: e.url,
    credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret },
    retries: 0,
    validate: false,
    now: () => new Date(clock),
  });
}

async function call(e: TestEmulator, action: ActionName, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  clock += 1000;
  return (await clientFor(e).call(action, params)).data;
}

async function errorCode(e: TestEmulator, action: ActionName, params: Record<string, unknown>): Promise<string> {
  try {
    await call(e, action, params);
  } catch (err) {
    if (err instanceof ServiceError) return `${err.httpStatus} ${err.code}`;
    throw err;
  }
  throw new Error(`${action} succeeded; an error was expected`);
}

async function createInstance(e: TestEmulator, concurrency = 5): Promise<string> {
  return (await call(e, 'CreateInstance', { Name: `inst-${randomUUID().slice(0, 8)}`, Concurrency: concurrency })).InstanceId as string;
}

/** The four answer fields (without RequestId), so answers compare with each other. */
function answer(data: Record<string, unknown>): Answer {
  const { TextResponse, Action, ActionParams, Interruptible } = data as unknown as Answer;
  return { TextResponse, Action, ActionParams, Interruptible };
}

/** A conversation on one instance: begin, then turns; every answer is returned typed. */
function conversation(e: TestEmulator, instanceId: string, env: 'debug' | 'live', id = randomUUID()) {
  const d = env === 'debug' ? 'Debug' : '';
  const base = { InstanceId: instanceId, ConversationId: id };
  return {
    id,
    begin: async (extra: Record<string, unknown> = {}) => answer(await call(e, `${d}BeginDialogue`, { ...base, CallingNumber: '13800000000', ...extra })),
    say: async (utterance: string, extra: Record<string, unknown> = {}) => answer(await call(e, `${d}Dialogue`, { ...base, Utterance: utterance, ...extra })),
    dtmf: async (digits: string) => answer(await call(e, `${d}CollectedNumber`, { ...base, Number: digits })),
    silence: async () => answer(await call(e, 'SilenceTimeout', base)),
    end: async (extra: Record<string, unknown> = {}) => call(e, 'EndDialogue', { ...base, ...extra }),
    context: async () => JSON.parse((await call(e, 'DescribeConversationContext', base)).ConversationContext as string) as Record<string, unknown>,
    row: () => e.state.db.prepare('SELECT * FROM conversations WHERE instance_id = ? AND conversation_id = ?').get(instanceId, id) as ConversationRow,
    turns: () =>
      e.state.db.prepare('SELECT * FROM conversation_turns WHERE instance_id = ? AND conversation_id = ? ORDER BY sequence').all(instanceId, id) as TurnRow[],
  };
}

function setConfig(e: TestEmulator, instanceId: string, section: string, patch: Record<string, unknown>): void {
  const row = e.state.db.prepare('SELECT config_json FROM navigation_configs WHERE instance_id = ?').get(instanceId) as { config_json: string };
  const cfg = JSON.parse(row.config_json) as Record<string, Record<string, unknown>>;
  cfg[section] = { ...cfg[section], ...patch };
  e.state.db.prepare('UPDATE navigation_configs SET config_json = ? WHERE instance_id = ?').run(JSON.stringify(cfg), instanceId);
}

beforeAll(async () => {
  emu = await startTestEmulator({ now: () => clock });
});

afterAll(async () => {
  await emu.stop();
  files.cleanup();
});

describe('the demo bot on a new instance (what the conversation tests rely on)', () => {
  it('greets, answers, repeats, routes DTMF, prompts on silence and transfers a complaint — all recorded', async () => {
    const instanceId = await createInstance(emu);
    const c = conversation(emu, instanceId, 'debug');
    const greeting = await c.begin({ CalledNumber: '95555', InitialContext: '{"vip":true}' });
    expect(greeting).toMatchObject({ Action: 'Broadcast', ActionParams: '{}', Interruptible: false });
    expect(greeting.TextResponse).toContain('欢迎');

    const balance = await c.say('我想查余额');
    expect(balance.Action).toBe('Broadcast');
    expect(balance.TextResponse).toMatch(/余额|账户/);
    expect(balance.Interruptible).toBe(true);

    const again = await c.say('再说一遍');
    expect(again).toEqual(balance);

    const menu = await c.dtmf('1');
    expect(menu.TextResponse.startsWith('您选择了')).toBe(true);

    const quiet = await c.silence();
    expect(quiet).toEqual({ TextResponse: '抱歉，我没听到您说话', Action: 'Broadcast', ActionParams: '{}', Interruptible: true });

    const complaint = await c.say('我要投诉');
    expect(complaint.Action).toBe('TransferToAgent');
    expect(JSON.parse(complaint.ActionParams)).toEqual({ skillGroupId: 'fallbackSkillGroup' });
    expect(complaint.Interruptible).toBe(false);

    const row = c.row();
    expect(row).toMatchObject({
      debug: 1,
      calling_number: '13800000000',
      called_number: '95555',
      status: 'ended',
      transferred_to_agent: 1,
      skill_group_id: 'fallbackSkillGroup',
      // 我想查余额, 再说一遍, DTMF 1, 我要投诉 (a silence is not an utterance)
      user_utterance_count: 4,
      // the knowledge answer and the DTMF entry
      effective_answer_count: 2,
      end_reason: 2,
    });
    expect(row.end_time).toBe(clock);
    expect(row.begin_time).toBeLessThan(row.end_time!);

    const turns = c.turns();
    expect(turns.map((t) => t.sequence)).toEqual(turns.map((_, i) => i + 1));
    expect(turns.map((t) => [t.speaker, t.rule])).toEqual([
      ['Chatbot', 'greeting'],
      ['Customer', null],
      ['Chatbot', 'knowledge'],
      ['Customer', null],
      ['Chatbot', 'repeat'],
      ['Customer', null],
      ['Chatbot', 'dtmf'],
      ['Chatbot', 'silence'],
      ['Customer', null],
      ['Chatbot', 'complaining'],
    ]);
    expect(turns[1]).toMatchObject({ utterance: '我想查余额', action: 'Dialogue' });
    expect(turns[5]).toMatchObject({ utterance: '1', action: 'CollectedNumber' });
    expect(turns[9]).toMatchObject({
      utterance: '好的，即将为您转接人工处理',
      action: 'TransferToAgent',
      action_params: '{"skillGroupId":"fallbackSkillGroup"}',
    });
    expect(turns[2]!.create_time).toBeLessThan(turns[9]!.create_time);

    // a transferred conversation takes no more turns; the gateway's EndDialogue still succeeds and keeps the first end
    expect(await errorCode(emu, 'DebugDialogue', { InstanceId: instanceId, ConversationId: c.id, Utterance: '你好' })).toBe(
      '400 OperationDenied.ConversationEnded',
    );
    const endTime = c.row().end_time;
    await c.end();
    expect(c.row()).toMatchObject({ status: 'ended', end_time: endTime, end_reason: 2 });
  });
});

describe('live conversations', () => {
  let instanceId: string;
  beforeAll(async () => {
    instanceId = await createInstance(emu, 2);
  });

  it('unrecognized: the prompt twice, then the final prompt and transfer on the third in a row', async () => {
    const c = conversation(emu, instanceId, 'live');
    await c.begin();
    const answers = [await c.say('今天天气怎么样'), await c.say('我想办信用卡'), await c.say('你们银行在哪里')];
    expect(answers.map((a) => a.TextResponse)).toEqual([
      '抱歉，我无法理解您的意思',
      '抱歉，我无法理解您的意思',
      '抱歉，我暂时无法处理您的问题，即将为您转接人工',
    ]);
    expect(answers[2]).toMatchObject({ Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"fallbackSkillGroup"}', Interruptible: false });
    expect(c.row()).toMatchObject({ debug: 0, status: 'ended', transferred_to_agent: 1, user_utterance_count: 3, effective_answer_count: 0 });
  });

  it('follows a changed Threshold and final action from the stored navigation config', async () => {
    const other = await createInstance(emu);
    setConfig(emu, other, 'UnrecognizingConfig', { Threshold: 1, FinalPrompt: '再见', FinalAction: 'HangUp', FinalActionParams: '{}' });
    const c = conversation(emu, other, 'live');
    await c.begin();
    expect(await c.say('今天天气怎么样')).toEqual({ TextResponse: '再见', Action: 'HangUp', ActionParams: '{}', Interruptible: false });
    expect(c.row()).toMatchObject({ status: 'ended', transferred_to_agent: 0, skill_group_id: '', end_reason: 5 });
  });

  it('a navigation config changed in the data file between two turns (as by another process) counts at the next turn', async () => {
    const other = await createInstance(emu);
    const c = conversation(emu, other, 'live');
    await c.begin();
    expect((await c.say('今天天气怎么样')).TextResponse).toBe('抱歉，我无法理解您的意思');
    setConfig(emu, other, 'UnrecognizingConfig', { Threshold: 1, FinalPrompt: '再见', FinalAction: 'HangUp', FinalActionParams: '{}' });
    expect(await c.say('今天天气怎么样')).toEqual({ TextResponse: '再见', Action: 'HangUp', ActionParams: '{}', Interruptible: false });
    // and back: a second conversation on the old text again follows it
    setConfig(emu, other, 'UnrecognizingConfig', { Threshold: 3, FinalPrompt: '转人工', FinalAction: 'TransferToAgent', FinalActionParams: '{}' });
    const d = conversation(emu, other, 'live');
    await d.begin();
    expect((await d.say('今天天气怎么样')).TextResponse).toBe('抱歉，我无法理解您的意思');
  });

  it('silence: prompts until the threshold, then the final prompt and HangUp', async () => {
    const c = conversation(emu, instanceId, 'live');
    await c.begin();
    const answers = [await c.silence(), await c.silence(), await c.silence()];
    expect(answers.map((a) => a.Action)).toEqual(['Broadcast', 'Broadcast', 'HangUp']);
    expect(answers[2]!.TextResponse).toBe('抱歉，听不到您说话，请您稍后致电');
    expect(c.turns().map((t) => t.rule)).toEqual(['greeting', 'silence', 'silence', 'silence-final']);
    expect(c.row()).toMatchObject({ status: 'ended', user_utterance_count: 0, end_reason: 5 });
  });

  it('negative feedback right after the asking-back prompt', async () => {
    const c = conversation(emu, instanceId, 'live');
    await c.begin();
    const hours = await c.say('营业时间');
    expect(hours.TextResponse.endsWith('请问还有什么可以帮您？')).toBe(true);
    expect(await c.say('没有了')).toEqual({
      TextResponse: '感谢您的来电。请您稍后为我的服务做出评价。',
      Action: 'TransferToIVR',
      ActionParams: '{"route":"satisfaction"}',
      Interruptible: false,
    });
    expect(c.turns().at(-1)!.rule).toBe('negative-feedback');
    expect(c.row()).toMatchObject({ status: 'ended', transferred_to_agent: 0, end_reason: 3 });
  });

  it('CollectedNumber: a menu entry, the echo of other digits, and refused non-digits (no digits at all: fidelity.test.ts)', async () => {
    const c = conversation(emu, instanceId, 'live');
    await c.begin();
    expect(await c.dtmf('6222020200001234#')).toEqual({
      TextResponse: '收号内容是6222020200001234#',
      Action: 'Broadcast',
      ActionParams: '{}',
      Interruptible: false,
    });
    expect((await c.dtmf('3')).TextResponse).toMatch(/^您选择了营业时间查询/);
    expect(await errorCode(emu, 'CollectedNumber', { InstanceId: instanceId, ConversationId: c.id, Number: '12a' })).toBe('400 InvalidParameter');
    expect(c.turns().map((t) => t.rule)).toEqual(['greeting', null, 'dtmf-echo', null, 'dtmf']);
    expect(c.row()).toMatchObject({ user_utterance_count: 2, effective_answer_count: 1, status: 'active' });
    await c.end();
  });

  it('EndDialogue closes the conversation and keeps HangUpParams', async () => {
    const c = conversation(emu, instanceId, 'live');
    await c.begin();
    await c.end({ HangUpParams: '{"hangUpDirection":"client","hasLastPlaybackCompleted":true}' });
    const row = c.row();
    expect(row).toMatchObject({ status: 'ended', end_time: clock, end_reason: 1, transferred_to_agent: 0 });
    expect(JSON.parse(row.state_json).hangUp).toEqual({ hangUpDirection: 'client', hasLastPlaybackCompleted: true });
    expect(await errorCode(emu, 'Dialogue', { InstanceId: instanceId, ConversationId: c.id, Utterance: '你好' })).toBe('400 OperationDenied.ConversationEnded');
    expect(await errorCode(emu, 'SilenceTimeout', { InstanceId: instanceId, ConversationId: c.id })).toBe('400 OperationDenied.ConversationEnded');
  });

  it('DescribeConversationContext: InitialContext merged with each AdditionalContext, plus the engine state', async () => {
    const c = conversation(emu, instanceId, 'live');
    await c.begin({ InitialContext: '{"channelId":"c1","vip":false}' });
    await c.say('我想查余额', { AdditionalContext: '{"vip":true}' });
    await c.say('今天天气怎么样', { AdditionalContext: '{"lang":"zh"}' });
    expect(await c.context()).toEqual({
      channelId: 'c1',
      vip: true,
      lang: 'zh',
      lastIntent: '余额查询',
      lastRule: 'unrecognized',
      lastAction: 'Broadcast',
      unrecognizedCount: 1,
      silenceCount: 0,
    });
    // the Customer row carries the AdditionalContext it came with
    expect(c.turns()[1]).toMatchObject({ speaker: 'Customer', action: 'Dialogue', action_params: '{"vip":true}' });
    expect(await errorCode(emu, 'Dialogue', { InstanceId: instanceId, ConversationId: c.id, Utterance: '你好', AdditionalContext: '[1]' })).toBe(
      '400 InvalidParameter',
    );
    await c.end();
  });

  it('keeps live and debug apart: each kind of action sees only its own conversations', async () => {
    const live = conversation(emu, instanceId, 'live');
    const debug = conversation(emu, instanceId, 'debug');
    await live.begin();
    await debug.begin({ ShouldUseSandBox: true });
    expect(await errorCode(emu, 'DebugDialogue', { InstanceId: instanceId, ConversationId: live.id, Utterance: '你好' })).toBe(
      '404 InvalidConversationId.NotFound',
    );
    expect(await errorCode(emu, 'Dialogue', { InstanceId: instanceId, ConversationId: debug.id, Utterance: '你好' })).toBe(
      '404 InvalidConversationId.NotFound',
    );
    expect(await errorCode(emu, 'CollectedNumber', { InstanceId: instanceId, ConversationId: debug.id, Number: '1' })).toBe(
      '404 InvalidConversationId.NotFound',
    );
    expect(live.row()).toMatchObject({ debug: 0, sandbox: 0 });
    expect(debug.row()).toMatchObject({ debug: 1, sandbox: 1 });
    // SilenceTimeout, EndDialogue and DescribeConversationContext serve both
    expect((await debug.silence()).Action).toBe('Broadcast');
    await live.end();
    await debug.end();
  });
});

describe('errors and limits', () => {
  it('unknown instance, unknown conversation, duplicate ConversationId, bad InitialContext', async () => {
    const instanceId = await createInstance(emu);
    const ghost = { InstanceId: instanceId, ConversationId: randomUUID() };
    expect(await errorCode(emu, 'BeginDialogue', { InstanceId: randomUUID(), ConversationId: randomUUID(), CallingNumber: '1' })).toBe(
      '404 InvalidInstanceId.NotFound',
    );
    expect(await errorCode(emu, 'Dialogue', { ...ghost, Utterance: '你好' })).toBe('404 InvalidConversationId.NotFound');
    expect(await errorCode(emu, 'SilenceTimeout', ghost)).toBe('404 InvalidConversationId.NotFound');
    expect(await errorCode(emu, 'EndDialogue', ghost)).toBe('404 InvalidConversationId.NotFound');
    expect(await errorCode(emu, 'DescribeConversationContext', ghost)).toBe('404 InvalidConversationId.NotFound');
    const c = conversation(emu, instanceId, 'debug');
    await c.begin();
    expect(await errorCode(emu, 'BeginDialogue', { InstanceId: instanceId, ConversationId: c.id, CallingNumber: '1' })).toBe(
      '400 InvalidConversationId.Duplicated',
    );
    expect(
      await errorCode(emu, 'DebugBeginDialogue', { InstanceId: instanceId, ConversationId: randomUUID(), CallingNumber: '1', InitialContext: '"x"' }),
    ).toBe('400 InvalidParameter');
  });

  it("refuses a live BeginDialogue when the instance's active live conversations reach its Concurrency", async () => {
    const instanceId = await createInstance(emu, 1);
    const first = conversation(emu, instanceId, 'live');
    await first.begin();
    const second = conversation(emu, instanceId, 'live');
    expect(await errorCode(emu, 'BeginDialogue', { InstanceId: instanceId, ConversationId: second.id, CallingNumber: '1' })).toBe(
      '400 InvalidConcurrency.LimitExceeded',
    );
    // debug conversations neither count nor are limited
    await conversation(emu, instanceId, 'debug').begin();
    await first.end();
    expect((await second.begin()).TextResponse).toContain('欢迎');
  });

  it('a Disabled instance refuses new live conversations but still takes debug ones', async () => {
    const instanceId = await createInstance(emu);
    await call(emu, 'DisableInstance', { InstanceId: instanceId });
    expect(await errorCode(emu, 'BeginDialogue', { InstanceId: instanceId, ConversationId: randomUUID(), CallingNumber: '1' })).toBe(
      '403 OperationDenied.InstanceDisabled',
    );
    expect((await conversation(emu, instanceId, 'debug').begin()).Action).toBe('Broadcast');
  });
});

describe('chatbots', () => {
  const yamlFile = join(files.dir, 'bots.yaml');
  writeFileSync(
    yamlFile,
    [
      'chatbots:',
      '  - id: chatbot-shop',
      '    name: 网店客服',
      '    intents:',
      '      - name: 物流',
      '        examples: [我的快递到哪了, 查物流]',
      '        answer: 您的包裹正在派送中。',
      '    dtmf:',
      '      - digits: "9"',
      '        answer: 您选择了售后服务，正在转接。',
      '        action: TransferToAgent',
      '        params: { skillGroupId: afterSales }',
      '  - id: chatbot-hotel',
      '    name: 酒店前台',
      '    createTime: 1600000000000',
      '    intents:',
      '      - name: checkout',
      '        examples: [几点退房, 退房时间]',
      '        answer: 退房时间为中午12点。',
      '  - id: chatbot-third',
      '',
    ].join('\n'),
  );

  it('ListChatbotInstances lists the built-in demo bot when no file is given', async () => {
    const data = await call(emu, 'ListChatbotInstances', { PageNumber: 1 });
    expect(data).toMatchObject({ TotalCount: 1, PageNumber: 1, PageSize: 10 });
    expect(data.Bots).toEqual([
      {
        InstanceId: DEMO_CHATBOT_ID,
        Name: '银行客服演示机器人',
        Introduction: expect.stringContaining('余额'),
        Avatar: '',
        LanguageCode: 'zh-cn',
        TimeZone: 'Asia/Shanghai',
        CreateTime: String(Date.UTC(2020, 0, 1)),
      },
    ]);
    expect(await errorCode(emu, 'ListChatbotInstances', { PageNumber: 1, InstanceId: randomUUID() })).toBe('404 InvalidInstanceId.NotFound');
  });

  it('a --chatbots YAML file: paged listing, association, its knowledge and DTMF menu', async () => {
    const e = await startTestEmulator({ chatbotsFile: yamlFile, now: () => clock });
    try {
      const page2 = await call(e, 'ListChatbotInstances', { PageNumber: 2, PageSize: 2 });
      expect(page2).toMatchObject({ TotalCount: 3, PageNumber: 2, PageSize: 2 });
      expect((page2.Bots as { InstanceId: string }[]).map((b) => b.InstanceId)).toEqual(['chatbot-third']);
      const past = await call(e, 'ListChatbotInstances', { PageNumber: 3, PageSize: 2 });
      expect(past.Bots).toEqual([]);
      const page1 = await call(e, 'ListChatbotInstances', { PageNumber: 1, PageSize: 2 });
      expect(page1.Bots).toEqual([
        expect.objectContaining({ InstanceId: 'chatbot-shop', Name: '网店客服' }),
        expect.objectContaining({ InstanceId: 'chatbot-hotel', Name: '酒店前台', CreateTime: '1600000000000' }),
      ]);

      const instanceId = await createInstance(e);
      // no association: the first bot of the file answers
      const c1 = conversation(e, instanceId, 'debug');
      await c1.begin();
      expect((await c1.say('帮我查物流')).TextResponse).toContain('您的包裹正在派送中。');
      expect((await c1.say('几点退房')).TextResponse).toBe('抱歉，我无法理解您的意思');
      const transfer = await c1.dtmf('9');
      expect(transfer).toMatchObject({ Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"afterSales"}' });
      expect(c1.row()).toMatchObject({ skill_group_id: 'afterSales', transferred_to_agent: 1 });

      expect(await errorCode(e, 'AssociateChatbotInstance', { InstanceId: instanceId, ChatbotInstanceId: 'chatbot-nope' })).toBe(
        '404 InvalidChatbotInstanceId.NotFound',
      );
      expect(await errorCode(e, 'AssociateChatbotInstance', { InstanceId: randomUUID(), ChatbotInstanceId: 'chatbot-hotel' })).toBe(
        '404 InvalidInstanceId.NotFound',
      );
      await call(e, 'AssociateChatbotInstance', { InstanceId: instanceId, ChatbotInstanceId: 'chatbot-hotel', ChatbotName: '前台' });
      const assoc = e.state.db.prepare('SELECT * FROM chatbot_associations WHERE instance_id = ?').get(instanceId);
      expect(assoc).toMatchObject({ chatbot_instance_id: 'chatbot-hotel', chatbot_name: '前台' });
      const c2 = conversation(e, instanceId, 'debug');
      await c2.begin();
      expect((await c2.say('请问几点退房？')).TextResponse).toContain('退房时间为中午12点。');
      expect((await c2.say('查物流')).TextResponse).toBe('抱歉，我无法理解您的意思');
    } finally {
      await e.stop();
    }
  });

  it('an association with a bot the restarted emulator does not define is reported, not silently replaced', async () => {
    const first = await startTestEmulator({ chatbotsFile: yamlFile, now: () => clock });
    const dataFile = join(first.dir, 'emulator.db');
    const instanceId = await createInstance(first);
    await call(first, 'AssociateChatbotInstance', { InstanceId: instanceId, ChatbotInstanceId: 'chatbot-hotel' });
    await first.close();
    const second = await startTestEmulator({ dataFile, now: () => clock });
    try {
      expect(await errorCode(second, 'DebugBeginDialogue', { InstanceId: instanceId, ConversationId: randomUUID(), CallingNumber: '1' })).toBe(
        '404 InvalidChatbotInstanceId.NotFound',
      );
      // associating a bot that exists (the demo bot) repairs it
      await call(second, 'AssociateChatbotInstance', { InstanceId: instanceId, ChatbotInstanceId: DEMO_CHATBOT_ID });
      expect((await conversation(second, instanceId, 'debug').begin()).TextResponse).toContain('欢迎');
    } finally {
      await second.stop();
      await first.stop();
    }
  });

  it('a broken chatbots file is refused at start with the file, line and column', async () => {
    const bad = join(files.dir, 'broken.yaml');
    writeFileSync(bad, 'chatbots:\n  - id: x\n    intents:\n      - name: a\n        examples: [a]\n');
    await expect(startTestEmulator({ chatbotsFile: bad, now: () => clock })).rejects.toThrow(`${bad}:4:9: chatbots[0].intents[0].answer is required`);
  });
});
