import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAnswers } from '../../src/dialogue/suite/compare.js';
import { parseTestFile } from '../../src/dialogue/suite/parse.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let tmp: { dir: string; cleanup: () => void };
let idA: string;
let idB: string;

async function createInstance(name: string): Promise<string> {
  const r = await runVn(['instance', 'create', '--name', name, '--concurrency', '5', '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).InstanceId as string;
}

function write(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

// B's silence prompt is changed; everything else is the demo bot on both
const SUITE = `conversations:
  - name: balance
    turns:
      - say: 我想查余额
  - name: silence
    turns:
      - say: 我想查余额
      - silence: true
`;

beforeAll(async () => {
  tmp = tempDir('vn-compare-');
  emu = await startTestEmulator();
  idA = await createInstance('compare-staging');
  idB = await createInstance('compare-production');
  const r = await runVn(['ivr', 'set-silence-timeout', idB, '--prompt', '喂？<b>还在吗</b>'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

describe('vn dialogue test --compare', () => {
  it('finds the changed answer turn by turn and exits 5; the same instance on both sides exits 0', async () => {
    const suite = write('a.test.yaml', SUITE);
    const html = join(tmp.dir, 'cmp.html');
    const r = await runVn(['dialogue', 'test', suite, '--compare', 'compare-staging', idB, '--reporter', 'json', '--reporter', `html=${html}`], {
      env: emu.env,
    });
    expect(r.code, r.stderr).toBe(5);
    const report = JSON.parse(r.stdout);
    expect(report.kind).toBe('vn-dialogue-comparison');
    expect(report.a.instance).toBe(idA);
    expect(report.b.instance).toBe(idB);
    expect(report.summary).toMatchObject({ conversations: 2, equal: 1, different: 1 });
    const silence = report.conversations.find((c: { name: string }) => c.name === 'silence');
    expect(silence.differing).toHaveLength(1);
    expect(silence.differing[0]).toMatchObject({ turn: 3, line: 8, sent: 'silence' });
    expect(silence.differing[0].differences).toEqual([expect.objectContaining({ field: 'text', b: '喂？<b>还在吗</b>' })]);
    // the pretty summary goes to stderr when JSON owns stdout
    expect(r.stderr).toMatch(/≠ .*silence/);
    expect(r.stderr).toContain('1 of 2 conversations differ (1 of 5 turns)');
    // the page escapes what the bot said
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('喂？&lt;b&gt;还在吗&lt;/b&gt;');
    expect(page).not.toContain('<b>还在吗');

    const same = await runVn(['dialogue', 'test', suite, '--compare', idA, 'compare-staging'], { env: emu.env });
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain('no differences: 2 conversations, 5 turns compared');
  });

  it('--compare-profile runs B on another profile (the embedded local one standing for a second account)', async () => {
    const suite = write('p.test.yaml', SUITE);
    const localEnv = { VN_CONFIG_DIR: emu.env.VN_CONFIG_DIR as string };
    const made = await runVn(['-p', 'local', 'instance', 'create', '--name', '另一个账号', '--concurrency', '3', '-o', 'json'], { env: localEnv });
    expect(made.code, made.stderr).toBe(0);
    const same = await runVn(['dialogue', 'test', suite, '--compare', idA, '另一个账号', '--compare-profile', 'local'], { env: emu.env });
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toMatch(/B: 另一个账号 \(.*profile local\)/);
    const changed = await runVn(['dialogue', 'test', suite, '--compare', idB, '另一个账号', '--compare-profile', 'local', '--reporter', 'json'], {
      env: emu.env,
    });
    expect(changed.code, changed.stderr).toBe(5);
    expect(JSON.parse(changed.stdout).b.profile).toBe('local');
  });

  it('ignores what the file marks volatile (per turn and per file)', async () => {
    const perTurn = write('turn.test.yaml', SUITE.replace('      - silence: true\n', '      - silence: true\n        volatile: [text]\n'));
    const r = await runVn(['dialogue', 'test', perTurn, '--compare', idA, idB], { env: emu.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const perFile = write('file.test.yaml', `volatile: [text]\n${SUITE}`);
    expect((await runVn(['dialogue', 'test', perFile, '--compare', idA, idB], { env: emu.env })).code).toBe(0);
    // `action` volatile leaves the text compared
    const wrong = write('action.test.yaml', `volatile: [action, params.skillGroupId]\n${SUITE}`);
    expect((await runVn(['dialogue', 'test', wrong, '--compare', idA, idB], { env: emu.env })).code).toBe(5);
  });

  it('--baseline compares with an earlier JSON report', async () => {
    const suite = write('b.test.yaml', SUITE);
    const base = join(tmp.dir, 'base.json');
    const first = await runVn(['dialogue', 'test', suite, '--instance', idA, '--reporter', `json=${base}`], { env: emu.env });
    expect(first.code, first.stderr).toBe(0);
    const same = await runVn(['dialogue', 'test', suite, '--instance', idA, '--baseline', base], { env: emu.env });
    expect(same.code, same.stdout + same.stderr).toBe(0);
    const changed = await runVn(['dialogue', 'test', suite, '--instance', 'compare-production', '--baseline', base], { env: emu.env });
    expect(changed.code, changed.stderr).toBe(5);
    expect(changed.stdout).toMatch(/turn 3 \(line 8, silence\):\n\s+text: A ".*" → B "喂？<b>还在吗<\/b>"/);
  });

  it('refuses bad combinations before anything is sent (exit 2)', async () => {
    const suite = write('c.test.yaml', SUITE);
    const cases: [string[], RegExp][] = [
      [['--compare', idA], /--compare takes two instances/],
      [['--compare', idA, idB, '--baseline', 'x.json'], /do not go together/],
      [['--compare', idA, idB, '--reporter', 'junit'], /pretty, json or html/],
      [['--compare', idA, idB, '--update'], /--update does not go with --compare/],
      [['--baseline', join(tmp.dir, 'missing.json'), '--instance', idA], /no such file/],
      [['--compare', 'no-such-instance', idB], /is no instance's name or id/],
    ];
    for (const [extra, message] of cases) {
      const r = await runVn(['dialogue', 'test', suite, ...extra], { env: emu.env });
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const notReport = write('not-report.json', '{"hello":1}');
    const r = await runVn(['dialogue', 'test', suite, '--instance', idA, '--baseline', notReport], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a JSON report of vn dialogue test');
  });

  it('checks `volatile` entries when the file is parsed', async () => {
    await expect(parseTestFile('v.test.yaml', 'volatile: [txt]\nconversations: [{ name: a, turns: [{ say: hi }] }]\n')).rejects.toThrow(
      /v.test.yaml:1:12: `volatile` entry "txt" is none of text, action, params, params.KEY/,
    );
    const f = await parseTestFile('v.test.yaml', 'conversations: [{ name: a, turns: [{ volatile: [text] }, { say: hi, volatile: [params.ticket] }] }]\n');
    expect(f.conversations[0]?.steps.map((s) => s.volatile)).toEqual([['text'], ['params.ticket']]);
  });
});

describe('compareAnswers', () => {
  it('names the ActionParams keys that differ, leaves out volatile ones, and reads numbers and their text as one', () => {
    const a = { TextResponse: 'x', Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"12","ticket":"T1","queue":1}' };
    const b = { TextResponse: 'x', Action: 'TransferToAgent', ActionParams: '{"skillGroupId":12,"ticket":"T2","queue":2}' };
    expect(compareAnswers(a, b, [])).toEqual([
      { field: 'params.queue', a: 1, b: 2 },
      { field: 'params.ticket', a: 'T1', b: 'T2' },
    ]);
    expect(compareAnswers(a, b, ['params.ticket', 'params.queue'])).toEqual([]);
    expect(compareAnswers(a, { ...b, Action: 'HangUp' }, ['params'])).toEqual([{ field: 'action', a: 'TransferToAgent', b: 'HangUp' }]);
  });
});
