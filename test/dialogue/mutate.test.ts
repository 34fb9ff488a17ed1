import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { type Copy, describeMutant, generateMutants, MUTATED_TEXT, mutate } from '../../src/dialogue/mutate/mutants.js';
import { htmlMutationReport, prettyMutationReport } from '../../src/dialogue/mutate/report.js';
import { type MutationReport, runMutation } from '../../src/dialogue/mutate/run.js';
import { parseTestFile } from '../../src/dialogue/suite/parse.js';
import { selectConversations } from '../../src/dialogue/suite/select.js';
import { demoChatbot } from '../../src/emulator/chatbots/demo.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ROOT, runVn, tempDir } from '../helpers/run.js';

/** A new instance's configuration, as `vn instance export` writes it (the parts the dialogue reads). */
const DEFAULT_MANIFEST = {
  apiVersion: 'vn/v1',
  kind: 'Instance',
  name: 'demo',
  concurrency: 5,
  enabled: true,
  greeting: { greetingWords: '您好，欢迎致电智能导航', intentTrigger: '', sourceType: 'chatbotIntent' },
  silenceTimeout: {
    finalAction: 'HangUp',
    finalActionParams: {},
    finalPrompt: '抱歉，听不到您说话，请您稍后致电',
    intentTrigger: '',
    prompt: '抱歉，我没听到您说话',
    sourceType: 'chatbotIntent',
    threshold: 3,
    timeout: 10,
  },
  unrecognizing: {
    finalAction: 'TransferToAgent',
    finalActionParams: { skillGroupId: 'fallbackSkillGroup' },
    finalPrompt: '抱歉，我暂时无法处理您的问题，即将为您转接人工',
    prompt: '抱歉，我无法理解您的意思',
    threshold: 3,
  },
};
const copy = (): Copy => ({ manifest: structuredClone(DEFAULT_MANIFEST), bots: [demoChatbot()] });

const clientFor = async (url: string, key: { id: string; secret: string }) =>
  new Client({ endpoint: url, credentials: { accessKeyId: key.id, accessKeySecret: key.secret }, retries: 0, timeoutMs: 10_000 });

async function suite(path: string, text = readFileSync(join(ROOT, path), 'utf8')) {
  const file = await parseTestFile(path, text);
  return { files: [file], selected: selectConversations([file], {}) };
}

async function mutation(path: string, o: { text?: string; timeoutMs?: number; minScore?: number } = {}): Promise<MutationReport> {
  const s = await suite(path, o.text);
  return runMutation({
    ...s,
    copy: copy(),
    instance: { id: 'i-1', name: 'demo' },
    chatbotsSource: 'built-in',
    clientFor,
    turnTimeoutMs: 10_000,
    concurrency: 2,
    parallel: 4,
    timeoutMs: o.timeoutMs ?? 60_000,
    ...(o.minScore !== undefined ? { minScore: o.minScore } : {}),
  });
}

describe('the mutants of a copy', () => {
  const mutants = generateMutants(copy());
  const lines = mutants.map(describeMutant);

  it('covers each kind the issue names, each with its path', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        'silenceTimeout.threshold: 3 → 4',
        'silenceTimeout.threshold: 3 → 2',
        'unrecognizing.threshold: 3 → 4',
        'silenceTimeout.finalAction: HangUp → TransferToAgent',
        'unrecognizing.finalAction: TransferToAgent → HangUp',
        'unrecognizing.finalActionParams.skillGroupId: fallbackSkillGroup → mutantSkillGroup',
        `greeting.greetingWords: “您好，欢迎致电智能导航” → “${MUTATED_TEXT}”`,
        'chatbots[chatbot-demo-bank].intents[贷款咨询].action: TransferToAgent → HangUp',
        'chatbots[chatbot-demo-bank].intents[余额查询].action: Broadcast → TransferToAgent',
        'chatbots[chatbot-demo-bank].intents[贷款咨询].params.skillGroupId: loanSkillGroup → mutantSkillGroup',
        'chatbots[chatbot-demo-bank].dtmf[2]: pointed at key 3’s entry',
        'chatbots[chatbot-demo-bank].dtmf[2]: removed',
        'chatbots[chatbot-demo-bank].dtmf[0].params.skillGroupId: fallbackSkillGroup → mutantSkillGroup',
        'chatbots[chatbot-demo-bank].threshold: 0.5 → 0.6',
        'chatbots[chatbot-demo-bank].threshold: 0.5 → 0.4',
      ]),
    );
    expect(mutants).toHaveLength(35);
    expect(new Set(lines).size).toBe(lines.length);
    expect(mutants.map((m) => m.id)).toEqual(mutants.map((_, i) => i + 1));
  });

  it('each mutant changes its copy, never the original', () => {
    const original = copy();
    const before = JSON.stringify(original);
    for (const m of mutants) expect(JSON.stringify(mutate(original, m)), m.path).not.toBe(before);
    expect(JSON.stringify(original)).toBe(before);
    const removed = mutants.find((m) => describeMutant(m) === 'chatbots[chatbot-demo-bank].dtmf[2]: removed');
    expect(mutate(original, removed as never).bots[0]?.dtmf.map((d) => d.digits)).toEqual(['1', '3', '0']);
    const elsewhere = mutants.find((m) => m.kind === 'dtmf-elsewhere' && m.path.endsWith('dtmf[2]'));
    expect(mutate(original, elsewhere as never).bots[0]?.dtmf[1]).toMatchObject({
      digits: '2',
      action: 'Broadcast',
      answer: expect.stringContaining('营业时间'),
    });
  });

  it('no DTMF entry is pointed at one that does the same (a change no test could notice)', () => {
    const c = copy();
    const bot = c.bots[0] as Copy['bots'][number];
    bot.dtmf = [
      { digits: '1', answer: '同一句话', action: 'Broadcast', params: '{}' },
      { digits: '2', answer: '同一句话', action: 'Broadcast', params: '{}' },
    ];
    expect(
      generateMutants(c)
        .filter((m) => m.path.includes('.dtmf['))
        .map(describeMutant),
    ).toEqual(['chatbots[chatbot-demo-bank].dtmf[1]: removed', 'chatbots[chatbot-demo-bank].dtmf[2]: removed']);
  });

  it('a threshold of 1 is not lowered (the API refuses 0)', () => {
    const c = copy();
    (c.manifest.silenceTimeout as Record<string, unknown>).threshold = 1;
    expect(
      generateMutants(c)
        .filter((m) => m.path === 'silenceTimeout.threshold')
        .map((m) => m.to),
    ).toEqual(['2']);
  });
});

describe('runMutation', () => {
  it('the example suite kills most mutants; the survivors say what no test does', async () => {
    const r = await mutation('examples/demo-bank.test.yaml');
    expect(r.baseline).toMatchObject({ conversations: 5, passed: 5, excluded: [] });
    expect([r.killed, r.survived, r.notRun, r.invalid]).toEqual([21, 14, 0, 0]);
    expect(r.score).toBeCloseTo(0.6, 5);
    const byLine = new Map(r.mutants.map((m) => [m.description, m]));
    expect(byLine.get('silenceTimeout.finalAction: HangUp → TransferToAgent')).toMatchObject({
      status: 'killed',
      killedBy: { file: 'examples/demo-bank.test.yaml', name: 'three silences hang up', line: 45, turn: 'silence', why: 'action did not match' },
    });
    expect(byLine.get('chatbots[chatbot-demo-bank].dtmf[0]: removed')).toMatchObject({
      status: 'survived',
      reason: 'no test presses 0 and checks what follows',
    });
  }, 60_000);

  it('a weak suite scores lower, its survivors named; a mutant on a path it goes through says so', async () => {
    const r = await mutation('examples/weak-suite.yaml', { minScore: 0.5 });
    expect([r.killed, r.survived]).toEqual([3, 32]);
    expect(r.gate).toEqual({ minScore: 0.5, passed: false });
    const text = prettyMutationReport(r);
    expect(text).toContain('✗ silenceTimeout.finalAction: HangUp → TransferToAgent survived: no test stays silent past the threshold and checks the action');
    expect(text).toContain(
      '✗ chatbots[chatbot-demo-bank].intents[余额查询].action: Broadcast → TransferToAgent survived: “the bot says something about a balance” (examples/weak-suite.yaml:13) goes through it, but checks nothing there that changed',
    );
    expect(text).toMatch(/Mutation score: 8\.6% \(3 killed of 35 run\) in [\d.]+ s, [\d.]+ mutants\/s; --min-mutation-score 50% NOT met/);
  }, 60_000);

  it('leaves out a conversation that fails on the unmutated copy, and says so', async () => {
    const text = `conversations:
  - name: expects another greeting
    turns:
      - bot: { text: 另一个问候 }
  - name: keypad 2
    turns:
      - dtmf: "2"
        bot: { action: TransferToAgent, params: { skillGroupId: cardLossSkillGroup } }
`;
    const r = await mutation('inline.test.yaml', { text });
    expect(r.baseline.excluded).toEqual([
      { file: 'inline.test.yaml', name: 'expects another greeting', outcome: 'failed', why: 'line 4 (greeting): text did not match' },
    ]);
    expect(r.killed).toBe(3); // key 2 pointed elsewhere, removed, its skill group
    expect(prettyMutationReport(r)).toContain(
      'Excluded (they do not pass on the unmutated copy, so they cannot kill a mutant):\n  - “expects another greeting”',
    );
  }, 60_000);

  it('stops at --mutate-timeout: the mutants not run are reported so, and not counted', async () => {
    const r = await mutation('examples/weak-suite.yaml', { timeoutMs: 1, minScore: 0 });
    expect(r.notRun).toBe(35);
    expect(r.killed + r.survived).toBe(0);
    expect(r.score).toBeNull();
    expect(r.gate?.passed).toBe(false);
    expect(r.mutants[0]?.reason).toBe('time ran out (--mutate-timeout)');
  }, 60_000);
});

describe('a run cut short by --mutate-timeout', () => {
  it('ends soon after the limit: the runs under way are stopped and reported as not run, never as killed', async () => {
    // one long conversation, so that runs are under way when the time is up
    const turns = Array.from({ length: 200 }, () => '      - say: 我想查余额\n        bot: { action: Broadcast }\n').join('');
    const s = await suite('long.test.yaml', `conversations:\n  - name: long\n    turns:\n${turns}`);
    const run = (timeoutMs: number) =>
      runMutation({
        ...s,
        copy: copy(),
        instance: { id: 'i-1' },
        chatbotsSource: 'built-in',
        clientFor,
        turnTimeoutMs: 10_000,
        concurrency: 1,
        parallel: 2,
        timeoutMs,
      });
    // the time of the baseline alone (no mutant runs in 1 ms), then a limit a second past it
    const r0 = (await run(1)).durationMs;
    const started = performance.now();
    const r = await run(r0 + 1_000);
    const took = performance.now() - started;
    expect(r.notRun).toBeGreaterThan(0);
    expect(r.killed + r.survived + r.notRun).toBe(35);
    // a run stopped under way (its emulator closed) is not run, not killed by the closing
    for (const m of r.mutants.filter((x) => x.status === 'killed')) expect(m.killedBy?.why).toBe('action did not match');
    expect(took).toBeLessThan(r0 + 1_000 + 3_000);
  }, 60_000);
});

describe('the HTML report', () => {
  it('lists survivors first and escapes every value', async () => {
    const r = await mutation('examples/weak-suite.yaml');
    r.instance = { id: 'i-1', name: '<img src=x onerror=alert(1)>' };
    const killed = r.mutants.find((m) => m.status === 'killed');
    if (killed?.killedBy) killed.killedBy.name = '<script>alert(2)</script>';
    const page = htmlMutationReport(r);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    const rows = [...page.matchAll(/<tr class="(\w+)">/g)].map((m) => m[1]);
    expect(rows.indexOf('killed')).toBeGreaterThan(rows.lastIndexOf('survived'));
    expect(rows).toHaveLength(35);
  }, 60_000);
});

describe('the --mutate flags', () => {
  it('take a score as a fraction or a percentage, and a duration in ms, s or m', async () => {
    const { parseDuration, parseScore } = await import('../../src/commands/dialogue/mutate.js');
    expect([parseScore('0.8'), parseScore('80%'), parseScore('1'), parseScore('0')]).toEqual([0.8, 0.8, 1, 0]);
    for (const bad of ['1.2', '120%', '-0.1', 'high', '']) expect(() => parseScore(bad), bad).toThrow(/--min-mutation-score must be/);
    expect([parseDuration('90'), parseDuration('90s'), parseDuration('1500ms'), parseDuration('2m')]).toEqual([90_000, 90_000, 1500, 120_000]);
    for (const bad of ['0', '2h', 'soon', '-5s']) expect(() => parseDuration(bad), bad).toThrow(/--mutate-timeout must be/);
  });
});

describe('vn dialogue test --mutate', () => {
  let emu: TestEmulator;
  let instance: string;
  let tmp: { dir: string; cleanup: () => void };
  const vn = (...argv: string[]) => runVn(argv, { env: emu.env });

  beforeAll(async () => {
    emu = await startTestEmulator();
    tmp = tempDir('vn-mutate-');
    const r = await vn('instance', 'create', '--name', 'demo', '--concurrency', '5', '-o', 'json');
    instance = JSON.parse(r.stdout).InstanceId;
  });
  afterAll(async () => {
    await emu.stop();
    tmp.cleanup();
  });

  it('exports the instance as the copy, writes the JSON and HTML reports, and exits 10 under --min-mutation-score', async () => {
    const json = join(tmp.dir, 'm.json');
    const html = join(tmp.dir, 'm.html');
    const r = await vn(
      'dialogue',
      'test',
      join(ROOT, 'examples/weak-suite.yaml'),
      '--instance',
      instance,
      '--mutate',
      '--min-mutation-score',
      '50%',
      '--reporter',
      'pretty',
      '--reporter',
      `json=${json}`,
      '--reporter',
      `html=${html}`,
    );
    expect(r.code, r.stderr).toBe(10);
    expect(r.stderr).toContain('error: mutation score 8.6% is below --min-mutation-score 50%');
    expect(r.stdout).toContain(`Mutation testing of demo (${instance}) with the built-in demo bot: 35 mutants`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as MutationReport;
    expect([report.killed, report.survived, report.total]).toEqual([3, 32, 35]);
    expect(readFileSync(html, 'utf8')).toContain('<h2>Mutants (survivors first)</h2>');
    // the same suite passes a gate it meets
    const ok = await vn('dialogue', 'test', join(ROOT, 'examples/weak-suite.yaml'), '--instance', instance, '--mutate', '--min-mutation-score', '0.05');
    expect(ok.code, ok.stderr).toBe(0);
  }, 60_000);

  it('takes the chatbot from --chatbots', async () => {
    const bots = join(tmp.dir, 'bots.yaml');
    writeFileSync(bots, 'chatbots:\n  - id: tiny\n    intents:\n      - { name: 问候, examples: [你好], answer: 您好, action: Broadcast }\n');
    const suiteFile = join(tmp.dir, 'tiny.test.yaml');
    writeFileSync(suiteFile, 'conversations:\n  - name: hello\n    turns:\n      - say: 你好\n        bot: { text: 您好, action: Broadcast }\n');
    const r = await vn('dialogue', 'test', suiteFile, '--instance', instance, '--mutate', '--chatbots', bots, '--reporter', 'json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MutationReport;
    expect(report.chatbots).toBe(bots);
    expect(report.mutants.filter((m) => m.path.startsWith('chatbots[tiny].intents[问候]')).map((m) => [m.description, m.status])).toEqual([
      [`chatbots[tiny].intents[问候].answer: “您好” → “${MUTATED_TEXT}”`, 'killed'],
      ['chatbots[tiny].intents[问候].action: Broadcast → TransferToAgent', 'killed'],
    ]);
    // the summary for people goes to stderr when the JSON has stdout
    expect(r.stderr).toContain('Mutation score:');
  }, 60_000);

  it.each([
    [['--min-mutation-score', '0.8'], '--min-mutation-score goes with --mutate'],
    [['--mutate', '--min-mutation-score', '1.5'], '--min-mutation-score must be a score from 0 to 1'],
    [['--mutate', '--mutate-timeout', 'soon'], '--mutate-timeout must be a duration'],
    [['--mutate', '--update'], '--update does not go with it'],
    [['--mutate', '--retries', '2'], '--repeat and --retries do not go with it'],
    [['--mutate', '--reporter', 'junit'], '--reporter junit: --mutate reports as pretty, json, html'],
    [['--mutate', '--chatbots', '/nonexistent/bots.yaml'], '/nonexistent/bots.yaml'],
  ])('refuses %j before anything is sent (exit 2)', async (flags, message) => {
    const before = emu.state.store.db.prepare('select count(*) as n from instances').get() as { n: number };
    const r = await vn('dialogue', 'test', join(ROOT, 'examples/weak-suite.yaml'), '--instance', instance, ...flags);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(emu.state.store.db.prepare('select count(*) as n from instances').get()).toEqual(before);
  });
});

describe('examples/README.md: weak-suite.yaml', () => {
  it('runs as written: the example suite meets the stated score, the weak one scores lower with its survivors named (exit 10)', async () => {
    const { bashWithVn } = await import('../helpers/vn-shim.js');
    const { cpSync } = await import('node:fs');
    const t = tempDir('vn-mutate-example-');
    try {
      const readme = readFileSync(join(ROOT, 'examples/README.md'), 'utf8');
      const start = readme.indexOf('## `weak-suite.yaml`');
      expect(start).toBeGreaterThanOrEqual(0);
      const next = readme.indexOf('\n## ', start + 1);
      const section = readme.slice(start, next < 0 ? undefined : next);
      const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
      expect(block).toBeDefined();
      cpSync(join(ROOT, 'examples'), join(t.dir, 'examples'), { recursive: true });
      const r = await bashWithVn(['-eo', 'pipefail', '-c', block as string], {
        cwd: t.dir,
        timeoutMs: 120_000,
        env: { PATH: process.env.PATH, HOME: t.dir, VN_CONFIG_DIR: join(t.dir, 'config'), NO_COLOR: '1' },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Mutation score: 60% \(21 killed of 35 run\) in [\d.]+ s, [\d.]+ mutants\/s; --min-mutation-score 60% met/);
      expect(r.stdout).toMatch(/Mutation score: 8\.6% \(3 killed of 35 run\) .*; --min-mutation-score 60% NOT met/);
      expect(r.stdout).toContain(
        '✗ chatbots[chatbot-demo-bank].dtmf[2].params.skillGroupId: cardLossSkillGroup → mutantSkillGroup survived: “keypad 2 transfers”',
      );
      expect(r.stdout).toContain('exit 10');
      expect(r.stderr).toContain('error: mutation score 8.6% is below --min-mutation-score 60%');
    } finally {
      t.cleanup();
    }
  }, 120_000);
});
