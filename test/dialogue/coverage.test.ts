import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageItems, coverageTotals, mergeCoverage } from '../../src/dialogue/suite/coverage.js';
import { coverageGate, parseMinCoverage } from '../../src/dialogue/suite/coverage-gate.js';
import type { ConversationResult, TranscriptTurn } from '../../src/dialogue/suite/result.js';
import type { Summary } from '../../src/dialogue/suite/summary.js';
import { demoChatbot } from '../../src/emulator/chatbots/demo.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';
import { ANT_JUNIT, JENKINS_XUNIT_JUNIT_10 } from './fixtures/junit-schemas.js';

/**
 * Coverage that gates (issue 22, item 3): intents, DTMF entries and entry → transfer pairs against
 * a chatbot model; what the service hides; --min-coverage (exit 9); shards merged as a union.
 */

let emu: TestEmulator;
let instance: string;
let tmp: { dir: string; cleanup: () => void };

const write = (name: string, text: string): string => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};

// reaches 余额查询 and 贷款咨询 (a transfer), DTMF 1 and 0 (a transfer); never 挂失, 营业时间, 问候, DTMF 2 or 3
const SUITE = `conversations:
  - name: balance by voice
    turns:
      - say: 我想查余额
        bot: { action: Broadcast }
  - name: loan goes to an agent
    turns:
      - say: 我想贷款
        bot: { action: TransferToAgent, params: { skillGroupId: loanSkillGroup } }
  - name: keypad 1
    turns:
      - dtmf: "1"
        bot: { textMatches: "^您选择了余额查询" }
  - name: keypad 0
    turns:
      - dtmf: "0"
        bot: { action: TransferToAgent }
`;

interface JsonReport {
  conversations: ConversationResult[];
  summary: Summary;
}

beforeAll(async () => {
  tmp = tempDir('vn-cov-');
  emu = await startTestEmulator();
  const r = await runVn(['instance', 'create', '--name', 'coverage', '--concurrency', '10', '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  instance = JSON.parse(r.stdout).InstanceId as string;
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

function turn(kind: TranscriptTurn['kind'], input: string | undefined, text: string, action = 'Broadcast', params = '{}'): TranscriptTurn {
  return {
    line: 1,
    kind,
    ...(input !== undefined ? { input } : {}),
    answer: { TextResponse: text, Action: action, ActionParams: params },
    latencyMs: 1,
    ok: true,
  };
}

function result(name: string, transcript: TranscriptTurn[], retries?: TranscriptTurn[][]): ConversationResult {
  return {
    file: 'a.test.yaml',
    name,
    run: 1,
    conversationId: name,
    outcome: 'passed',
    durationMs: 1,
    turns: transcript.length,
    failures: [],
    transcript,
    ...(retries
      ? { retries: retries.map((t) => ({ conversationId: 'r', outcome: 'failed' as const, durationMs: 1, turns: t.length, failures: [], transcript: t })) }
      : {}),
  };
}

describe('coverageItems (the API)', () => {
  const bot = demoChatbot();
  const intent = (name: string) => bot.intents.find((i) => i.name === name)!;
  const entry = (digits: string) => bot.dtmf.find((d) => d.digits === digits)!;
  const model = { instanceId: 'i-1', navigationConfig: {}, chatbots: { bots: [bot], source: 'built-in' } };

  it('credits a say turn to the intent whose answer came back (asking-back prompt after it), a dtmf turn to its entry, and a transfer to its entry → target pair', () => {
    const loan = intent('贷款咨询');
    const items = coverageItems(model, [
      result('balance', [turn('say', '查余额', `${intent('余额查询').answer}请问还有什么可以帮您？`)]),
      result('loan', [turn('say', '贷款', loan.answer, loan.action, loan.params)]),
      result('keypad', [turn('dtmf', '0', entry('0').answer, entry('0').action, entry('0').params), turn('dtmf', '2', '收号内容是2')]),
    ]);
    const reached = (kind: string) => items.filter((i) => i.kind === kind && i.hits > 0).map((i) => i.id);
    expect(reached('intents')).toEqual(['余额查询', '贷款咨询']);
    expect(reached('dtmf')).toEqual(['0']); // "2" was echoed: the entry's answer did not come back
    expect(reached('transfers')).toEqual(['intent:贷款咨询 → skillGroupId loanSkillGroup', 'dtmf:0 → skillGroupId fallbackSkillGroup']);
    expect(items.filter((i) => i.kind === 'transfers').map((i) => i.id)).toContain('dtmf:2 → skillGroupId cardLossSkillGroup');
    const balance = items.find((i) => i.kind === 'intents' && i.id === '余额查询')!;
    expect(balance).toMatchObject({
      label: '余额查询'.length ? 'intent 余额查询 (Broadcast)' : '',
      sources: ['chatbot:chatbot-demo-bank.intents[余额查询]'],
      hits: 1,
    });
    expect(balance.reachedBy).toEqual([{ file: 'a.test.yaml', name: 'balance' }]);
  });

  it('a transfer pair is unreached when the entry answered with another target', () => {
    const loan = intent('贷款咨询');
    const items = coverageItems(model, [result('loan', [turn('say', '贷款', loan.answer, loan.action, '{"skillGroupId":"other"}')])]);
    // the answer is not the intent's (other params), so neither the intent nor its pair is credited
    expect(items.filter((i) => i.hits > 0)).toEqual([]);
  });

  it('counts retried attempts and names each test once however many turns or runs reached an item', () => {
    const a = intent('余额查询');
    const items = coverageItems(model, [
      result('twice', [turn('say', '查余额', a.answer), turn('say', '余额', a.answer)], [[turn('say', '查余额', a.answer)]]),
      result('twice', [turn('say', '查余额', a.answer)]),
    ]);
    const i = items.find((x) => x.id === '余额查询')!;
    expect(i.hits).toBe(4);
    expect(i.reachedBy).toEqual([{ file: 'a.test.yaml', name: 'twice' }]);
  });

  it('two intents with the same answer are told apart by the model’s matcher on what was said', () => {
    const twin = {
      ...demoChatbot(),
      intents: [
        ...bot.intents,
        { name: '查账', examples: ['查账单', '账单明细'], answer: intent('余额查询').answer, action: 'Broadcast' as const, params: '{}' },
      ],
    };
    const items = coverageItems({ ...model, chatbots: { bots: [twin], source: 'x.yaml' } }, [
      result('bill', [turn('say', '账单明细', intent('余额查询').answer)]),
    ]);
    expect(items.filter((i) => i.hits > 0).map((i) => i.id)).toEqual(['查账']);
  });

  it('a context read for the turn decides: lastRule and lastIntent name the entry, whatever the answer resembles', () => {
    const a = intent('余额查询');
    const withContext = (t: TranscriptTurn, context: Record<string, unknown>) => ({ ...t, context });
    const items = coverageItems(model, [
      result('ctx', [
        // the answer is 余额查询's, but the bot says it understood 问候
        withContext(turn('say', '你好', a.answer), { lastRule: 'knowledge', lastIntent: '问候' }),
        // a stale lastIntent after a rule that is not knowledge credits nothing
        withContext(turn('say', '随便', a.answer), { lastRule: 'unrecognized', lastIntent: '余额查询' }),
        withContext(turn('dtmf', '3', '?'), { lastRule: 'dtmf', lastIntent: 'dtmf:3' }),
      ]),
    ]);
    expect(items.filter((i) => i.hits > 0).map((i) => `${i.kind} ${i.id}`)).toEqual(['intents 问候', 'dtmf 3']);
  });

  it('without a model: paths only, and it says what it cannot see', () => {
    const nav = {
      GreetingConfig: { GreetingWords: '欢迎' },
      SilenceTimeoutConfig: { Prompt: '在吗', FinalAction: 'TransferToAgent', FinalActionParams: '{"skillGroupId":"g"}' },
    };
    const items = coverageItems({ instanceId: 'i', navigationConfig: nav }, [result('hello', [turn('begin', undefined, '欢迎致电')])]);
    expect(items.map((i) => `${i.kind} ${i.id} ${i.hits}`)).toEqual([
      'paths greeting 1',
      'paths silence 0',
      'paths silence.final 0',
      'transfers silence.final → skillGroupId g 0',
    ]);
    expect(items.find((i) => i.id === 'silence.final')?.sources).toContain('SilenceTimeoutConfig.FinalAction');
  });
});

describe('--min-coverage values', () => {
  it('reads a percent, kind=percent pairs, or both', () => {
    expect(parseMinCoverage('80')).toEqual({ overall: 80 });
    expect(parseMinCoverage('paths=100, intents=80,dtmf=50%,transfers=12.5')).toEqual({ paths: 100, intents: 80, dtmf: 50, transfers: 12.5 });
    expect(parseMinCoverage('90,dtmf=100')).toEqual({ overall: 90, dtmf: 100 });
  });

  it.each([
    ['101', /"101" is not a percent from 0 to 100/],
    ['-1', /"-1" is not a percent/],
    ['intent=80', /unknown kind "intent" \(did you mean intents\?\)/],
    ['paths=1,paths=2', /paths is given twice/],
    ['paths=', /"" is not a percent/],
    ['80,,paths=1', /an empty item between commas/],
    ['', /needs a percent/],
  ])('%j is refused', (value, message) => {
    expect(() => parseMinCoverage(value)).toThrow(message);
  });

  it('compares the share as it is shown (to 0.1%)', () => {
    const items = ['a', 'b', 'c'].map((id, n) => ({ kind: 'intents' as const, id, label: id, sources: [], hits: n ? 1 : 0, reachedBy: [] }));
    const g = coverageGate([{ instanceId: 'i', paths: [], actions: {}, targets: {}, configuredTargets: [], unseenTargets: [], items }], { intents: 66.7 });
    expect(g.checks[0]).toMatchObject({ percent: 66.7, passed: true });
  });

  it('a kind with nothing to reach does not pass (a gate on nothing proves nothing)', () => {
    const g = coverageGate([{ instanceId: 'i', paths: [], actions: {}, targets: {}, configuredTargets: [], unseenTargets: [], items: [] }], { dtmf: 0 });
    expect(g).toEqual({ checks: [{ kind: 'dtmf', min: 0, reached: 0, total: 0, passed: false }], passed: false });
  });
});

describe('vn dialogue test --coverage against the emulator’s demo bot', () => {
  it('reports intents, DTMF entries and entry → transfer pairs in pretty, JSON, JUnit (properties; valid with xmllint) and HTML', async () => {
    const file = write('cov.test.yaml', SUITE);
    const json = join(tmp.dir, 'cov.json');
    const junit = join(tmp.dir, 'cov.xml');
    const ant = join(tmp.dir, 'cov-ant.xml');
    const html = join(tmp.dir, 'cov.html');
    const r = await runVn(
      [
        'dialogue',
        'test',
        file,
        '--instance',
        instance,
        '--chatbots',
        'demo',
        '--coverage',
        '--reporter',
        'pretty',
        '--reporter',
        `json=${json}`,
        '--reporter',
        `junit=${junit}`,
        '--reporter',
        `junit-ant=${ant}`,
        '--reporter',
        `html=${html}`,
      ],
      { env: emu.env },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/intents of 银行客服演示机器人 \(chatbot-demo-bank, the built-in demo\):\n {4}✓ intent 余额查询 \(Broadcast\) \(1\)/);
    expect(r.stdout).toMatch(/✗ intent 营业时间 \(Broadcast\): unreached/);
    expect(r.stdout).toMatch(/✓ DTMF 0 \(TransferToAgent\) → skillGroupId fallbackSkillGroup \(1\)/);
    expect(r.stdout).toMatch(/✗ DTMF 2 \(TransferToAgent\) → skillGroupId cardLossSkillGroup: unreached/);
    expect(r.stdout).toMatch(/Coverage: paths [\d.]+% \(\d+\/\d+\) · intents 40% \(2\/5\) · dtmf 50% \(2\/4\) · transfers/);
    expect(r.stdout).not.toMatch(/not seen/);

    const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
    const cov = report.summary.coverage?.[0];
    expect(cov?.chatbot).toEqual({ id: 'chatbot-demo-bank', name: '银行客服演示机器人', source: 'built-in' });
    expect(cov?.notSeen).toEqual([]);
    expect(cov?.items?.find((i) => i.kind === 'dtmf' && i.id === '1')?.reachedBy).toEqual([{ file, name: 'keypad 1' }]);
    expect(coverageTotals(report.summary.coverage ?? []).intents).toEqual({ reached: 2, total: 5, percent: 40 });

    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="coverage"[^>]* tests="0" failures="0"/);
    expect(xml).toContain('<property name="coverage.intents" value="40"/>');
    expect(xml).toContain('<property name="coverage.dtmf.reached" value="2"/>');
    expect(xml).toContain('<property name="coverage.chatbot" value="chatbot-demo-bank (built-in)"/>');
    expect(xml).toMatch(/unreached on [^:]+: intents intent 营业时间 \(Broadcast\)/);
    validate(junit, ant);

    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<table data-kind="intents">.*<td>intent 余额查询 \(Broadcast\)<\/td><td>1<\/td><td>balance by voice <small>/s);
    expect(page).toMatch(/<li><b>40%<\/b> intents \(2\/5\)<\/li>/);
  });

  it('against a bot vn cannot read: paths only, and every report says what it cannot see', async () => {
    const file = write('blind.test.yaml', SUITE);
    const json = join(tmp.dir, 'blind.json');
    const junit = join(tmp.dir, 'blind.xml');
    const html = join(tmp.dir, 'blind.html');
    // no --chatbots and not the local profile: as against the service
    const r = await runVn(
      [
        'dialogue',
        'test',
        file,
        '--instance',
        instance,
        '--coverage',
        '--reporter',
        'pretty',
        '--reporter',
        `json=${json}`,
        '--reporter',
        `junit=${junit}`,
        '--reporter',
        `html=${html}`,
      ],
      { env: emu.env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/not seen — intents: the service does not let vn read a bot’s intents \(give --chatbots FILE/);
    expect(r.stdout).not.toMatch(/intent 余额查询/);
    const cov = (JSON.parse(readFileSync(json, 'utf8')) as JsonReport).summary.coverage?.[0];
    expect(cov?.chatbot).toBeUndefined();
    expect(cov?.notSeen?.map((n) => n.split(':')[0])).toEqual(['intents', 'dtmf', 'transfers']);
    expect(cov?.items?.some((i) => i.kind === 'intents' || i.kind === 'dtmf')).toBe(false);
    expect(readFileSync(junit, 'utf8')).toMatch(/<property name="coverage.notSeen" value="intents: the service does not let vn read/);
    expect(readFileSync(html, 'utf8')).toMatch(/<p class="not-seen">Not seen — dtmf: the service does not let vn read a bot’s DTMF menu/);
    validate(junit);
  });

  it('reads the model from an emulator chatbots file given with --chatbots FILE', async () => {
    const bots = write(
      'bots.yaml',
      `chatbots:
  - id: chatbot-shop
    intents:
      - { name: 物流, examples: [我的快递到哪了, 查物流], answer: 您的包裹正在派送中。 }
      - { name: 退货, examples: [我要退货, 退款], answer: 正在为您转接售后。, action: TransferToAgent, params: { skillGroupId: afterSales } }
    dtmf:
      - { digits: "9", answer: 您选择了订单查询。 }
`,
    );
    const shop = await startTestEmulator({ chatbotsFile: bots });
    try {
      const c = await runVn(['instance', 'create', '--name', 'shop', '--concurrency', '5', '-o', 'json'], { env: shop.env });
      expect(c.code, c.stderr).toBe(0);
      const id = JSON.parse(c.stdout).InstanceId as string;
      const file = write('shop.test.yaml', 'conversations:\n  - name: returns\n    turns:\n      - say: 我要退货\n        bot: { action: TransferToAgent }\n');
      const json = join(tmp.dir, 'shop.json');
      const r = await runVn(
        ['dialogue', 'test', file, '--instance', id, '--chatbots', bots, '--min-coverage', 'intents=50,transfers=25', '--reporter', `json=${json}`],
        {
          env: shop.env,
        },
      );
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const s = (JSON.parse(readFileSync(json, 'utf8')) as JsonReport).summary;
      expect(s.coverage?.[0]?.chatbot).toEqual({ id: 'chatbot-shop', name: 'chatbot-shop', source: bots });
      // transfers: 退货's pair, and the default navigation config's three final-action transfers
      expect(s.coverageGate).toEqual({
        checks: [
          { kind: 'intents', min: 50, reached: 1, total: 2, percent: 50, passed: true },
          { kind: 'transfers', min: 25, reached: 1, total: 4, percent: 25, passed: true },
        ],
        passed: true,
      });
      expect(s.coverage?.[0]?.items?.find((i) => i.kind === 'transfers' && i.hits)?.id).toBe('intent:退货 → skillGroupId afterSales');
    } finally {
      await shop.stop();
    }
  });
});

function validate(junit: string, ant?: string): void {
  if (spawnSync('xmllint', ['--version']).status !== 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'vn-xsd-'));
  const xunit = join(dir, 'junit-10.xsd');
  const antXsd = join(dir, 'JUnit.xsd');
  writeFileSync(xunit, JENKINS_XUNIT_JUNIT_10);
  writeFileSync(antXsd, ANT_JUNIT);
  const lint = (xsd: string, file: string) => {
    const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
    return r.status === 0 ? '' : r.stderr;
  };
  expect(lint(xunit, junit)).toBe('');
  expect(lint(antXsd, junit)).toBe('');
  if (ant) expect(lint(antXsd, ant)).toBe('');
}

describe('--min-coverage', () => {
  const closed = { ...({} as Record<string, string>) };
  beforeAll(() => {
    // an endpoint where nothing listens: a run that sent anything would exit 3, not 2
    Object.assign(closed, emu.env, { VN_ENDPOINT: 'http://127.0.0.1:9' });
  });

  it('passes (exit 0) when met, and fails with exit 9 after every report is written when not', async () => {
    const file = write('gate.test.yaml', SUITE);
    const ok = await runVn(['dialogue', 'test', file, '--instance', instance, '--chatbots', 'demo', '--min-coverage', 'intents=40,dtmf=50'], { env: emu.env });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/Coverage gate: intents 40% \(2 of 5\) ≥ 40% · dtmf 50% \(2 of 4\) ≥ 50%/);

    const json = join(tmp.dir, 'gate.json');
    const junit = join(tmp.dir, 'gate.xml');
    const html = join(tmp.dir, 'gate.html');
    const r = await runVn(
      [
        'dialogue',
        'test',
        file,
        '--instance',
        instance,
        '--chatbots',
        'demo',
        '--min-coverage',
        'intents=80,dtmf=50',
        '--reporter',
        'pretty',
        '--reporter',
        `json=${json}`,
        '--reporter',
        `junit=${junit}`,
        '--reporter',
        `html=${html}`,
      ],
      { env: emu.env },
    );
    expect(r.code, r.stderr).toBe(9);
    expect(r.stderr).toMatch(/coverage below --min-coverage: intents 40% \(2 of 5\) < 80%/);
    expect(r.stdout).toMatch(/4 passed/);
    expect(r.stdout).toMatch(/Coverage gate failed \(--min-coverage\): intents 40% \(2 of 5\) < 80% · dtmf 50% \(2 of 4\) ≥ 50%/);
    expect((JSON.parse(readFileSync(json, 'utf8')) as JsonReport).summary.coverageGate?.passed).toBe(false);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(
      /<testcase name="coverage intents ≥ 80%" classname="coverage" time="0"><failure message="intents 40% \(2 of 5\) &lt; 80%" type="coverage"\/><\/testcase>/,
    );
    expect(xml).toMatch(/<testcase name="coverage dtmf ≥ 50%" classname="coverage" time="0"><\/testcase>/);
    validate(junit);
    expect(readFileSync(html, 'utf8')).toMatch(/<title>vn dialogue test — failed<\/title>.*id="coverage-gate">Coverage gate failed/s);

    const overall = await runVn(['dialogue', 'test', file, '--instance', instance, '--chatbots', 'demo', '--min-coverage', '100'], { env: emu.env });
    expect(overall.code).toBe(9);
    expect(overall.stderr).toMatch(/overall [\d.]+% \(\d+ of \d+\) < 100%/);
  });

  it('a failing test is exit 1, and the shortfall is named too', async () => {
    const file = write('gate-fail.test.yaml', 'conversations:\n  - name: wrong\n    turns:\n      - say: 我想查余额\n        bot: { action: HangUp }\n');
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--chatbots', 'demo', '--min-coverage', 'intents=100'], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 of 1 conversations did not pass \(1 failed\); coverage below --min-coverage: intents 20% \(1 of 5\) < 100%/);
  });

  it.each([
    [['--min-coverage', 'intents=abc'], /--min-coverage intents=abc: "abc" is not a percent from 0 to 100/],
    [['--min-coverage', 'branches=80'], /unknown kind "branches"/],
    [['--min-coverage', 'intents=80'], /--min-coverage intents: vn cannot see this bot's intents .*give --chatbots FILE/],
    [['--min-coverage', 'dtmf=80,paths=100'], /--min-coverage dtmf: vn cannot see this bot's DTMF menu/],
    [['--coverage', '--chatbots', 'no-such-bots.yaml'], /chatbots file no-such-bots\.yaml: cannot read it \(ENOENT\)/],
    [['--dry-run', '--min-coverage', 'intents=80'], /--min-coverage intents: vn cannot see/],
  ])('%j is exit 2 before anything is sent', async (flags, message) => {
    const file = write('bad.test.yaml', SUITE);
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, ...flags], { env: closed });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a chatbots file with problems is exit 2, one line per problem', async () => {
    const bad = write(
      'bad-bots.yaml',
      'chatbots:\n  - id: b\n    intents:\n      - { name: x, examples: [], answer: a }\n    dtmf:\n      - { digits: "1x", answer: a }\n',
    );
    const r = await runVn(['dialogue', 'test', write('b.test.yaml', SUITE), '--instance', instance, '--coverage', '--chatbots', bad], { env: closed });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${bad}:4:30: chatbots[0].intents[0].examples must be a non-empty list of non-empty strings`,
      `${bad}:6:19: chatbots[0].dtmf[0].digits must be keypad digits (0-9, *, #)`,
    ]);
  });
});

describe('shards merged', () => {
  it('coverage is the union of what each shard reached, and merge gates it (exit 9), not the shards', async () => {
    const file = write('shards.test.yaml', SUITE);
    const shard = async (i: number) => {
      const out = join(tmp.dir, `shard-${i}.json`);
      const r = await runVn(
        [
          'dialogue',
          'test',
          file,
          '--instance',
          instance,
          '--chatbots',
          'demo',
          '--min-coverage',
          'intents=40',
          '--shard',
          `${i}/2`,
          '--reporter',
          `json=${out}`,
        ],
        { env: emu.env },
      );
      // each shard reaches one of the two intents (20% < 40%), yet a shard does not fail on the whole suite's threshold
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Coverage gate \(checked by vn dialogue merge on the whole suite, not on a shard\): intents 20% \(1 of 5\) < 40%/);
      return out;
    };
    const [s1, s2] = [await shard(1), await shard(2)];
    const reached = (f: string) =>
      new Set(
        ((JSON.parse(readFileSync(f, 'utf8')) as JsonReport).summary.coverage?.[0]?.items ?? []).filter((i) => i.hits > 0).map((i) => `${i.kind} ${i.id}`),
      );
    const [r1, r2] = [reached(s1), reached(s2)];
    expect(r1.size).toBeGreaterThan(0);
    expect(r2.size).toBeGreaterThan(0);

    const merged = join(tmp.dir, 'merged.json');
    const m = await runVn(['dialogue', 'merge', s1, s2, '--reporter', 'pretty', '--reporter', `json=${merged}`], { env: emu.env });
    // the shards' own threshold, on the whole: 2 of 5 intents
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/Coverage gate: intents 40% \(2 of 5\) ≥ 40%/);
    const all = reached(merged);
    expect([...all].sort()).toEqual([...new Set([...r1, ...r2])].sort());
    expect(all.size).toBeGreaterThan(Math.max(r1.size, r2.size));
    const cov = (JSON.parse(readFileSync(merged, 'utf8')) as JsonReport).summary.coverage ?? [];
    expect(coverageTotals(cov).intents).toEqual({ reached: 2, total: 5, percent: 40 });
    expect(cov[0]?.items?.find((i) => i.id === '余额查询')?.reachedBy).toEqual([{ file, name: 'balance by voice' }]);

    const strict = await runVn(['dialogue', 'merge', s1, s2, '--min-coverage', 'intents=50'], { env: emu.env });
    expect(strict.code).toBe(9);
    expect(strict.stderr).toMatch(/coverage below --min-coverage: intents 40% \(2 of 5\) < 50%/);
    const bad = await runVn(['dialogue', 'merge', s1, s2, '--min-coverage', 'intents=x'], { env: emu.env });
    expect(bad.code).toBe(2);
  });

  it('mergeCoverage: an item reached in either report is reached, its tests the union, its turns the sum', () => {
    const base = { instanceId: 'i', paths: [], actions: {}, targets: {}, configuredTargets: [], unseenTargets: [] };
    const item = (hits: number, names: string[]) => ({
      kind: 'dtmf' as const,
      id: '1',
      label: 'DTMF 1',
      sources: [],
      hits,
      reachedBy: names.map((name) => ({ file: 'f', name })),
    });
    const [m] = mergeCoverage([
      { ...base, items: [item(2, ['a', 'b'])] },
      { ...base, items: [item(0, [])] },
      { ...base, items: [item(1, ['b', 'c'])] },
    ]);
    expect(m?.items).toEqual([item(3, ['a', 'b', 'c'])]);
  });
});

describe('the local profile', () => {
  it('reads the embedded emulator’s bots without --chatbots (the demo bot, or VN_LOCAL_CHATBOTS)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vn-cov-local-'));
    const env = { VN_CONFIG_DIR: join(dir, 'config'), VN_LOCAL_DATA: join(dir, 'local.db') };
    const c = await runVn(['--profile', 'local', 'instance', 'create', '--name', 'local-cov', '--concurrency', '5', '-o', 'json'], { env });
    expect(c.code, c.stderr).toBe(0);
    const id = JSON.parse(c.stdout).InstanceId as string;
    const file = write('local.test.yaml', SUITE);
    const r = await runVn(['--profile', 'local', 'dialogue', 'test', file, '--instance', id, '--min-coverage', 'intents=40,dtmf=50'], { env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/intents of 银行客服演示机器人 \(chatbot-demo-bank, the built-in demo\)/);
    expect(existsSync(env.VN_LOCAL_DATA)).toBe(true);
    // the embedded emulator serving a chatbots file: the same file is the model
    const bots = write('local-bots.yaml', 'chatbots:\n  - id: local-bot\n    intents:\n      - { name: 余额, examples: [我想查余额], answer: 余额充足。 }\n');
    const own = await runVn(['--profile', 'local', 'dialogue', 'test', file, '--instance', id, '--coverage', '--reporter', 'json'], {
      env: { ...env, VN_LOCAL_CHATBOTS: bots },
    });
    const cov = (JSON.parse(own.stdout) as JsonReport).summary.coverage?.[0];
    expect(cov?.chatbot).toEqual({ id: 'local-bot', name: 'local-bot', source: bots });
    expect(cov?.items?.filter((i) => i.kind === 'intents').map((i) => [i.id, i.hits])).toEqual([['余额', 1]]);
  });
});
