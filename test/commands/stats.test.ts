import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// 09:00 UTC two days ago: inside the emulator's clock-skew window for signing, fixed for statistics
const BASE = Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 9 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let emu: TestEmulator;
let instanceId: string;
let talkedId: string;

/** Inserts an ended live conversation with a greeting and one question/answer pair. */
function seed(id: string, begin: number, calling: string, opts: { transferred?: boolean } = {}): void {
  const db = emu.state.db;
  db.prepare(
    `INSERT INTO conversations (instance_id, conversation_id, debug, calling_number, begin_time, end_time, status, transferred_to_agent, skill_group_id,
       user_utterance_count, effective_answer_count)
     VALUES (?, ?, 0, ?, ?, ?, 'ended', ?, ?, 1, 1)`,
  ).run(instanceId, id, calling, begin, begin + 65_000, opts.transferred ? 1 : 0, opts.transferred ? 'agents' : '');
  const turn = db.prepare(
    `INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, action, action_params, rule, create_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  turn.run(instanceId, id, 1, 'Chatbot', '您好，欢迎致电', 'Broadcast', '{}', 'greeting', begin);
  turn.run(instanceId, id, 2, 'Customer', '查余额', 'Dialogue', '{}', null, begin + 1000);
  turn.run(instanceId, id, 3, 'Chatbot', '您的余额是100元', 'Broadcast', '{}', 'knowledge', begin + 2000);
}

/** True when the CLI sent a request (the --debug trace shows each one). */
function sentRequest(stderr: string): boolean {
  return /\[debug\] > (GET|POST) /.test(stderr);
}

beforeAll(async () => {
  emu = await startTestEmulator();
  const client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
  instanceId = String((await client.call('CreateInstance', { Name: 'stats-cli', Concurrency: 5 })).data.InstanceId);
  seed('c-0905', BASE + 5 * 60_000, '13900001111');
  seed('c-0930', BASE + 30 * 60_000, '13900002222', { transferred: true });
  seed('c-1010', BASE + HOUR + 10 * 60_000, '13900001111');
  // one conversation through the real dialogue engine, for the transcript
  talkedId = 'talk-1';
  await client.call('BeginDialogue', { InstanceId: instanceId, ConversationId: talkedId, CallingNumber: '13700000000' });
  await client.call('Dialogue', { InstanceId: instanceId, ConversationId: talkedId, Utterance: '你好' });
  await client.call('CollectedNumber', { InstanceId: instanceId, ConversationId: talkedId, Number: '1' });
  await client.call('EndDialogue', { InstanceId: instanceId, ConversationId: talkedId });
});

afterAll(async () => {
  await emu?.stop();
});

const range = () => ['--from', iso(BASE), '--to', iso(BASE + 2 * HOUR - 1)];

describe('vn stats summary', () => {
  it('shows totals, one row per hour and a bar chart in table mode', async () => {
    const r = await runVn(['stats', 'summary', instanceId, '--time-unit', 'hour', ...range(), '-o', 'table'], { env: emu.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Conversations\s+3$/m);
    // the periods are UTC hours and the header says so (issue 21, item 7): 09:00:00 is 17:00 in Beijing
    expect(r.stdout).toMatch(/^PERIOD \(UTC\)\s+CONVERSATIONS\s+RESOLVED/m);
    expect(r.stdout).toMatch(/^09:00:00\s+2\s+/m);
    expect(r.stdout).toContain('Conversations per period (UTC)');
    // the busiest hour fills the bar; the other is half as long
    const bars = r.stdout.split('\n').filter((l) => /^\d\d:00:00 [█▏▎▍▌▋▊▉ ]+ \d+$/.test(l));
    expect(bars).toHaveLength(2);
    const length = (l: string) => (l.match(/█/g) ?? []).length;
    expect(bars[0]).toMatch(/ 2$/);
    expect(bars[1]).toMatch(/ 1$/);
    expect(length(bars[0] as string)).toBe(2 * length(bars[1] as string));
    expect(bars[0]?.length).toBeLessThanOrEqual(120);
  });

  it('sends the times as epoch milliseconds and TimeUnit as the seed spells it', async () => {
    const r = await runVn(['--debug', 'stats', 'summary', instanceId, '--time-unit', 'hour', ...range(), '-o', 'json'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`BeginTimeLeftRange=${BASE}`);
    expect(r.stderr).toContain(`BeginTimeRightRange=${BASE + 2 * HOUR - 1}`);
    expect(r.stderr).toContain('TimeUnit=Hour');
    const d = JSON.parse(r.stdout);
    expect(d.ConversationTotalNum).toBe(3);
    expect(d.StatisticalDataReports.map((x: { TotalConversationNum: number }) => x.TotalConversationNum)).toEqual([2, 1]);
  });

  it('answers XML as the service does', async () => {
    const r = await runVn(['stats', 'summary', instanceId, '--time-unit', 'day', ...range(), '-o', 'xml'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml/);
    expect(r.stdout).toContain('<ConversationTotalNum>3</ConversationTotalNum>');
    expect(r.stdout).toContain('<StatisticalDataReports>');
  });

  it('falls back to plain rows for tsv', async () => {
    const r = await runVn(['stats', 'summary', instanceId, '--time-unit', 'hour', ...range(), '-o', 'tsv'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stdout).not.toContain('█');
  });

  it.each([
    [['--time-unit', 'week'], /week/],
    [[], /--time-unit/],
    [['--time-unit', 'hour', '--from', 'yesterday'], /--from is not a time/],
    [['--time-unit', 'hour', '--from', '1700000000'], /epoch seconds/],
    [['--time-unit', 'hour', '--from', 'now', '--to', '-1h'], /after --to/],
  ])('refuses %j with exit 2 and sends nothing', async (flags, why) => {
    const r = await runVn(['--debug', 'stats', 'summary', instanceId, ...flags], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(sentRequest(r.stderr)).toBe(false);
  });

  it('reports an unknown instance as the service does', async () => {
    const r = await runVn(['stats', 'summary', '00000000-0000-4000-8000-00000000dead', '--time-unit', 'day'], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('InvalidInstanceId.NotFound');
  });
});

describe('vn stats query', () => {
  it('filters by calling number and time, in a table with readable times', async () => {
    const r = await runVn(['stats', 'query', instanceId, '--calling-number', '13900001111', ...range(), '-o', 'table'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CONVERSATION\s+CALLING\s+BEGAN\s+DURATION/m);
    expect(r.stdout).toContain('c-0905');
    expect(r.stdout).toContain('c-1010');
    expect(r.stdout).not.toContain('c-0930');
    expect(r.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+1m 05s/);
    expect(r.stdout).toContain('2 in all');
  });

  it('pages, and --all collects every page', async () => {
    const page = JSON.parse((await runVn(['stats', 'query', instanceId, ...range(), '--page-size', '2', '-o', 'json'], { env: emu.env })).stdout);
    expect(page.TotalCount).toBe(3);
    expect(page.Conversations).toHaveLength(2);
    const all = JSON.parse((await runVn(['stats', 'query', instanceId, ...range(), '--page-size', '2', '--all', '-o', 'json'], { env: emu.env })).stdout);
    expect(all.Conversations.map((c: { ConversationId: string }) => c.ConversationId).sort()).toEqual(['c-0905', 'c-0930', 'c-1010']);
    // the merged answer is no one page: no PageNumber or PageSize (once `PageSize: 3`, or 1 for one item), the total stays
    expect(all).not.toHaveProperty('PageSize');
    expect(all).not.toHaveProperty('PageNumber');
    expect(all.TotalCount).toBe(3);
    const one = await runVn(['stats', 'query', instanceId, ...range(), '--calling-number', '13900002222', '--all', '-o', 'yaml'], { env: emu.env });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('c-0930');
    expect(one.stdout).not.toMatch(/PageSize|PageNumber/);
  });

  it('answers XML', async () => {
    const r = await runVn(['stats', 'query', instanceId, '--calling-number', '13900002222', '-o', 'xml'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<ConversationId>c-0930</ConversationId>');
  });

  it.each([
    [['--page-size', '0'], /--page-size/],
    [['--page-number', 'x'], /--page-number must be an integer/],
    [['--to', '2024-02-30'], /not a calendar date/],
  ])('refuses %j with exit 2 and sends nothing', async (flags, why) => {
    const r = await runVn(['--debug', 'stats', 'query', instanceId, ...flags], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(sentRequest(r.stderr)).toBe(false);
  });
});

describe('vn stats conversations', () => {
  it('lists conversations in a table, JSON and XML', async () => {
    const table = await runVn(['stats', 'conversations', instanceId, '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^CONVERSATION\s+CALLING/m);
    for (const id of ['c-0905', 'c-0930', 'c-1010', talkedId]) expect(table.stdout).toContain(id);
    expect(table.stdout).toMatch(/c-0930.*yes/);
    const json = JSON.parse((await runVn(['stats', 'conversations', instanceId, '-o', 'json'], { env: emu.env })).stdout);
    expect(json.TotalCount).toBe(4);
    const xml = await runVn(['stats', 'conversations', instanceId, '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toContain('<TotalCount>4</TotalCount>');
  });

  it('follows every page with --all', async () => {
    const r = await runVn(['stats', 'conversations', instanceId, '--page-size', '1', '--all', '-o', 'json'], { env: emu.env });
    expect(JSON.parse(r.stdout).Conversations).toHaveLength(4);
  });

  it('lists the debug conversations with --env debug, and filters by rounds and result on the service side', async () => {
    const db = emu.state.db;
    const add = db.prepare(
      `INSERT INTO conversations (instance_id, conversation_id, debug, calling_number, begin_time, end_time, status, transferred_to_agent, skill_group_id,
         user_utterance_count, effective_answer_count, end_reason)
       VALUES (?, ?, 1, '13800000000', ?, ?, 'ended', ?, '', ?, ?, ?)`,
    );
    add.run(instanceId, 'dbg-short', BASE, BASE + 10_000, 0, 1, 1, 1);
    add.run(instanceId, 'dbg-long', BASE + 60_000, BASE + 90_000, 1, 4, 4, 2);
    const ids = async (...flags: string[]) => {
      const r = await runVn(['stats', 'conversations', instanceId, ...flags, '-o', 'json', '--query', 'Conversations[].ConversationId'], { env: emu.env });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as string[]).sort();
    };
    expect(await ids('--env', 'debug')).toEqual(['dbg-long', 'dbg-short']);
    expect(await ids()).not.toContain('dbg-long');
    expect(await ids('--env', 'live')).toEqual(await ids());
    expect(await ids('--env', 'debug', '--min-rounds', '3')).toEqual(['dbg-long']);
    expect(await ids('--env', 'debug', '--max-rounds', '2')).toEqual(['dbg-short']);
    expect(await ids('--env', 'debug', '--result', '2')).toEqual(['dbg-long']);
    const bad = await runVn(['--debug', 'stats', 'conversations', instanceId, '--min-rounds', '5', '--max-rounds', '2'], { env: emu.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-rounds 5 is more than --max-rounds 2/);
    expect(sentRequest(bad.stderr)).toBe(false);
  });

  it('refuses a bad page size with exit 2', async () => {
    const r = await runVn(['--debug', 'stats', 'conversations', instanceId, '--page-size', '-1'], { env: emu.env });
    expect(r.code).toBe(2);
    expect(sentRequest(r.stderr)).toBe(false);
  });
});

describe('vn stats conversation', () => {
  it('shows one conversation with readable times, or JSON and XML', async () => {
    const table = await runVn(['stats', 'conversation', instanceId, 'c-0905', '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^CallingNumber\s+13900001111$/m);
    expect(table.stdout).toMatch(/^BeginTime\s+\d{4}-\d\d-\d\d \d\d:05:00$/m);
    const json = JSON.parse((await runVn(['stats', 'conversation', instanceId, 'c-0905', '-o', 'json'], { env: emu.env })).stdout);
    expect(json.BeginTime).toBe(BASE + 5 * 60_000);
    const xml = await runVn(['stats', 'conversation', instanceId, 'c-0905', '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toContain('<CallingNumber>13900001111</CallingNumber>');
  });

  it('reports an unknown conversation (exit 1) and refuses an empty id (exit 2)', async () => {
    const missing = await runVn(['stats', 'conversation', instanceId, 'nope'], { env: emu.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('InvalidConversationId.NotFound');
    const empty = await runVn(['--debug', 'stats', 'conversation', instanceId, ''], { env: emu.env });
    expect(empty.code).toBe(2);
    expect(sentRequest(empty.stderr)).toBe(false);
  });
});

describe('vn stats transcript', () => {
  it('shows the turns as a chat in table mode', async () => {
    const r = await runVn(['stats', 'transcript', instanceId, 'c-0905', '-o', 'table'], { env: emu.env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^conversation c-0905 · \d{4}-\d\d-\d\d$/);
    expect(lines[1]).toMatch(/^\d\d:05:00 {2}Chatbot {3}您好，欢迎致电$/);
    expect(lines[2]).toMatch(/^ +↳ Broadcast$/);
    expect(lines[3]).toMatch(/^\d\d:05:01 {2}Customer {2}查余额$/);
    expect(lines[4]).toMatch(/^\d\d:05:02 {2}Chatbot {3}您的余额是100元$/);
  });

  it('marks keypad input in a conversation the engine recorded', async () => {
    const r = await runVn(['stats', 'transcript', instanceId, talkedId, '-o', 'table'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Customer {2}你好/);
    expect(r.stdout).toMatch(/Customer {2}\[keys\] 1/);
  });

  it('gives JSON and XML unchanged', async () => {
    const json = JSON.parse((await runVn(['stats', 'transcript', instanceId, 'c-0905', '-o', 'json'], { env: emu.env })).stdout);
    expect(json.ConversationDetails.map((d: { Speaker: string }) => d.Speaker)).toEqual(['Chatbot', 'Customer', 'Chatbot']);
    const xml = await runVn(['stats', 'transcript', instanceId, 'c-0905', '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toContain('<Utterance>查余额</Utterance>');
  });

  it('needs both ids (exit 2)', async () => {
    const r = await runVn(['stats', 'transcript', instanceId], { env: emu.env });
    expect(r.code).toBe(2);
  });
});
