import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupAction } from '../../src/api/catalog.js';
import type { TestFile } from '../../src/dialogue/suite/format.js';
import { assignFiles, plannedDocument } from '../../src/release/gate.js';
import { listEntries } from '../../src/release/history.js';
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

describe('vn apply --test: the gate', () => {
  it('refuses a change that breaks a passing test (exit 11), names the test and turn, and writes nothing — apply, --dry-run and diff alike', async () => {
    const id = await newInstance('门禁热线');
    const change = file('breaks.yaml', 'name: 门禁热线\nsilenceTimeout: {finalAction: TransferToAgent, finalActionParams: {skillGroupId: vip}}\n');
    const seq = await lastSeq(emu);
    const historyDir = join(emu.dir, 'gate-history');

    const r = await vn('apply', '-f', change, '--test', SUITE, '--yes', '--history-dir', historyDir);
    expect(r.code, r.stderr).toBe(11);
    expect(r.stdout).toContain('silenceTimeout.finalAction HangUp → TransferToAgent');
    expect(r.stderr).toContain('5 tests on the current configuration and on the planned one');
    expect(r.stderr).toMatch(/broke: \S*demo-bank\.test\.yaml: "three silences hang up" \(passed now, failed with the change\)/);
    expect(r.stderr).toMatch(/line \d+ silence: action: expected HangUp, got TransferToAgent/);
    expect(r.stderr).toContain('error: 1 test that passes on the current configuration fails with the change: nothing was applied');
    expect(await writesAfter(emu, seq)).toEqual([]);
    expect((await listEntries(historyDir)).entries).toEqual([]);

    const dry = await vn('apply', '-f', change, '--test', SUITE, '--dry-run', '-o', 'json');
    expect(dry.code).toBe(11);
    const plan = JSON.parse(dry.stdout);
    expect(plan.gate).toMatchObject({ refused: true, broke: [{ name: 'three silences hang up', current: 'passed', planned: 'failed', instanceId: id }] });

    const diff = await vn('diff', '-f', change, '--test', SUITE);
    expect(diff.code).toBe(11);
    expect(diff.stdout).toContain('+finalAction: TransferToAgent');
    expect(diff.stderr).toContain('"three silences hang up"');
    expect(await writesAfter(emu, seq)).toEqual([]);
    const nav = JSON.parse((await vn('ivr', 'get', id, '-o', 'json')).stdout);
    expect(nav.SilenceTimeoutConfig.FinalAction).toBe('HangUp');
  });

  it('applies a harmless change after the gate passes (and diff --test exits 5 for the difference alone)', async () => {
    const id = await newInstance('无害热线');
    const change = file('harmless.yaml', 'name: 无害热线\ntts: {voice: aixia}\nsilenceTimeout: {threshold: 3}\n');
    const diff = await vn('diff', '-f', change, '--test', SUITE);
    expect(diff.code, diff.stderr).toBe(5);
    expect(diff.stderr).toContain('no test that passes now fails with the change');
    const seq = await lastSeq(emu);
    const r = await vn('apply', '-f', change, '--test', SUITE, '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('no test that passes now fails with the change');
    expect(await writesAfter(emu, seq)).toEqual(['ModifyTTSConfig']);
    expect(JSON.parse((await vn('tts', 'get', id, '-o', 'json')).stdout).Voice).toBe('aixia');
  });

  it('gates a rollback too: going back to the configuration that passed reports the test as fixed, and applies', async () => {
    const id = await newInstance('回滚门禁');
    const historyDir = join(emu.dir, 'rollback-gate-history');
    // applied without the gate: silence now transfers, and "three silences hang up" fails on the service
    const risky = file('rollback-risky.yaml', 'name: 回滚门禁\nsilenceTimeout: {finalAction: TransferToAgent}\n');
    expect((await vn('apply', '-f', risky, '--yes', '--history-dir', historyDir)).code).toBe(0);
    const r = await vn('apply', '--rollback', '--test', SUITE, '--yes', '--history-dir', historyDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('silenceTimeout.finalAction TransferToAgent → HangUp: 1 test, path "silence final action (TransferToAgent)"');
    expect(r.stderr).toMatch(/fixed: \S*demo-bank\.test\.yaml: "three silences hang up" \(failed now, passes with the change\)/);
    expect(JSON.parse((await vn('ivr', 'get', id, '-o', 'json')).stdout).SilenceTimeoutConfig.FinalAction).toBe('HangUp');
  });

  it('checks its flags and files before anything runs (exit 2, nothing written)', async () => {
    await newInstance('参数热线');
    const change = file('flags.yaml', 'name: 参数热线\ntts: {voice: aixia}\n');
    const seq = await lastSeq(emu);
    const noTest = await vn('apply', '-f', change, '--chatbots', 'bots.yaml', '--yes');
    expect(noTest.code).toBe(2);
    expect(noTest.stderr).toContain('--chatbots is for the sandboxes of --test');
    const badBots = await vn('apply', '-f', change, '--test', SUITE, '--chatbots', file('bots.yaml', 'bots: nope\n'), '--yes');
    expect(badBots.code).toBe(2);
    const badSuite = await vn('apply', '-f', change, '--test', file('bad.test.yaml', 'conversations: 3\n'), '--yes');
    expect(badSuite.code).toBe(2);
    expect(badSuite.stderr).toContain('bad.test.yaml');
    const twoIds = await vn('diff', 'a', 'b', '--test', SUITE);
    expect(twoIds.code).toBe(2);
    expect(await writesAfter(emu, seq)).toEqual([]);
  });
});

describe('the gate’s pieces', () => {
  it('plannedDocument lays the plan’s changes (file form) over the current export', () => {
    const current = { name: 'a', concurrency: 2, enabled: true, silenceTimeout: { threshold: 3, finalAction: 'HangUp' }, readOnly: { instanceId: 'i-1' } };
    const planned = plannedDocument(current, [
      { section: 'silenceTimeout', field: 'threshold', from: 3, to: 2 },
      { section: 'instance', field: 'enabled', from: true, to: false },
      { section: 'tts', field: 'voice', to: 'aixia' },
    ]);
    expect(planned).toEqual({ ...current, enabled: false, silenceTimeout: { threshold: 2, finalAction: 'HangUp' }, tts: { voice: 'aixia' } });
    expect(current.silenceTimeout.threshold).toBe(3);
  });

  it('assignFiles runs every file on the only instance, else on the one its `instance:` names', () => {
    const f = (path: string, instance?: string) => ({ path, instance }) as TestFile;
    const one = assignFiles([f('a'), f('b', 'other')], [{ id: 'i-1', name: 'x' }]);
    expect([...one.values()]).toEqual(['i-1', 'i-1']);
    const two = [
      { id: 'i-1', name: 'x' },
      { id: 'i-2', name: 'y' },
    ];
    expect([...assignFiles([f('a', 'y'), f('b', 'i-1')], two).values()]).toEqual(['i-2', 'i-1']);
    expect(() => assignFiles([f('c')], two)).toThrow(/c: the plan changes 2 instances \(x, y\); say which this file tests/);
  });
});

describe('vn apply --test --test-target STAGING: the gate on a staging instance of the service', () => {
  /** Write actions after `seq`, with the instance each was for. */
  async function writesFor(seq: number): Promise<{ action: string; instanceId: string | null }[]> {
    const res = await fetch(`${emu.url}/_vn/requests`);
    const { requests } = (await res.json()) as { requests: { seq: number; action: string | null; instanceId: string | null }[] };
    return requests
      .filter((r) => r.seq > seq && r.action && lookupAction(r.action)?.readOnly === false && !r.action.includes('Dialogue'))
      .map((r) => ({ action: r.action as string, instanceId: r.instanceId }));
  }

  it('gives staging the current configuration, then the planned one; a broken test refuses (exit 11) with nothing written to the target', async () => {
    const prod = await newInstance('生产热线');
    const staging = await newInstance('预发热线');
    // staging starts out different from production: the gate must first make it production's copy
    expect((await vn('ivr', 'set-silence-timeout', staging, '--threshold', '5')).code).toBe(0);
    const change = file('staging-breaks.yaml', 'name: 生产热线\nsilenceTimeout: {finalAction: TransferToAgent, finalActionParams: {skillGroupId: vip}}\n');
    const seq = await lastSeq(emu);
    const r = await vn('apply', '-f', change, '--test', SUITE, '--test-target', '预发热线', '--yes');
    expect(r.code, r.stderr).toBe(11);
    expect(r.stderr).toContain(`test gate (staging instance 预发热线 (${staging})`);
    expect(r.stderr).toContain('"three silences hang up" (passed now, failed with the change)');
    const writes = await writesFor(seq);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((w) => w.instanceId !== staging)).toEqual([]);
    const prodNav = JSON.parse((await vn('ivr', 'get', prod, '-o', 'json')).stdout);
    expect(prodNav.SilenceTimeoutConfig).toMatchObject({ FinalAction: 'HangUp', Threshold: 3 });
    const stagingNav = JSON.parse((await vn('ivr', 'get', staging, '-o', 'json')).stdout);
    expect(stagingNav.SilenceTimeoutConfig).toMatchObject({ FinalAction: 'TransferToAgent', Threshold: 3 });
    expect(JSON.parse((await vn('instance', 'describe', staging, '-o', 'json')).stdout).Name).toBe('预发热线');
  });

  it('applies a harmless change to the target once staging passes; refuses --dry-run and --chatbots with it (exit 2)', async () => {
    const prod = await newInstance('生产二号');
    await newInstance('预发二号');
    const change = file('staging-ok.yaml', 'name: 生产二号\ntts: {voice: aixia}\n');
    const r = await vn('apply', '-f', change, '--test', SUITE, '--test-target', '预发二号', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse((await vn('tts', 'get', prod, '-o', 'json')).stdout).Voice).toBe('aixia');
    const dry = await vn('apply', '-f', change, '--test', SUITE, '--test-target', '预发二号', '--dry-run');
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('--dry-run writes nothing');
    const bots = await vn('apply', '-f', change, '--test', SUITE, '--test-target', '预发二号', '--chatbots', 'x.yaml', '--yes');
    expect(bots.code).toBe(2);
  });
});
