import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn } from '../helpers/run.js';

/** An instance id (a UUID: a shorter word would be looked up as a name). */
const ID = '0b6f5d3e-7c1a-4e2b-9f80-1a2b3c4d5e6f';

let emu: TestEmulator;
let id: string;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function vn(argv: string[], env: Record<string, string | undefined> = {}) {
  return runVn(argv, { env: { ...emu.env, ...env } });
}

/** Runs against a loopback server that answers every action with one bot turn and records what arrived. */
async function withRecorder(fn: (run: (argv: string[]) => ReturnType<typeof runVn>, actions: () => string[]) => Promise<void>): Promise<void> {
  const server = await startRecordingServer((_req, res) =>
    json(res, 200, { RequestId: 'R', TextResponse: 'ok', Action: 'Broadcast', ActionParams: '{}', Interruptible: true }),
  );
  try {
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret, VN_ENDPOINT: server.url };
    await fn(
      (argv) => runVn(argv, { env }),
      () => server.requests.map((r) => r.params.Action as string),
    );
  } finally {
    await server.close();
  }
}

async function begin(conversationId: string, extra: string[] = []): Promise<void> {
  const r = await vn(['dialogue', 'begin', id, '--calling-number', '13800000000', '--conversation-id', conversationId, '-o', 'json', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  emu = await startTestEmulator();
  const r = await vn(['instance', 'create', '--name', 'dialogue', '--concurrency', '2', '-o', 'json']);
  id = JSON.parse(r.stdout).InstanceId;
});

afterAll(async () => {
  await emu.stop();
});

describe('dialogue begin', () => {
  it('generates and prints a conversation id when none is given (table)', async () => {
    const r = await vn(['dialogue', 'begin', id, '--calling-number', '13800000000', '-o', 'table']);
    expect(r.code).toBe(0);
    const [head, text, meta] = r.stdout.split('\n');
    expect(head).toMatch(/^conversation [0-9a-f-]{36}$/);
    expect(head?.slice('conversation '.length)).toMatch(UUID);
    expect(text).toContain('欢迎');
    expect(meta).toMatch(/↳ Broadcast/);
  });

  it('puts the conversation id in JSON, and on stderr for XML when generated', async () => {
    const j = await vn(['dialogue', 'begin', id, '--calling-number', '13800000000', '-o', 'json']);
    const body = JSON.parse(j.stdout);
    expect(body.ConversationId).toMatch(UUID);
    expect(body).toMatchObject({ Action: 'Broadcast' });
    expect(body.TextResponse).toContain('欢迎');
    const q = await vn(['dialogue', 'begin', id, '--calling-number', '13800000000', '--conversation-id', 'given-1', '-o', 'tsv', '--query', 'ConversationId']);
    expect(q.stdout).toBe('given-1\n');
    const x = await vn(['dialogue', 'begin', id, '--calling-number', '13800000000', '-o', 'xml']);
    expect(x.code).toBe(0);
    expect(x.stdout).toMatch(/<TextResponse>[^<]*欢迎[^<]*<\/TextResponse>/);
    expect(x.stderr).toMatch(/^conversation [0-9a-f-]{36}\n$/);
  });

  it('--env picks the Debug* actions (default) or the live ones', async () => {
    await withRecorder(async (run, actions) => {
      expect((await run(['dialogue', 'begin', ID, '--calling-number', '1', '--conversation-id', 'c'])).code).toBe(0);
      expect((await run(['dialogue', 'begin', ID, '--calling-number', '1', '--conversation-id', 'c', '--env', 'live'])).code).toBe(0);
      expect((await run(['dialogue', 'say', ID, 'c', 'hello'])).code).toBe(0);
      expect((await run(['dialogue', 'say', ID, 'c', 'hello', '--env', 'live'])).code).toBe(0);
      expect((await run(['dialogue', 'dtmf', ID, 'c', '12#'])).code).toBe(0);
      expect((await run(['dialogue', 'dtmf', ID, 'c', '*0', '--env', 'live'])).code).toBe(0);
      expect((await run(['dialogue', 'silence', ID, 'c'])).code).toBe(0);
      expect((await run(['dialogue', 'end', ID, 'c'])).code).toBe(0);
      expect((await run(['dialogue', 'context', ID, 'c'])).code).toBe(0);
      // one action serves both environments: --env is taken (a script passes it to every command) and changes nothing
      expect((await run(['dialogue', 'silence', ID, 'c', '--env', 'live'])).code).toBe(0);
      expect((await run(['dialogue', 'end', ID, 'c', '--env', 'live'])).code).toBe(0);
      expect((await run(['dialogue', 'context', ID, 'c', '--env', 'LIVE'])).code).toBe(0);
      expect(actions()).toEqual([
        'DebugBeginDialogue',
        'BeginDialogue',
        'DebugDialogue',
        'Dialogue',
        'DebugCollectedNumber',
        'CollectedNumber',
        'SilenceTimeout',
        'EndDialogue',
        'DescribeConversationContext',
        'SilenceTimeout',
        'EndDialogue',
        'DescribeConversationContext',
      ]);
    });
  });

  it('sends the context and numbers under their wire names', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'R', TextResponse: 'ok', Action: 'Broadcast' }));
    try {
      const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret, VN_ENDPOINT: server.url };
      await runVn(['dialogue', 'begin', ID, '--calling-number', '138', '--called-number', '10086', '--conversation-id', 'c', '--context', '{"vip":true}'], {
        env,
      });
      await runVn(['dialogue', 'say', ID, 'c', '你好', '--context', '{"k":1}'], { env });
      await runVn(['dialogue', 'silence', ID, 'c', '--context', '{"s":2}'], { env });
      const [b, s, t] = server.requests.map((r) => r.params);
      expect(b).toMatchObject({ InstanceId: ID, CallingNumber: '138', CalledNumber: '10086', ConversationId: 'c', InitialContext: '{"vip":true}' });
      expect(s).toMatchObject({ Utterance: '你好', AdditionalContext: '{"k":1}' });
      expect(t).toMatchObject({ Action: 'SilenceTimeout', InitialContext: '{"s":2}' });
    } finally {
      await server.close();
    }
  });

  it('begin defaults --calling-number as chat does; dtmf takes --context only where the API has it (live)', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'R', TextResponse: 'ok', Action: 'Broadcast' }));
    try {
      const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret, VN_ENDPOINT: server.url };
      expect((await runVn(['dialogue', 'begin', ID, '--conversation-id', 'c'], { env })).code).toBe(0);
      expect((await runVn(['dialogue', 'dtmf', ID, 'c', '1', '--context', '{"k":1}', '--env', 'live'], { env })).code).toBe(0);
      const debugDtmf = await runVn(['dialogue', 'dtmf', ID, 'c', '1', '--context', '{"k":1}'], { env });
      expect(debugDtmf.code).toBe(2);
      expect(debugDtmf.stderr).toMatch(/DebugCollectedNumber takes no context/);
      const [b, d] = server.requests.map((r) => r.params);
      expect(server.requests).toHaveLength(2);
      expect(b).toMatchObject({ Action: 'DebugBeginDialogue', CallingNumber: '13800000000' });
      expect(d).toMatchObject({ Action: 'CollectedNumber', Number: '1', AdditionalContext: '{"k":1}' });
    } finally {
      await server.close();
    }
  });
});

describe('a conversation, turn by turn', () => {
  it('say, dtmf, silence, context and end against the demo bot', async () => {
    await begin('conv-1');
    const say = await vn(['dialogue', 'say', id, 'conv-1', '我想查余额', '-o', 'table']);
    expect(say.code).toBe(0);
    expect(say.stdout.split('\n')[0]).toMatch(/余额|账户/);
    expect(say.stdout).toMatch(/↳ Broadcast/);
    const sayJson = JSON.parse((await vn(['dialogue', 'say', id, 'conv-1', '再说一遍', '-o', 'json'])).stdout);
    expect(sayJson.TextResponse).toBe(say.stdout.split('\n')[0]);
    const dtmf = await vn(['dialogue', 'dtmf', id, 'conv-1', '1', '-o', 'table']);
    expect(dtmf.stdout).toMatch(/^您选择了/);
    const silence = await vn(['dialogue', 'silence', id, 'conv-1', '-o', 'json']);
    expect(JSON.parse(silence.stdout)).toMatchObject({ TextResponse: '抱歉，我没听到您说话', Action: 'Broadcast' });
    const ctxTable = await vn(['dialogue', 'context', id, 'conv-1', '-o', 'table']);
    expect(ctxTable.code).toBe(0);
    const shown = JSON.parse(ctxTable.stdout);
    expect(typeof shown).toBe('object');
    // pretty-printed: one field a line
    expect(ctxTable.stdout.split('\n').length).toBeGreaterThan(2);
    const ctxJson = JSON.parse((await vn(['dialogue', 'context', id, 'conv-1', '-o', 'json'])).stdout);
    expect(typeof ctxJson.ConversationContext).toBe('string');
    expect(JSON.parse(ctxJson.ConversationContext)).toEqual(shown);
    const ctxXml = await vn(['dialogue', 'context', id, 'conv-1', '-o', 'xml']);
    expect(ctxXml.stdout).toMatch(/<ConversationContext>/);
    const end = await vn(['dialogue', 'end', id, 'conv-1', '-o', 'table']);
    expect(end.code).toBe(0);
    expect(end.stdout).toBe('ended conversation conv-1\n');
  });

  it('a live conversation is driven with --env live from begin to end (EndDialogue serves both)', async () => {
    await begin('conv-live', ['--env', 'live']);
    expect((await vn(['dialogue', 'say', id, 'conv-live', '我想查余额', '--env', 'live'])).code).toBe(0);
    expect((await vn(['dialogue', 'silence', id, 'conv-live', '--env', 'live'])).code).toBe(0);
    const end = await vn(['dialogue', 'end', id, 'conv-live', '--env', 'live', '-o', 'table']);
    expect(end.stderr).toBe('');
    expect(end.code).toBe(0);
    expect(end.stdout).toBe('ended conversation conv-live\n');
  });

  it('shows a transfer’s action and params, coloured when colour is on', async () => {
    await begin('conv-2');
    const plain = await vn(['dialogue', 'say', id, 'conv-2', '我要投诉', '-o', 'table']);
    expect(plain.stdout).toMatch(/↳ TransferToAgent \{"skillGroupId":"fallbackSkillGroup"\}/);
    expect(plain.stdout).not.toContain('\u001b[');
    await begin('conv-3');
    const coloured = await vn(['dialogue', 'say', id, 'conv-3', '我要投诉', '-o', 'table'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[35mTransferToAgent\u001b[39m');
  });

  it('shows interruptible turns, XML and TSV', async () => {
    await begin('conv-4');
    const t = await vn(['dialogue', 'say', id, 'conv-4', '我想查余额', '-o', 'table']);
    expect(t.stdout).toMatch(/↳ Broadcast · interruptible\n$/);
    const x = await vn(['dialogue', 'dtmf', id, 'conv-4', '1', '-o', 'xml']);
    expect(x.stdout).toMatch(/<TextResponse>您选择了/);
    const tsv = await vn(['dialogue', 'say', id, 'conv-4', '再说一遍', '-o', 'tsv']);
    expect(tsv.stdout).toMatch(/^TextResponse\t您选择了/m);
  });

  it('an unknown conversation is the service’s not-found error', async () => {
    const r = await vn(['dialogue', 'say', id, 'no-such-conversation', '你好']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/InvalidConversationId\.NotFound/);
  });

  it('silence and end say in their help that they have no Debug* variant, and that --env changes nothing', async () => {
    for (const verb of ['silence', 'end']) {
      const r = await vn(['dialogue', verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/no\s+Debug\* variant/);
      expect(r.stdout).toMatch(/--env\s+changes\s+nothing/);
    }
    expect((await vn(['dialogue', 'say', '--help'])).stdout).toMatch(/--env <env>/);
  });
});

describe('refusals (exit 2, nothing sent)', () => {
  const cases: [string[], RegExp][] = [
    [['dialogue', 'begin', ID, '--calling-number', ' '], /--calling-number must not be empty/],
    [['dialogue', 'begin', ID, '--calling-number', '1', '--conversation-id', ''], /--conversation-id must not be empty/],
    [['dialogue', 'begin', ID, '--calling-number', '1', '--context', '{bad'], /--context must be valid JSON/],
    [['dialogue', 'begin', ID, '--calling-number', '1', '--context', '[1,2]'], /--context must be a JSON object/],
    [['dialogue', 'begin', ID, '--calling-number', '1', '--env', 'prod'], /--env must be one of debug, live, got "prod"/],
    [['dialogue', 'say', ID, 'c'], /missing required argument 'utterance'/],
    [['dialogue', 'say', ID, 'c', ''], /<utterance> must not be empty/],
    [['dialogue', 'say', ID, 'c', 'hi', '--context', '"text"'], /--context must be a JSON object/],
    [['dialogue', 'dtmf', ID, 'c', '12a'], /<digits> must be keypad digits \(0-9, \*, #\), got "12a"/],
    [['dialogue', 'end', ID, 'c', '--env', 'prod'], /--env must be one of debug, live, got "prod"/],
    [['dialogue', 'end', ID, 'c', '--hang-up-params', '1'], /--hang-up-params must be a JSON object/],
    [['dialogue', 'context', ID], /missing required argument 'conversation-id'/],
  ];
  it.each(cases)('vn %j', async (argv, message) => {
    await withRecorder(async (run, actions) => {
      const r = await run(argv);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(actions()).toEqual([]);
    });
  });
});
