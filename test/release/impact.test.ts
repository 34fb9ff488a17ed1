import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageItem } from '../../src/dialogue/suite/coverage.js';
import { impactOf } from '../../src/release/impact.js';
import { lastSeq, startTestEmulator, type TestEmulator, writesAfter } from '../helpers/emulator.js';
import { ROOT, runVn } from '../helpers/run.js';

let emu: TestEmulator;
let env: Record<string, string>;
const vn = (...argv: string[]) => runVn(argv, { env });
const SUITE = join(ROOT, 'examples', 'demo-bank.test.yaml');

beforeAll(async () => {
  emu = await startTestEmulator();
  env = emu.env;
});
afterAll(async () => {
  await emu.stop();
});

async function newInstance(name: string): Promise<string> {
  const r = await vn('instance', 'create', '--name', name, '--concurrency', '2', '-o', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).InstanceId as string;
}

function file(name: string, text: string): string {
  const path = join(emu.dir, name);
  writeFileSync(path, text);
  return path;
}

const CHANGE = 'tts: {voice: aixia}\nsilenceTimeout: {threshold: 2}\nunrecognizing: {finalActionParams: {skillGroupId: vip}}\n';
const THRESHOLD_LINE = 'silenceTimeout.threshold 3 → 2: 2 tests, paths "silence prompt", "silence final action (HangUp)"';

describe('the plan names the tests per changed field', () => {
  it('from the last run’s JSON report (--impact-from), in the plan and its data', async () => {
    const id = await newInstance('影响热线');
    const report = join(emu.dir, 'last-run.json');
    const run = await vn('dialogue', 'test', SUITE, '--instance', id, '--coverage', '--reporter', `json=${report}`);
    expect(run.code, run.stderr).toBe(0);
    const change = file('impact.yaml', `name: 影响热线\n${CHANGE}`);
    const r = await vn('apply', '-f', change, '--impact-from', report, '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(THRESHOLD_LINE);
    expect(r.stdout).toContain('        tests: "complaint goes to an agent", "three silences hang up"');
    expect(r.stdout).toContain(
      'unrecognizing.finalActionParams {"skillGroupId":"fallbackSkillGroup"} → {"skillGroupId":"vip"}: 1 test, path "unrecognized final action',
    );
    expect(r.stdout).toContain('        tests: "not understood three times goes to an agent"');
    // no coverage item reads the voice: the change is shown as exercised by no test
    expect(r.stdout).toContain('tts.voice xiaoyun → aixia: 0 tests\n');

    const data = JSON.parse((await vn('apply', '-f', change, '--impact-from', report, '--dry-run', '-o', 'json')).stdout);
    const threshold = data.instances[0].changes.find((c: { field: string }) => c.field === 'threshold');
    expect(threshold.impact.tests.map((t: { name: string }) => t.name)).toEqual(['complaint goes to an agent', 'three silences hang up']);
    expect(threshold.impact.items).toContain('paths:silence.final');
  });

  it('from the --test gate’s own run on the current configuration', async () => {
    await newInstance('门禁影响');
    const change = file('impact-gate.yaml', `name: 门禁影响\ntts: {voice: aixia}\nsilenceTimeout: {threshold: 2}\n`);
    const r = await vn('apply', '-f', change, '--test', SUITE, '--dry-run');
    expect(r.stdout).toContain(THRESHOLD_LINE);
    expect(r.stdout).toContain('tts.voice xiaoyun → aixia: 0 tests');
  });

  it('--min-coverage refuses a change whose suites reach too little (exit 9), writing nothing; bad values and reports are exit 2', async () => {
    await newInstance('覆盖热线');
    const change = file('coverage.yaml', 'name: 覆盖热线\ntts: {voice: aixia}\n');
    const before = await lastSeq(emu);
    const r = await vn('apply', '-f', change, '--test', SUITE, '--min-coverage', '100', '--yes');
    expect(r.code, r.stderr).toBe(9);
    expect(r.stderr).toMatch(/coverage with the change: overall [\d.]+% \(\d+ of \d+\) < 100%/);
    expect(r.stderr).toContain('--min-coverage is not met with the change');
    expect(await writesAfter(emu, before)).toEqual([]);
    const met = await vn('apply', '-f', change, '--test', SUITE, '--min-coverage', 'paths=50', '--dry-run');
    expect(met.code, met.stderr).toBe(0);

    expect((await vn('apply', '-f', change, '--min-coverage', '80', '--yes')).stderr).toContain('--min-coverage gates the suites of --test');
    expect((await vn('apply', '-f', change, '--test', SUITE, '--min-coverage', 'pathz=1', '--yes')).code).toBe(2);
    const missing = await vn('apply', '-f', change, '--impact-from', join(emu.dir, 'nope.json'), '--dry-run');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const notReport = await vn('apply', '-f', change, '--impact-from', file('x.json', '{"a":1}'), '--dry-run');
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toContain('not a JSON report of vn dialogue test');
    expect(await writesAfter(emu, before)).toEqual([]);
  });
});

describe('impactOf', () => {
  const item = (kind: CoverageItem['kind'], id: string, sources: string[], names: string[]): CoverageItem => ({
    kind,
    id,
    label: id,
    sources,
    hits: names.length,
    reachedBy: names.map((name) => ({ file: 't.yaml', name })),
  });
  const items = [
    item('paths', 'silence.final', ['SilenceTimeoutConfig.Threshold', 'SilenceTimeoutConfig.FinalAction'], ['b', 'a']),
    item('transfers', 'silence.final → x', ['SilenceTimeoutConfig.FinalAction'], ['c', 'a']),
    item('intents', '贷款', ['chatbot:demo.intents[贷款]'], ['d']),
  ];
  it('matches a field to the items whose sources name it, each test once', () => {
    expect(impactOf({ section: 'silenceTimeout', field: 'finalAction', from: 'HangUp', to: 'TransferToAgent' }, items)).toEqual({
      tests: ['a', 'b', 'c'].map((name) => ({ file: 't.yaml', name })),
      paths: ['silence.final'],
      items: ['paths:silence.final', 'transfers:silence.final → x'],
    });
    expect(impactOf({ section: 'chatbot', field: 'chatbotInstanceId', to: 'other' }, items)?.items).toEqual(['intents:贷款']);
    expect(impactOf({ section: 'tts', field: 'voice', to: 'aixia' }, items)).toBeUndefined();
    expect(impactOf({ section: 'silenceTimeout', field: 'timeout', to: 5 }, items)).toBeUndefined();
  });
});
