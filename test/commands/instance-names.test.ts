import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, spawnVn } from '../helpers/run.js';

/**
 * Issue #21: instances by name as well as id (an exact name, then a unique prefix), and no silent
 * truncation of a piped list. Against the emulator: the look-up is a real ListInstances.
 */

let emu: TestEmulator;
const vn = (...argv: string[]) => runVn(argv, { env: emu.env });
const ids: Record<string, string> = {};

beforeAll(async () => {
  emu = await startTestEmulator();
  // the newest first in a list: the backup's name contains the main one's
  for (const name of ['示例热线', '示例热线-备份', 'demo-north', 'demo-south']) {
    const r = await vn('instance', 'create', '--name', name, '--concurrency', '2', '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    ids[name] = JSON.parse(r.stdout).InstanceId;
  }
});
afterAll(async () => {
  await emu.stop();
});

const describeId = async (ref: string) => {
  const r = await vn('instance', 'describe', ref, '-o', 'text', '--query', 'InstanceId');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};

describe('an instance by name', () => {
  it('takes an exact name first, even when another name starts with it', async () => {
    expect(await describeId('示例热线')).toBe(ids.示例热线);
    expect(await describeId('示例热线-备份')).toBe(ids['示例热线-备份']);
  });

  it('takes a unique prefix of a name', async () => {
    expect(await describeId('示例热线-')).toBe(ids['示例热线-备份']);
    expect(await describeId('demo-n')).toBe(ids['demo-north']);
  });

  it('takes an id as it is', async () => {
    expect(await describeId(ids['demo-south'] as string)).toBe(ids['demo-south']);
  });

  it('refuses a prefix shared by several names (exit 2), listing name, id and status', async () => {
    const concurrency = async () => (await vn('instance', 'describe', ids['demo-north'] as string, '-o', 'text', '--query', 'Concurrency')).stdout;
    const before = await concurrency();
    const r = await vn('instance', 'modify', 'demo', '--concurrency', '9');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/<instance-id> "demo" matches 2 instance names; give a whole name or an id/);
    expect(r.stderr).toContain(`demo-north  ${ids['demo-north']}  Published`);
    expect(r.stderr).toContain(`demo-south  ${ids['demo-south']}  Published`);
    // nothing was changed
    expect(await concurrency()).toBe(before);
  });

  it('refuses a name nobody has (exit 2), naming the nearest names', async () => {
    const r = await vn('tts', 'get', '示列热线');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: <instance-id> "示列热线" is no instance's name or id .*nearest: "示例热线"/m);
  });

  it('resolves a name for a write, and under --dry-run the look-up is still sent (the write is not)', async () => {
    const dry = await vn('--dry-run', 'instance', 'modify', 'demo-south', '--concurrency', '7');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout + dry.stderr).toContain(ids['demo-south']);
    const done = await vn('instance', 'modify', 'demo-south', '--concurrency', '7', '-o', 'json');
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse((await vn('instance', 'describe', ids['demo-south'] as string, '-o', 'json')).stdout).Concurrency).toBe(7);
  });

  it('resolves names given to flags and to commands that read the argument themselves', async () => {
    const chatbots = await vn('instance', 'chatbots', '--instance-id', '示例热线', '-o', 'json');
    expect(chatbots.code, chatbots.stderr).toBe(0);
    const exported = await vn('instance', 'export', '示例热线', 'demo-n', '-o', 'json');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('"name": "示例热线"');
    expect(exported.stdout).toContain('"name": "demo-north"');
  });

  it('dialogue test --instance takes a name too', async () => {
    const r = await vn('dialogue', 'test', 'examples/demo-bank.test.yaml', '--instance', '示列热线', '--reporter', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--instance "示列热线" is no instance's name or id .*nearest: "示例热线"/);
  });

  it('instance list --name-exact gives only the instance of that name', async () => {
    const contains = await vn('instance', 'list', '--name', '示例热线', '-o', 'text', '--query', 'Instances[].Name');
    expect(contains.stdout.trim().split('\n').sort()).toEqual(['示例热线', '示例热线-备份']);
    const exact = await vn('instance', 'list', '--name', '示例热线', '--name-exact', '-o', 'text', '--query', 'Instances[0].InstanceId');
    expect(exact.stdout.trim()).toBe(ids.示例热线);
    const missing = await vn('instance', 'list', '--name-exact');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--name-exact needs --name/);
  });
});

describe('no silent truncation of a piped list', () => {
  beforeAll(async () => {
    // 11 in all
    for (let i = 0; i < 7; i++) expect((await vn('instance', 'create', '--name', `page-${i}`, '--concurrency', '1')).code).toBe(0);
  });

  it('follows every page when stdout is not a terminal', async () => {
    const r = await vn('instance', 'list', '-o', 'tsv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('shows one page with --no-paginate, --page-size or --page-number', async () => {
    expect((await vn('instance', 'list', '-o', 'tsv', '--no-paginate')).stdout.trim().split('\n')).toHaveLength(10);
    expect((await vn('instance', 'list', '-o', 'tsv', '--page-size', '4')).stdout.trim().split('\n')).toHaveLength(4);
    expect((await vn('instance', 'list', '-o', 'tsv', '--page-number', '2')).stdout.trim().split('\n')).toHaveLength(1);
    const both = await vn('instance', 'list', '--all', '--no-paginate');
    expect(both.code).toBe(2);
  });

  it('on a terminal, the table shows one page and says so', async () => {
    const r = await runVn(['instance', 'list'], { env: emu.env, tty: { stdout: true } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/10 shown of 11/);
  });

  it('the built CLI, piped: 11 lines', async () => {
    const r = await spawnVn(['instance', 'list', '-o', 'tsv'], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(11);
  });
});
