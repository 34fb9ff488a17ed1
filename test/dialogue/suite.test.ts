// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the test files' own variable syntax
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { ROOT, runVn, tempDir } from '../helpers/run.js';

const EXAMPLE = join(ROOT, 'examples/demo-bank.test.yaml');

let emu: TestEmulator;
let instance: string;
let tmp: { dir: string; cleanup: () => void };

async function createInstance(env: Record<string, string>): Promise<string> {
  const r = await runVn(['instance', 'create', '--name', 'dialogue-tests', '--concurrency', '20', '-o', 'json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).InstanceId as string;
}

function write(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

interface JunitXml {
  testsuites: {
    testsuite: { $: Record<string, string>; testcase: { $: { name: string; classname: string }; failure?: { $: { message: string } }[] }[] }[];
  };
}

function conversationRows(e: TestEmulator): { status: string }[] {
  return e.state.db.prepare('SELECT status FROM conversations').all() as { status: string }[];
}

const FAILING = `# a suite with one wrong answer
conversations:
  - name: balance
    turns:
      - bot: { text: 欢迎 }
      - say: 我想查余额
        bot: { text: 余额, action: Broadcast }
  - name: wrong greeting
    turns:
      - bot: { text: 再见, action: Broadcast }   # the greeting has no 再见
      - say: 我要投诉
        bot: { action: HangUp, params: { skillGroupId: fallbackSkillGroup } }
`;

beforeAll(async () => {
  tmp = tempDir('vn-dlg-test-');
  emu = await startTestEmulator();
  instance = await createInstance(emu.env);
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

describe('vn dialogue test', () => {
  it('passes the examples/ suite for the demo bot, with counts, percentiles and turns per second', async () => {
    const r = await runVn(['dialogue', 'test', EXAMPLE, '--instance', instance], { env: emu.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ complaint goes to an agent');
    expect(r.stdout).toContain('✓ three silences hang up');
    expect(r.stdout).toMatch(/Conversations: 5 passed, 0 failed, 0 errored, 0 timed out/);
    expect(r.stdout).toMatch(/Turns: 20 · latency p50 [\d.]+ ms · p95 [\d.]+ ms · p99 [\d.]+ ms .* [\d.]+ turns\/s/);
  });

  it('takes the instance from VN_INSTANCE and runs a directory, --repeat times in parallel', async () => {
    const r = await runVn(['dialogue', 'test', join(ROOT, 'examples'), '--repeat', '4', '--concurrency', '4', '--reporter', 'json', '--progress'], {
      env: { ...emu.env, VN_INSTANCE: instance },
    });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.conversations).toHaveLength(20);
    expect(new Set(report.conversations.map((c: { conversationId: string }) => c.conversationId)).size).toBe(20);
    expect(report.summary).toMatchObject({ passed: 20, failed: 0, turns: 80 });
    // --progress on a pipe: plain lines on stderr, the last one always
    expect(r.stderr).toMatch(/\[20\/20\] 20 passed, 0 not passed\n/);
    expect(r.stderr).toContain('Conversations: 20 passed');
  });

  it('reports a failing turn with what was expected and what came back, exits 1, and still ends every conversation', async () => {
    const before = conversationRows(emu).length;
    const file = write('failing.test.yaml', FAILING);
    const r = await runVn(['dialogue', 'test', file, '--instance', instance], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ balance');
    expect(r.stdout).toContain('✗ failed wrong greeting');
    expect(r.stdout).toMatch(/line 10 greeting\n\s+expected text containing "再见"\n\s+got "您好，欢迎致电智能导航"/);
    expect(r.stdout).toMatch(/line 11 say 我要投诉\n\s+expected action "HangUp"\n\s+got "TransferToAgent"/);
    expect(r.stdout).toMatch(/Conversations: 1 passed, 1 failed, 0 errored, 0 timed out/);
    expect(r.stderr).toMatch(/^error: 1 of 2 conversations did not pass \(1 failed\)\n$/);
    const rows = conversationRows(emu);
    expect(rows.length).toBe(before + 2);
    expect(rows.every((c) => c.status === 'ended')).toBe(true);
  });

  it('exits 2 on an invalid file with file:line:col, having sent nothing', async () => {
    const before = conversationRows(emu).length;
    const good = write('good.test.yaml', 'conversations:\n  - name: ok\n    turns:\n      - say: 你好\n');
    const bad = write('bad.test.yaml', 'conversations:\n  - name: broken\n    turns:\n      - say: 你好\n        bot: { action: Broadcast, txt: x }\n');
    const r = await runVn(['dialogue', 'test', good, bad, '--instance', instance], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:5:35: unknown key \`txt\` in bot (did you mean \`text\`?)`);
    expect(conversationRows(emu).length).toBe(before);
  });

  it('--dry-run validates the files and sends nothing', async () => {
    const before = conversationRows(emu).length;
    const r = await runVn(['--dry-run', 'dialogue', 'test', EXAMPLE, '--instance', instance], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('1 test file valid, 5 conversations selected (--dry-run: nothing sent)\n');
    expect(conversationRows(emu).length).toBe(before);
  });

  it('exits 2 when no instance is named anywhere', async () => {
    const r = await runVn(['dialogue', 'test', EXAMPLE], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no instance for .*demo-bank.test.yaml/);
  });

  it('writes a well-formed JUnit file with one testcase per conversation', async () => {
    const file = write('junit-suite.test.yaml', FAILING);
    const report = join(tmp.dir, 'junit.xml');
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--reporter', 'junit', '--report-file', report], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Conversations: 1 passed, 1 failed/);
    // xml2js (strict) is the XML parser the official SDK (@alicloud/pop-core) brings along
    const xml2js: { parseStringPromise: (xml: string, o: object) => Promise<JunitXml> } = await import('xml2js' as string);
    const xml = await xml2js.parseStringPromise(readFileSync(report, 'utf8'), { strict: true });
    const suite = xml.testsuites.testsuite[0]!;
    expect(suite.$).toMatchObject({ tests: '2', failures: '1', errors: '0' });
    const cases = suite.testcase;
    expect(cases.map((c) => c.$.name)).toEqual(['balance', 'wrong greeting']);
    expect(cases[0]!.failure).toBeUndefined();
    expect(cases[1]!.failure?.[0]?.$.message).toMatch(/line 10 greeting: text did not match/);
  });

  it('--update rewrites only the failing values, byte for byte elsewhere; the report says updated and the suite then passes', async () => {
    const before = `${FAILING.replace('bot: { text: 余额, action: Broadcast }', 'bot: { text: [余额, 账户], action: Broadcast }')}  - name: no params on a broadcast
    turns:
      - say: 我想查余额
        bot:
          action: Broadcast
          params: { skillGroupId: x }   # a broadcast carries none
`;
    const file = write('update.test.yaml', before);
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--update'], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/updated 3 turns in .*update\.test\.yaml/);
    // what the run says matches its exit code: rewritten, not failed
    expect(r.stdout).toContain('✎ updated wrong greeting');
    expect(r.stdout).not.toContain('✗ failed');
    expect(r.stdout).toMatch(/Conversations: 1 passed, 0 failed, 0 errored, 0 timed out, 2 updated/);
    const after = readFileSync(file, 'utf8');
    // flow lists keep their spacing ([余额, 账户] was once rewritten as [ 余额, 账户 ]), comments their columns;
    // a params expectation the answer has no params for is removed, not written as a meaningless `params: {}`
    expect(after).toBe(
      before
        .replace('bot: { text: 再见, action: Broadcast }', 'bot: { text: 您好，欢迎致电智能导航, action: Broadcast }')
        .replace('bot: { action: HangUp, params:', 'bot: { action: TransferToAgent, params:')
        .replace('          params: { skillGroupId: x }   # a broadcast carries none\n', ''),
    );
    expect(after).not.toContain('params: {}');
    const again = await runVn(['dialogue', 'test', file, '--instance', instance], { env: emu.env });
    expect(again.code, again.stdout).toBe(0);
  });

  it('--coverage reports the silence path unreached when the suite never goes there', async () => {
    const file = write(
      'no-silence.test.yaml',
      'conversations:\n  - name: talk\n    turns:\n      - say: 我想查余额\n      - say: 再说一遍\n      - say: 我要投诉\n',
    );
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--coverage'], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ greeting/);
    expect(r.stdout).toMatch(/✓ repeating/);
    expect(r.stdout).toMatch(/✓ complaining \(TransferToAgent\)/);
    expect(r.stdout).toMatch(/✗ silence prompt: unreached/);
    expect(r.stdout).toMatch(/✗ silence final action \(HangUp\): unreached/);
    expect(r.stdout).toMatch(/transfer targets seen: skillGroupId fallbackSkillGroup \(1\)/);
    expect(r.stdout).toMatch(/configured targets never seen: IVR \{"route":"satisfaction"\}/);
  });

  it('uses ${NAME} captured by save in later steps', async () => {
    const file = write(
      'vars.test.yaml',
      [
        'conversations:',
        '  - name: capture',
        '    turns:',
        '      - bot: { save: { word: "欢迎(致电)" } }',
        '      - say: "${word}"',
        '        context: { heard: "${word}" }',
        '        bot: { save: { none: "不会出现(\\\\d+)" } }',
        '      - say: "${none}"',
      ].join('\n'),
    );
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--reporter', 'json'], { env: emu.env });
    expect(r.code).toBe(1);
    const c = JSON.parse(r.stdout).conversations[0];
    expect(c.outcome).toBe('failed');
    expect(c.failures[0].mismatches[0].key).toBe('save');
    expect(c.error.message).toMatch(/\$\{none\} has no value/);
    const turns = emu.state.db.prepare("SELECT utterance FROM conversation_turns WHERE conversation_id = ? AND speaker = 'Customer'").all(c.conversationId) as {
      utterance: string;
    }[];
    expect(turns.map((t) => t.utterance)).toEqual(['致电']);
  });

  it('--grep selects conversations and --bail stops after the first that does not pass', async () => {
    const file = write('grep.test.yaml', FAILING);
    const grep = await runVn(['dialogue', 'test', file, '--instance', instance, '--grep', '^bal', '--reporter', 'json'], { env: emu.env });
    expect(grep.code).toBe(0);
    expect(JSON.parse(grep.stdout).conversations.map((c: { name: string }) => c.name)).toEqual(['balance']);
    const bail = await runVn(['dialogue', 'test', file, '--instance', instance, '--grep', 'wrong', '--repeat', '5', '--bail', '--reporter', 'json'], {
      env: emu.env,
    });
    expect(bail.code).toBe(1);
    expect(JSON.parse(bail.stdout).summary).toMatchObject({ conversations: 1, failed: 1, skipped: 4 });
  });
});

describe('vn dialogue test against an unreliable or absent service', () => {
  it('reports a flaky suite: the same conversation passes on some runs and not on others', async () => {
    // Faults on the conversation's own calls only: `dialogue test` checks the instance once before
    // any conversation (DescribeInstance, not retried under --retries 0), and a fault there would
    // end the run before it began — 15% of runs, the flake this test used to have.
    const dialogueActions = ['DebugBeginDialogue', 'DebugDialogue', 'EndDialogue'];
    const flakyEmu = await startTestEmulator({ chaos: [{ actions: dialogueActions, probability: 0.15, effect: { kind: 'fault' } }] });
    try {
      const id = await createInstanceRetrying(flakyEmu.env);
      // the conversation's requests, each refused 15% of the time: P(no run passes) ≈ 1e-5, P(every run passes) ≈ 1e-10
      const r = await runVn(['--retries', '0', 'dialogue', 'test', EXAMPLE, '--instance', id, '--grep', '^complaint', '--repeat', '24', '--concurrency', '6'], {
        env: flakyEmu.env,
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/! errored complaint goes to an agent/);
      expect(r.stdout).toMatch(/Flaky \(passed on some runs, not on others\): .*demo-bank.test.yaml › complaint goes to an agent/);
      const m = /Conversations: (\d+) passed, 0 failed, (\d+) errored/.exec(r.stdout);
      expect(Number(m?.[1])).toBeGreaterThan(0);
      expect(Number(m?.[2])).toBeGreaterThan(0);
    } finally {
      await flakyEmu.stop();
    }
  });

  it('counts a turn with no answer in time as timed out, apart from wrong answers', async () => {
    const slow = await startTestEmulator({ latencyMs: 400 });
    try {
      const id = await createInstance(slow.env);
      const r = await runVn(['dialogue', 'test', EXAMPLE, '--instance', id, '--grep', '^complaint', '--timeout', '150', '--reporter', 'json'], {
        env: slow.env,
      });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.summary).toMatchObject({ timedOut: 1, failed: 0, errored: 0 });
      expect(report.conversations[0].error.message).toBe('no answer within 150 ms');
      expect(r.stderr).toMatch(/1 timed out/);
    } finally {
      await slow.stop();
    }
  });

  it('never re-sends a turn that may have reached the service: a dropped answer is one request, reported as errored', async () => {
    // begin answers; the first utterance's connection is dropped after the request arrived
    const server = await startRecordingServer((req, res) => {
      const action = req.params.Action;
      if (action === 'DescribeInstance') return json(res, 200, { RequestId: 'r0', InstanceId: 'i-1' });
      if (action === 'DebugBeginDialogue')
        return json(res, 200, { RequestId: 'r1', TextResponse: '您好，欢迎', Action: 'Broadcast', ActionParams: '{}', Interruptible: false });
      if (action === 'DebugDialogue') return res.socket?.destroy();
      return json(res, 200, { RequestId: 'r2' });
    });
    try {
      const r = await runVn(['dialogue', 'test', EXAMPLE, '--instance', 'a1111111-0000-4000-8000-000000000001', '--grep', '^complaint', '--reporter', 'json'], {
        env: { ...emu.env, VN_ENDPOINT: server.url },
      });
      expect(r.code).toBe(1);
      const c = JSON.parse(r.stdout).conversations[0];
      expect(c.outcome).toBe('errored');
      expect(c.error.message).toMatch(/DebugDialogue changes state and may have been carried out, so it was not re-sent/);
      const actions = server.requests.map((q) => q.params.Action);
      expect(actions).toEqual(['DescribeInstance', 'DebugBeginDialogue', 'DebugDialogue', 'EndDialogue']);
      expect(server.requests[3]!.params.ConversationId).toBe(c.conversationId);
    } finally {
      await server.close();
    }
  });

  it('exits 3 when the service cannot be reached', async () => {
    const port = await closedPort();
    const r = await runVn(['dialogue', 'test', EXAMPLE, '--instance', 'a1111111-0000-4000-8000-0000000000aa'], {
      env: { ...emu.env, VN_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    expect(r.code).toBe(3);
    // the instance check is the first request: it names the endpoint, and nothing else is tried
    expect(r.stderr).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

async function createInstanceRetrying(env: Record<string, string>): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const r = await runVn(['instance', 'create', '--name', 'flaky', '--concurrency', '50', '-o', 'json'], { env });
    if (r.code === 0) return JSON.parse(r.stdout).InstanceId as string;
  }
  throw new Error('could not create an instance');
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
