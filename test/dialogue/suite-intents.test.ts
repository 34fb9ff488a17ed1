import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ROOT, runVn, tempDir } from '../helpers/run.js';

/**
 * `bot.context` and `bot.intent` (DescribeConversationContext after a turn, only when asked),
 * utterance variants (`say: { anyOf | file }`, one case each in every report) and the intents report,
 * against the emulator's demo bank bot.
 */
let emu: TestEmulator;
let instance: string;
let tmp: { dir: string; cleanup: () => void };

function write(name: string, text: string): string {
  const p = join(tmp.dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** DescribeConversationContext requests the emulator answered for one conversation. */
async function contextCalls(conversationId: string): Promise<number> {
  const res = await fetch(`${emu.url}/_vn/requests?conversation=${conversationId}&action=DescribeConversationContext`);
  return ((await res.json()) as { requests: unknown[] }).requests.length;
}

interface JsonReport {
  conversations: { name: string; outcome: string; conversationId: string; retries?: unknown[]; transcript: { input?: string; context?: object }[] }[];
  summary: { conversations: number; passed: number; failed: number };
}

beforeAll(async () => {
  tmp = tempDir('vn-intents-');
  emu = await startTestEmulator();
  const r = await runVn(['instance', 'create', '--name', 'intents', '--concurrency', '20', '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  instance = JSON.parse(r.stdout).InstanceId as string;
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

const CONTEXT_SUITE = `conversations:
  - name: knows the intent
    context: { vip: true }
    turns:
      - say: 我想查余额
        bot: { intent: 余额查询, context: { vip: true, unrecognizedCount: 0 } }
      - say: 随便说说          # not understood: the intent of the turn before does not count
        bot: { intent: "", context: { unrecognizedCount: 1 } }
      - say: 你好
      - dtmf: "2"
        bot: { intent: "dtmf:2" }
  - name: wrong intent
    turns:
      - say: 我的卡里钱
        bot: { intent: 余额查询 }
      - say: 你好
        bot: { text: 您好 }
      - say: 营业时间
        bot: { context: { vip: true } }
`;

describe('bot.context and bot.intent', () => {
  it('checks the context after the turn, asking DescribeConversationContext only after turns that expect it', async () => {
    const file = write('context.test.yaml', CONTEXT_SUITE);
    const report = join(tmp.dir, 'context.json');
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--reporter', 'pretty', '--reporter', `json=${report}`], { env: emu.env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('✓ knows the intent');
    expect(r.stdout).toMatch(/line 14 say 我的卡里钱\n\s+expected intent "余额查询"\n\s+got "银行卡挂失"/);
    expect(r.stdout).toMatch(/line 18 say 营业时间\n\s+expected context including \{"vip":true\}\n\s+got \{.*"lastIntent":"营业时间"/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
    const [knows, wrong] = json.conversations;
    // one call per turn with context/intent: 3 of 4 turns in the first, 2 of 3 in the second
    expect(await contextCalls(knows!.conversationId)).toBe(3);
    expect(await contextCalls(wrong!.conversationId)).toBe(2);
    // the context read is in the transcript of those turns only
    expect(knows!.transcript.map((t) => t.context !== undefined)).toEqual([false, true, true, false, true]);
  });

  it('sends no DescribeConversationContext for a suite without context or intent expectations', async () => {
    const report = join(tmp.dir, 'plain.json');
    const r = await runVn(['dialogue', 'test', join(ROOT, 'examples/demo-bank.test.yaml'), '--instance', instance, '--reporter', `json=${report}`], {
      env: emu.env,
    });
    expect(r.code, r.stdout).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
    expect(json.conversations.length).toBe(5);
    for (const c of json.conversations) expect(await contextCalls(c.conversationId)).toBe(0);
  });

  it('reads ConversationContext as JSON: an object as it is, nothing as {}, anything else under `value`', async () => {
    const { parseConversationContext } = await import('../../src/dialogue/suite/conversation-context.js');
    expect(parseConversationContext('{"vip":true}')).toEqual({ vip: true });
    expect(parseConversationContext('')).toEqual({});
    expect(parseConversationContext(undefined)).toEqual({});
    expect(parseConversationContext('[1,2]')).toEqual({ value: [1, 2] });
    expect(parseConversationContext('not json')).toEqual({ value: 'not json' });
  });

  it('says when the context holds no lastIntent', async () => {
    const { checkTurn } = await import('../../src/dialogue/suite/expectations.js');
    const { ASSERTIONS } = await import('../../src/dialogue/suite/assertions/index.js');
    const m = checkTurn({ intent: '余额查询' }, {}, 1, undefined, undefined, { vip: true }).mismatches[0]!;
    expect(ASSERTIONS.intent.describe(m.expected, m.actual)).toEqual({
      expected: 'intent "余额查询"',
      actual: 'a context without lastIntent (this bot records no intent there)',
    });
  });
});

// 我的卡里钱 is the demo bot's 银行卡挂失 and 账户里还剩多少 nothing at all: confusions on purpose
const VARIANTS_SUITE = `conversations:
  - name: balance
    tags: [intents]
    turns:
      - say: { anyOf: [我想查余额, 查一下余额, 我的卡里钱, 账户里还剩多少] }
        bot: { intent: 余额查询, action: Broadcast }
  - name: loan
    turns:
      - say: { file: utterances/loan.txt }
        bot: { intent: 贷款咨询, action: TransferToAgent }
`;

describe('utterance variants', () => {
  it('runs each variant as its own case, in the pretty, JSON, JUnit and HTML reports, and the intents report shows the confusions', async () => {
    write('utterances/loan.txt', '# loan\n我想贷款\n贷款利率是多少\n');
    const file = write('variants.test.yaml', VARIANTS_SUITE);
    const out = (n: string) => join(tmp.dir, n);
    const r = await runVn(
      [
        'dialogue',
        'test',
        file,
        '--instance',
        instance,
        '--reporter',
        'intents',
        '--reporter',
        `json=${out('v.json')}`,
        '--reporter',
        `junit=${out('v.xml')}`,
        '--reporter',
        `html=${out('v.html')}`,
        '--reporter',
        `pretty=${out('v.txt')}`,
        '--reporter',
        `intents-json=${out('intents.json')}`,
        '--reporter',
        `intents-html=${out('intents.html')}`,
      ],
      { env: emu.env },
    );
    expect(r.code, r.stderr).toBe(1);
    const names = [
      'balance [say: 我想查余额]',
      'balance [say: 查一下余额]',
      'balance [say: 我的卡里钱]',
      'balance [say: 账户里还剩多少]',
      'loan [say: 我想贷款]',
      'loan [say: 贷款利率是多少]',
    ];
    const json = JSON.parse(readFileSync(out('v.json'), 'utf8')) as JsonReport;
    expect(json.conversations.map((c) => c.name)).toEqual(names);
    expect(json.conversations.map((c) => c.outcome)).toEqual(['passed', 'passed', 'failed', 'failed', 'passed', 'passed']);
    // each case is its own conversation
    expect(new Set(json.conversations.map((c) => c.conversationId)).size).toBe(6);
    const junit = readFileSync(out('v.xml'), 'utf8');
    for (const n of names) expect(junit).toContain(`name="${n}"`);
    const html = readFileSync(out('v.html'), 'utf8');
    for (const n of names) expect(html).toContain(n);
    const pretty = readFileSync(out('v.txt'), 'utf8');
    expect(pretty).toContain('✗ failed balance [say: 我的卡里钱]');
    expect(pretty).toContain('✓ balance [say: 查一下余额]');

    // the intents report on stdout: accuracy, the table, the confusions set up above
    expect(r.stdout).toContain('Intents: 4 of 6 turns as expected (66.7%)');
    expect(r.stdout).toContain('余额查询  2/4 (50.0%)');
    expect(r.stdout).toMatch(/余额查询\s+2\s+0\s+1\s+1\n/);
    expect(r.stdout).toContain('余额查询 → 银行卡挂失: 1');
    expect(r.stdout).toContain('余额查询 → (none): 1');
    expect(r.stdout).toContain(`${file}:5 balance [say: 我的卡里钱]: expected 余额查询, got 银行卡挂失`);
    expect(r.stdout).toContain('Actions: 6 of 6 turns as expected (100.0%)');
    const intents = JSON.parse(readFileSync(out('intents.json'), 'utf8'));
    expect(intents.intents).toMatchObject({ turns: 6, correct: 4, accuracy: 0.667 });
    expect(intents.intents.cells).toEqual([
      { expected: '余额查询', actual: '余额查询', count: 2 },
      { expected: '余额查询', actual: '银行卡挂失', count: 1 },
      { expected: '余额查询', actual: '', count: 1 },
      { expected: '贷款咨询', actual: '贷款咨询', count: 2 },
    ]);
    expect(intents.actions).toMatchObject({ turns: 6, correct: 6, accuracy: 1 });
    const page = readFileSync(out('intents.html'), 'utf8');
    expect(page).toContain('<h2>Intents: 4 of 6 turns as expected (66.7%)</h2>');
    expect(page).toMatch(/<th>余额查询<\/th><td class="ok">2<\/td><td class="">0<\/td><td class="bad">1<\/td><td class="bad">1<\/td>/);
  });

  it('--list, --grep, --shard, --last-failed and --retries work on the cases', async () => {
    write('utterances/loan.txt', '我想贷款\n贷款利率是多少\n');
    const file = write('select.test.yaml', VARIANTS_SUITE);
    const env = { ...emu.env, VN_CONFIG_DIR: join(tmp.dir, 'select-config') };
    const list = await runVn(['dialogue', 'test', file, '--instance', instance, '--list', '-o', 'json'], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).Conversations.map((c: { name: string }) => c.name)).toHaveLength(6);

    const grep = await runVn(['dialogue', 'test', file, '--instance', instance, '--grep', '卡里钱|利率', '--reporter', 'json'], { env });
    expect((JSON.parse(grep.stdout) as JsonReport).conversations.map((c) => c.name)).toEqual(['balance [say: 我的卡里钱]', 'loan [say: 贷款利率是多少]']);

    const shards = await Promise.all(
      ['1/2', '2/2'].map((s) => runVn(['dialogue', 'test', file, '--instance', instance, '--shard', s, '--reporter', 'json', '--list', '-o', 'json'], { env })),
    );
    const parts = shards.map((s) => JSON.parse(s.stdout).Conversations.map((c: { name: string }) => c.name) as string[]);
    expect(parts[0]!.length).toBe(3);
    expect([...parts[0]!, ...parts[1]!].sort()).toEqual(
      JSON.parse(list.stdout)
        .Conversations.map((c: { name: string }) => c.name)
        .sort(),
    );

    // a full run, then --last-failed runs the two variants that failed, each retried once
    const all = await runVn(['dialogue', 'test', file, '--instance', instance, '--reporter', 'json'], { env });
    expect(all.code).toBe(1);
    const again = await runVn(['dialogue', 'test', file, '--instance', instance, '--last-failed', '--retries', '1', '--reporter', 'json'], { env });
    expect(again.code).toBe(1);
    const rerun = JSON.parse(again.stdout) as JsonReport;
    expect(rerun.conversations.map((c) => c.name)).toEqual(['balance [say: 我的卡里钱]', 'balance [say: 账户里还剩多少]']);
    expect(rerun.conversations.map((c) => c.retries?.length)).toEqual([1, 1]);
  });

  it('--update leaves the turns of a conversation with variants alone', async () => {
    const text = 'conversations:\n  - name: b\n    turns:\n      - say: { anyOf: [我想查余额, 我的卡里钱] }\n        bot: { intent: 余额查询 }\n';
    const file = write('update-variants.test.yaml', text);
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--update'], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ failed b [say: 我的卡里钱]');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('the intents reports of a shard nobody checked', () => {
  it('are rebuilt by vn dialogue merge, escaping the labels for HTML and the terminal', async () => {
    const { JsonReporter } = await import('../../src/dialogue/suite/reporters/json.js');
    const { SummaryBuilder } = await import('../../src/dialogue/suite/summary.js');
    const evil = '<script>alert(1)</script>\u001b[31m';
    const result = {
      file: 'a.test.yaml',
      name: 'hostile',
      run: 1,
      conversationId: 'c-1',
      outcome: 'failed' as const,
      durationMs: 5,
      turns: 1,
      failures: [],
      transcript: [
        {
          line: 4,
          kind: 'say' as const,
          input: 'hi',
          answer: { Action: 'Broadcast' },
          latencyMs: 5,
          ok: false,
          context: { lastIntent: evil, lastRule: 'knowledge' },
          expect: { intent: '余额查询', action: 'Broadcast' },
        },
      ],
    };
    const shard = join(tmp.dir, 'hostile.json');
    const summary = new SummaryBuilder();
    summary.add(result);
    const r = new JsonReporter(undefined, shard);
    await r.start();
    await r.conversation(result);
    await r.end(summary.build({ skipped: 0, durationMs: 5 }));
    const page = join(tmp.dir, 'hostile.html');
    const merged = await runVn(['dialogue', 'merge', shard, '--reporter', 'intents', '--reporter', `intents-html=${page}`]);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('余额查询 → <script>alert(1)</script>\\x1b[31m: 1');
    expect(merged.stdout).not.toContain('\u001b');
    const html = readFileSync(page, 'utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // a shard whose expectation is not text is refused before anything is rendered
    const bad = JSON.parse(readFileSync(shard, 'utf8'));
    bad.conversations[0].transcript[0].expect.intent = 5;
    writeFileSync(shard, JSON.stringify(bad));
    const refused = await runVn(['dialogue', 'merge', shard, '--reporter', 'intents']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('conversations[0].transcript[0].expect.intent must be text');
  });
});
