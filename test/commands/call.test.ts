import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allActions } from '../../src/api/catalog.js';
import { parseWireArgs } from '../../src/commands/call.js';
import { closest } from '../../src/suggest.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { json, type Recorded, startRecordingServer } from '../helpers/http-server.js';
import { runVn } from '../helpers/run.js';

let emu: TestEmulator;
let id: string;

function vn(argv: string[]) {
  return runVn(argv, { env: emu.env });
}

async function recorded(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; requests: Recorded[] }> {
  const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'R' }));
  try {
    const r = await runVn(argv, {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret, VN_ENDPOINT: server.url },
    });
    return { ...r, requests: [...server.requests] };
  } finally {
    await server.close();
  }
}

beforeAll(async () => {
  emu = await startTestEmulator();
  const r = await vn(['call', 'CreateInstance', '--Name', 'via-call', '--Concurrency', '2', '--Description', '用 vn call 创建', '-o', 'json']);
  expect(r.stderr).toBe('');
  id = JSON.parse(r.stdout).InstanceId;
});

afterAll(async () => {
  await emu.stop();
});

describe('vn call', () => {
  it('--list lists every action of the catalog', async () => {
    const t = await vn(['call', '--list', '-o', 'table']);
    expect(t.code).toBe(0);
    const lines = t.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ACTION\s+GROUP\s+METHOD\s+READ-ONLY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(allActions().map((a) => a.name));
    expect(t.stdout).toMatch(/^DescribeInstance\s+instance\s+GET\s+yes$/m);
    const j = JSON.parse((await vn(['call', '--list', '-o', 'json'])).stdout);
    expect(j.Actions).toHaveLength(allActions().length);
    expect(j.Actions.find((a: { Action: string }) => a.Action === 'ListInstances')).toMatchObject({ Method: 'GET', ReadOnly: true, Paginated: true });
  });

  it('--describe lists an action’s parameters', async () => {
    const t = await vn(['call', 'ModifySilenceTimeoutConfig', '--describe', '-o', 'table']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^ModifySilenceTimeoutConfig PARAMETER\s+TYPE\s+REQUIRED\s+EXAMPLE$/m);
    expect(t.stdout).toMatch(/^FinalActionParams\s+string \(JSON\)\s+\{\}$/m);
    expect(t.stdout).toMatch(/^Threshold\s+integer\s+yes\s+3$/m);
  });

  it('<Action> --help lists that action’s wire parameters', async () => {
    const r = await runVn(['call', 'CreateInstance', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CreateInstance (POST) parameters:');
    expect(r.stdout).toMatch(/--Concurrency\s+long, required/);
    expect(r.stdout).toMatch(/--Description\s+string, e\.g\./);
    expect((await runVn(['call', '--help'])).stdout).not.toContain('parameters:');
  });

  it('calls an action with wire parameters: table, JSON and XML', async () => {
    const t = await vn(['call', 'DescribeInstance', '--InstanceId', id, '-o', 'table']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^Name\s+via-call$/m);
    expect(t.stdout).toMatch(/^Description\s+用 vn call 创建$/m);
    const j = JSON.parse((await vn(['call', 'DescribeInstance', `--InstanceId=${id}`, '-o', 'json'])).stdout);
    expect(j).toMatchObject({ InstanceId: id, Concurrency: 2 });
    const x = await vn(['call', 'DescribeInstance', '--InstanceId', id, '-o', 'xml']);
    expect(x.stdout).toMatch(/^\s*</);
    expect(x.stdout).toContain(`<InstanceId>${id}</InstanceId>`);
  });

  it('takes negative numbers and JSON values, and the global flags anywhere', async () => {
    const r = await vn(['call', 'ModifyTTSConfig', '--InstanceId', id, '--SpeechRate', '-150', '--Volume', '60', '-o', 'json']);
    expect(r.code).toBe(0);
    const tts = JSON.parse((await vn(['-o', 'json', 'call', 'DescribeTTSConfig', '--InstanceId', id])).stdout);
    expect(tts).toMatchObject({ SpeechRate: -150, Volume: 60 });
    const u = await vn([
      'call',
      'ModifyUnrecognizingConfig',
      '--InstanceId',
      id,
      '--Prompt',
      'p',
      '--FinalPrompt',
      'f',
      '--FinalAction',
      'HangUp',
      '--Threshold',
      '2',
      '--FinalActionParams',
      '{"reason":"x"}',
    ]);
    expect(u.code).toBe(0);
    const nav = JSON.parse((await vn(['call', 'DescribeNavigationConfig', '--InstanceId', id, '-o', 'json'])).stdout);
    expect(nav.UnrecognizingConfig).toMatchObject({ FinalAction: 'HangUp', Threshold: 2, FinalActionParams: '{"reason":"x"}' });
  });

  it('--all follows every page', async () => {
    await vn(['call', 'CreateInstance', '--Name', 'second', '--Concurrency', '1']);
    await vn(['call', 'CreateInstance', '--Name', 'third', '--Concurrency', '1']);
    const one = JSON.parse((await vn(['call', 'ListInstances', '--PageNumber', '1', '--PageSize', '1', '-o', 'json'])).stdout);
    expect(one.Instances).toHaveLength(1);
    const all = JSON.parse((await vn(['call', 'ListInstances', '--PageSize', '1', '--all', '-o', 'json'])).stdout);
    expect(all.Instances.map((i: { Name: string }) => i.Name).sort()).toEqual(['second', 'third', 'via-call']);
    const r = await recorded(['call', 'DescribeInstance', '--InstanceId', 'x', '--all']);
    expect(r.stderr).toMatch(/--all: DescribeInstance is not a paged action/);
    expect(r.code).toBe(2);
  });

  it('a service error is exit 1 with its code', async () => {
    const r = await vn(['call', 'DescribeInstance', '--InstanceId', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: InvalidInstanceId\.NotFound: .*RequestId: /m);
  });

  it('--force sends a parameter the catalog does not know', async () => {
    const r = await recorded(['call', 'DescribeInstance', '--InstanceId', 'x', '--Extra', 'yes', '--force']);
    expect(r.code).toBe(0);
    expect(r.requests[0]?.params).toMatchObject({ Action: 'DescribeInstance', InstanceId: 'x', Extra: 'yes' });
  });

  it('sends a bare flag as true', async () => {
    const r = await recorded(['call', 'DebugBeginDialogue', '--InstanceId', 'i', '--ConversationId', 'c', '--CallingNumber', '1', '--ShouldUseSandBox']);
    expect(r.code).toBe(0);
    expect(r.requests[0]?.params.ShouldUseSandBox).toBe('true');
  });

  const refusals: [string[], RegExp][] = [
    [['call'], /give an action/],
    [['call', 'DescribeInstanc', '--InstanceId', 'x'], /unknown action DescribeInstanc \(did you mean DescribeInstance\?\)/],
    [['call', 'describeinstance', '--InstanceId', 'x'], /did you mean DescribeInstance\?/],
    [['call', 'DescribeInstance', '--InstanceID', 'x'], /has no parameter InstanceID \(did you mean --InstanceId\?\); add --force/],
    [['call', 'DescribeInstance'], /DescribeInstance needs --InstanceId/],
    [['call', 'CreateInstance', '--Name', 'n', '--Concurrency', 'ten'], /Concurrency must be an integer/],
    [
      ['call', 'BeginDialogue', '--InstanceId', 'i', '--ConversationId', 'c', '--CallingNumber', '1', '--InitialContext', '{x'],
      /InitialContext must be valid JSON/,
    ],
    [['call', 'DescribeInstance', '--InstanceId', 'a', '--InstanceId', 'b'], /--InstanceId was given 2 times/],
    [['call', 'DescribeInstance', 'stray'], /unexpected "stray"/],
    [
      ['call', 'DebugBeginDialogue', '--InstanceId', 'i', '--ConversationId', 'c', '--CallingNumber', '1', '--ShouldUseSandBox', 'maybe'],
      /ShouldUseSandBox must be true or false/,
    ],
  ];
  it.each(refusals)('refuses vn %j before sending (exit 2)', async (argv, message) => {
    const r = await recorded(argv);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.requests).toHaveLength(0);
  });
});

describe('call helpers', () => {
  it('parseWireArgs reads --Name value, --Name=value, bare flags and repeats', () => {
    expect(parseWireArgs(['--A', '1', '--B=x=y', '--C', '--D', '-5', '--E', 'a', '--E', 'b'])).toEqual({ A: '1', B: 'x=y', C: 'true', D: '-5', E: ['a', 'b'] });
    expect(() => parseWireArgs(['--1bad', 'x'])).toThrow(/not a parameter name/);
  });

  it('closest finds near names and nothing for far ones', () => {
    const names = allActions().map((a) => a.name);
    expect(closest('ListInstance', names)).toBe('ListInstances');
    expect(closest('DescribeTTSTConfig', names)).toBe('DescribeTTSConfig');
    expect(closest('Zzzzzzzz', names)).toBeUndefined();
  });
});
