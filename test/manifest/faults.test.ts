import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';
import { type CountingProxy, startCountingProxy } from './proxy.js';

let emu: TestEmulator;
let proxy: CountingProxy;
let env: Record<string, string>;
const vn = (...argv: string[]) => runVn(argv, { env });

beforeAll(async () => {
  emu = await startTestEmulator();
  proxy = await startCountingProxy(emu.url);
  env = { ...emu.env, VN_ENDPOINT: proxy.url };
});
afterAll(async () => {
  await proxy.close();
  await emu.stop();
});
beforeEach(() => {
  proxy.fault = undefined;
  proxy.reset();
});

const FILE = (name: string) =>
  [
    `name: ${name}`,
    'concurrency: 4',
    'enabled: false',
    'tts:',
    '  voice: aixia',
    'greeting:',
    '  greetingWords: 您好，故障演练',
    'silenceTimeout:',
    '  timeout: 25',
    'asr:',
    '  asrVocabularyId: v-fault',
    '',
  ].join('\n');

/** The instances of that name and their live configuration, read directly. */
async function instancesNamed(name: string) {
  const r = await runVn(['instance', 'list', '--all', '--name', name, '-o', 'json', '--retries', '10'], { env: { ...env, VN_ENDPOINT: emu.url } });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout).Instances as { InstanceId: string; Name: string }[]).filter((i) => i.Name === name);
}

async function expectWanted(id: string) {
  const e = { ...env, VN_ENDPOINT: emu.url };
  const get = async (...argv: string[]) => {
    const r = await runVn([...argv, '-o', 'json', '--retries', '10'], { env: e });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  expect(await get('instance', 'describe', id)).toMatchObject({ Concurrency: 4, Status: 'Disabled' });
  expect((await get('tts', 'get', id)).Voice).toBe('aixia');
  const nav = await get('ivr', 'get', id);
  expect(nav.GreetingConfig.GreetingWords).toBe('您好，故障演练');
  expect(nav.SilenceTimeoutConfig.Timeout).toBe(25);
  expect((await get('ivr', 'asr', 'get', id)).Data.AsrVocabularyId).toBe('v-fault');
}

describe('vn apply when something fails', () => {
  it('stops at a failed write, says what was applied and what remains (exit 1); a second apply converges', async () => {
    const file = join(emu.dir, 'fault.yaml');
    writeFileSync(file, FILE('故障热线'));
    // the third write (after CreateInstance and ModifyTTSConfig) fails
    proxy.fault = (action, writesBefore) => (writesBefore === 2 && action !== 'ListInstances' ? 'error-500' : undefined);
    const r = await vn('apply', '-f', file, '--yes');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('ModifyGreetingConfig for "故障热线" failed: InternalError: injected by the test proxy (HTTP 500, RequestId: PROXY-500)');
    expect(r.stderr).toContain('applied: CreateInstance for "故障热线", ModifyTTSConfig for "故障热线"');
    expect(r.stderr).toContain(
      'not applied: ModifyGreetingConfig for "故障热线", ModifySilenceTimeoutConfig for "故障热线", ModifyAsrConfig for "故障热线", DisableInstance for "故障热线"',
    );
    expect(r.stderr).toContain('run it again');
    expect(proxy.writes()).toEqual(['CreateInstance', 'ModifyTTSConfig', 'ModifyGreetingConfig']);

    proxy.fault = undefined;
    proxy.reset();
    const again = await vn('apply', '-f', file, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('~ update 故障热线');
    expect(proxy.writes()).toEqual(['ModifyGreetingConfig', 'ModifySilenceTimeoutConfig', 'ModifyAsrConfig', 'DisableInstance']);
    const found = await instancesNamed('故障热线');
    expect(found).toHaveLength(1);
    await expectWanted((found[0] as { InstanceId: string }).InstanceId);
    proxy.reset();
    expect((await vn('apply', '-f', file, '--yes')).code).toBe(0);
    expect(proxy.writes()).toEqual([]);
  });

  it('never re-sends CreateInstance whose answer was lost: it says so and stops; the next apply finds the instance by name', async () => {
    const file = join(emu.dir, 'lost.yaml');
    writeFileSync(file, FILE('失联热线'));
    proxy.fault = (action) => (action === 'CreateInstance' ? 'lose-answer' : undefined);
    const r = await vn('apply', '-f', file, '--yes');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('CreateInstance for "失联热线" may have been carried out');
    expect(r.stderr).toContain('not re-sent');
    expect(r.stderr).toContain('the next apply finds "失联热线" by name');
    expect(proxy.writes()).toEqual(['CreateInstance']);
    // the emulator did create it
    expect(await instancesNamed('失联热线')).toHaveLength(1);

    proxy.fault = undefined;
    proxy.reset();
    const again = await vn('apply', '-f', file, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(proxy.writes()).not.toContain('CreateInstance');
    const found = await instancesNamed('失联热线');
    expect(found).toHaveLength(1);
    await expectWanted((found[0] as { InstanceId: string }).InstanceId);
  });

  it('a 500 answer to CreateInstance is not re-sent either (it may have been carried out)', async () => {
    const file = join(emu.dir, 'err500.yaml');
    writeFileSync(file, FILE('五百热线'));
    proxy.fault = (action) => (action === 'CreateInstance' ? 'error-500' : undefined);
    const r = await vn('apply', '-f', file, '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('may have been carried out');
    expect(proxy.writes()).toEqual(['CreateInstance']);
    proxy.fault = undefined;
    expect((await vn('apply', '-f', file, '--yes')).code).toBe(0);
    expect(await instancesNamed('五百热线')).toHaveLength(1);
  });
});

describe('vn apply against the emulator’s own fault injection (--fault-rate)', () => {
  let faulty: TestEmulator;
  beforeAll(async () => {
    faulty = await startTestEmulator({ faultRate: 0.3 });
  });
  afterAll(async () => {
    await faulty.stop();
  });

  it('re-running after faults mid-apply leaves exactly one instance with the wanted configuration', async () => {
    const file = join(faulty.dir, 'flaky.yaml');
    writeFileSync(file, FILE('抖动热线'));
    const codes: number[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await runVn(['apply', '-f', file, '--yes'], { env: faulty.env });
      codes.push(r.code);
      if (r.code === 0 && r.stderr.includes('nothing to change')) break;
      expect([0, 1, 3], r.stderr).toContain(r.code);
    }
    expect(codes[codes.length - 1]).toBe(0);
    const list = await runVn(['instance', 'list', '--all', '-o', 'json', '--retries', '10'], { env: faulty.env });
    expect(list.code, list.stderr).toBe(0);
    const named = (JSON.parse(list.stdout).Instances as { InstanceId: string; Name: string }[]).filter((x) => x.Name === '抖动热线');
    expect(named).toHaveLength(1);
    // the file's every field, read back (reads are re-sent on faults): the instance is what it says
    const d = await runVn(['diff', '-f', file, '--retries', '10'], { env: faulty.env });
    expect(d.code, d.stdout + d.stderr).toBe(0);
  });
});
