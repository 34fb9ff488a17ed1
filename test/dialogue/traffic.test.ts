import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let instance: string;
let tmp: { dir: string; cleanup: () => void };
const callingNumbers: string[] = [];
const cardNumbers: string[] = [];

type Op = { say: string; context?: Record<string, unknown> } | { dtmf: string } | { silence: true };

/** The 200 calls: seven ways through the demo bank bot, each taken a known number of times, every caller a number of their own. */
const SCRIPTS: { calls: number; ops: (phone: string, i: number) => Op[] }[] = [
  { calls: 60, ops: () => [{ say: '我想查余额' }] },
  { calls: 40, ops: () => [{ say: '我想查余额' }, { dtmf: '2' }] },
  { calls: 30, ops: (phone) => [{ say: `我的手机号是${phone}，帮我查一下` }] },
  { calls: 25, ops: (_p, i) => [{ dtmf: card(i) }] },
  { calls: 20, ops: (phone) => [{ say: '转人工', context: { callback: phone } }] },
  { calls: 15, ops: () => [{ silence: true }, { silence: true }] },
  { calls: 10, ops: () => [{ say: '信用卡怎么还款' }, { say: '好的，谢谢' }] },
];

function card(i: number): string {
  return `62220202${String(10_000_000 + i * 7919).slice(-8)}`;
}

beforeAll(async () => {
  tmp = tempDir('vn-traffic-');
  emu = await startTestEmulator();
  const r = await runVn(['instance', 'create', '--name', 'traffic', '--concurrency', '10', '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  instance = JSON.parse(r.stdout).InstanceId;
  const client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0 });
  let i = 0;
  for (const script of SCRIPTS) {
    for (let n = 0; n < script.calls; n++, i++) {
      const phone = `139${String(10_000_000 + i * 104_729).slice(-8)}`;
      callingNumbers.push(phone);
      const ids = { InstanceId: instance, ConversationId: `call-${i}` };
      await client.call('BeginDialogue', { ...ids, CallingNumber: phone });
      for (const op of script.ops(phone, i)) {
        if ('say' in op) await client.call('Dialogue', { ...ids, Utterance: op.say, ...(op.context ? { AdditionalContext: JSON.stringify(op.context) } : {}) });
        else if ('dtmf' in op) {
          if (op.dtmf.length > 4) cardNumbers.push(op.dtmf);
          await client.call('CollectedNumber', { ...ids, Number: op.dtmf });
        } else await client.call('SilenceTimeout', ids);
      }
      await client.call('EndDialogue', ids);
    }
  }
  // one call still in progress: its path is not finished, so it is left out
  await client.call('BeginDialogue', { InstanceId: instance, ConversationId: 'open-call', CallingNumber: '13711112222' });
}, 60_000);

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

describe('vn stats conversations --as-tests', () => {
  it('turns 200 calls into one test file per path, with its count, scrubbed, that passes against the same emulator', async () => {
    const dir = join(tmp.dir, 'traffic');
    const r = await runVn(['stats', 'conversations', instance, '--as-tests', dir, '--from', '-1h', '-o', 'json'], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 conversation still in progress left out');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ Directory: dir, Conversations: 200, Paths: SCRIPTS.length });
    expect(out.Files.map((f: { Conversations: number }) => f.Conversations)).toEqual(SCRIPTS.map((s) => s.calls));
    expect(out.Files[0]).toMatchObject({ Share: 30, Path: 'greeting → Broadcast · say "我想查余额" → Broadcast' });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(SCRIPTS.length);
    for (const f of files) expect(f).toMatch(/^path-[0-9a-f]{8}\.test\.yaml$/);

    const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
    const all = texts.join('\n');
    // no caller's number and no card number from the source, anywhere
    for (const n of [...callingNumbers, ...cardNumbers]) expect(all).not.toContain(n);
    expect(all).not.toContain('13711112222');
    const top = texts.find((t) => t.includes('# traffic: 60 of 200 conversations (30.0%) took this path')) as string;
    expect(top).toContain('callingNumber: "00000000000"');
    expect(top).toMatch(/tags:\n\s+- traffic/);
    // the caller's own number inside an utterance and a context, and a keyed card number the bot echoes, are placeholders
    expect(all).toContain('say: 我的手机号是00000000000，帮我查一下');
    expect(all).toMatch(/context:\n\s+callback: "00000000000"/);
    expect(all).toContain('dtmf: "0000000000000000"');
    expect(all).toContain('textMatches: 收号内容是[0-9０-９][0-9０-９ -]*');
    expect(all).toMatch(
      /# traffic: 20 of 200 conversations \(10\.0%\) took this path\n# path [0-9a-f]{8}: greeting → Broadcast · say "转人工" → TransferToAgent \{"skillGroupId":"fallbackSkillGroup"\}/,
    );

    // valid as written, and every path passes against the emulator it came from
    const list = await runVn(['dialogue', 'test', dir, '--list', '-o', 'json'], { env: emu.env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).Conversations).toHaveLength(SCRIPTS.length);
    const run = await runVn(['dialogue', 'test', dir, '--reporter', 'json'], { env: emu.env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ passed: SCRIPTS.length, failed: 0 });

    // the files are not silently replaced: exit 2 before anything is read (the endpoint is not even reachable)
    writeFileSync(join(dir, files[0] as string), '# mine\n');
    const again = await runVn(['stats', 'conversations', instance, '--as-tests', dir], { env: { ...emu.env, VN_ENDPOINT: 'http://127.0.0.1:9' } });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toMatch(/already holds 7 path files .*: --force replaces those of the same path/);
    expect(readFileSync(join(dir, files[0] as string), 'utf8')).toBe('# mine\n');
    const forced = await runVn(['stats', 'conversations', instance, '--as-tests', dir, '--force'], { env: emu.env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, files[0] as string), 'utf8')).toContain('# traffic: ');
  });

  it('--coverage --traffic weighs the suite by the share of calls whose path it takes', async () => {
    const dir = join(tmp.dir, 'weighed');
    expect((await runVn(['stats', 'conversations', instance, '--as-tests', dir, '-o', 'json'], { env: emu.env })).code).toBe(0);
    // drop the test of the 30-call path (the caller's phone number in an utterance)
    const dropped = readdirSync(dir).find((f) => readFileSync(join(dir, f), 'utf8').includes('# traffic: 30 of 200')) as string;
    const droppedId = dropped.slice(5, 13);
    rmSync(join(dir, dropped));
    const r = await runVn(['dialogue', 'test', dir, '--coverage', '--traffic', '-1h', '--reporter', 'json'], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    const [t] = JSON.parse(r.stdout).summary.traffic;
    expect(t).toMatchObject({ instanceId: instance, env: 'live', conversations: 200, paths: 7, coveredConversations: 170, coveredPaths: 6, share: 85 });
    expect(t.uncovered).toEqual([
      { id: droppedId, label: 'greeting → Broadcast · say "我的手机号是00000000000，帮我查一下" → Broadcast', conversations: 30, share: 15 },
    ]);
    // the navigation config's paths, weighted: every call had a greeting; 15 of 200 reached the silence prompt, and so does the suite
    expect(t.navigation).toContainEqual({ id: 'greeting', label: 'greeting', conversations: 200, share: 100, suite: true });
    expect(t.navigation).toContainEqual(expect.objectContaining({ id: 'silence', conversations: 15, share: 7.5, suite: true }));

    const pretty = await runVn(['dialogue', 'test', dir, '--coverage', '--traffic', '-1h'], { env: emu.env });
    expect(pretty.code, pretty.stderr).toBe(0);
    expect(pretty.stdout).toContain(`the suite covers 85% of the calls (170 of 200; 6 of 7 paths); the top uncovered path is ${droppedId} (15%)`);

    // --traffic implies --coverage; a time it cannot read is refused before anything is sent
    const alone = await runVn(['dialogue', 'test', dir, '--traffic', '-1h', '--reporter', 'json'], { env: emu.env });
    expect(alone.code, alone.stderr).toBe(0);
    expect(JSON.parse(alone.stdout).summary.traffic[0]).toMatchObject({ share: 85 });
    const bad = await runVn(['dialogue', 'test', dir, '--traffic', 'last week'], { env: { ...emu.env, VN_ENDPOINT: 'http://127.0.0.1:9' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--traffic is not a time: "last week"');
  });
});

describe('vn stats conversation --as-test', () => {
  const I = 'a1111111-0000-4000-8000-000000000001';
  const env = (url: string) => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk',
    VN_ENDPOINT: url,
    VN_CONFIG_DIR: join(tmp.dir, 'cfg'),
  });

  it('a conversation with no recorded answer exits 1 after its reads, not 2 (which promises nothing was sent)', async () => {
    const server = await startRecordingServer((req, res) =>
      json(
        res,
        200,
        req.params.Action === 'DescribeConversation' ? { RequestId: 'r', CallingNumber: '13900000001' } : { RequestId: 'r', ConversationDetails: [] },
      ),
    );
    try {
      const r = await runVn(['stats', 'conversation', I, 'c-1', '--as-test'], { env: env(server.url) });
      expect(server.requests.map((q) => q.params.Action)).toEqual(['DescribeConversation', 'ListConversationDetails']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim()).toBe('error: conversation c-1 has no recorded answer to make a test of');
    } finally {
      await server.close();
    }
  });

  it('refuses a FILE in a missing directory, or a directory, with exit 2 before anything is sent', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'r' }));
    try {
      const missing = await runVn(['stats', 'conversation', I, 'c-1', '--as-test', join(tmp.dir, 'no-such-dir', 'x.test.yaml')], { env: env(server.url) });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/the directory .*no-such-dir does not exist/);
      const dir = await runVn(['stats', 'conversation', I, 'c-1', '--as-test', tmp.dir], { env: env(server.url) });
      expect(dir.code).toBe(2);
      expect(dir.stderr).toContain('is a directory');
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('writes no `action` for a bot row without one, so the file stays valid', async () => {
    const server = await startRecordingServer((req, res) =>
      json(
        res,
        200,
        req.params.Action === 'DescribeConversation'
          ? { RequestId: 'r', CallingNumber: '13900000001' }
          : {
              RequestId: 'r',
              ConversationDetails: [
                { SequenceId: '1', Speaker: 'Chatbot', Utterance: '您好', Action: '' },
                { SequenceId: '2', Speaker: 'Customer', Utterance: '你好', Action: 'Dialogue' },
                { SequenceId: '3', Speaker: 'Chatbot', Utterance: '请讲', Action: 'Listen' },
              ],
            },
      ),
    );
    try {
      const file = join(tmp.dir, 'no-action.test.yaml');
      const r = await runVn(['stats', 'conversation', I, 'c-1', '--as-test', file], { env: env(server.url) });
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain('action:');
      const list = await runVn(['dialogue', 'test', file, '--list'], { env: env(server.url) });
      expect(list.code, list.stderr).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('a caller who keyed nothing (an empty CollectedNumber)', () => {
  const I = 'a1111111-0000-4000-8000-000000000001';
  const env = (url: string) => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk',
    VN_ENDPOINT: url,
    VN_CONFIG_DIR: join(tmp.dir, 'cfg'),
  });
  const rows = (keyed: string) => [
    { SequenceId: '1', Speaker: 'Chatbot', Utterance: '您好', Action: 'Broadcast' },
    { SequenceId: '2', Speaker: 'Customer', Utterance: '我想查余额', Action: 'Dialogue' },
    { SequenceId: '3', Speaker: 'Chatbot', Utterance: '请输入卡号', Action: 'Broadcast' },
    { SequenceId: '4', Speaker: 'Customer', Utterance: keyed, Action: 'CollectedNumber' },
    { SequenceId: '5', Speaker: 'Chatbot', Utterance: '没有收到按键', Action: 'Broadcast' },
  ];
  const server = () =>
    startRecordingServer((req, res) => {
      const id = req.params.ConversationId;
      if (req.params.Action === 'DescribeConversation') return json(res, 200, { RequestId: 'r', CallingNumber: '13900000001' });
      if (req.params.Action === 'ListConversations')
        return json(res, 200, {
          RequestId: 'r',
          TotalCount: 2,
          Conversations: [
            { ConversationId: 'c-empty', CallingNumber: '13900000001', BeginTime: 2, EndTime: 3 },
            { ConversationId: 'c-ok', CallingNumber: '13900000002', BeginTime: 1, EndTime: 2 },
          ],
        });
      return json(res, 200, { RequestId: 'r', ConversationDetails: rows(id === 'c-ok' ? '1' : '') });
    });

  it('stats conversation --as-test stops the test before that turn (a file cannot send it) and says so', async () => {
    const s = await server();
    try {
      const file = join(tmp.dir, 'empty-keyed.test.yaml');
      const r = await runVn(['stats', 'conversation', I, 'c-empty', '--as-test', file], { env: env(s.url) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('warning: turn 2 keyed "", which a test cannot send (digits, * or #): the test stops before it');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('say: 我想查余额');
      expect(text).not.toContain('dtmf');
      expect((await runVn(['dialogue', 'test', file, '--list'], { env: env(s.url) })).code).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('stats conversations --as-tests leaves such a conversation out, and says so', async () => {
    const s = await server();
    try {
      const dir = join(tmp.dir, 'empty-keyed');
      const r = await runVn(['stats', 'conversations', I, '--as-tests', dir, '-o', 'json'], { env: env(s.url) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('1 conversation that keyed what a test cannot send (no digits, or not 0-9 * #) left out');
      expect(JSON.parse(r.stdout)).toMatchObject({ Conversations: 1, Paths: 1 });
      expect((await runVn(['dialogue', 'test', dir, '--list'], { env: env(s.url) })).code).toBe(0);
    } finally {
      await s.close();
    }
  });
});

it('the directory is created, and nothing is left behind but the files', () => {
  const dir = join(tmp.dir, 'traffic');
  expect(existsSync(dir)).toBe(true);
  expect(readdirSync(dir).every((f) => f.endsWith('.test.yaml'))).toBe(true);
});
