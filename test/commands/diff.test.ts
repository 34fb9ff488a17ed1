import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, spawnVn } from '../helpers/run.js';
import { type CountingProxy, startCountingProxy } from '../manifest/proxy.js';

let emu: TestEmulator;
let proxy: CountingProxy;
let env: Record<string, string>;
const vn = (...argv: string[]) => runVn(argv, { env });
const ok = async (...argv: string[]) => {
  const r = await vn(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};
const create = async (name: string) =>
  JSON.parse((await ok('instance', 'create', '--name', name, '--concurrency', '3', '-o', 'json')).stdout).InstanceId as string;

beforeAll(async () => {
  emu = await startTestEmulator();
  proxy = await startCountingProxy(emu.url);
  env = { ...emu.env, VN_ENDPOINT: proxy.url };
});
afterAll(async () => {
  await proxy.close();
  await emu.stop();
});

describe('vn diff -f FILE', () => {
  it('exits 0 when the live instance matches and 5 when it drifted, naming instance, section and field; sends no write', async () => {
    const id = await create('漂移热线');
    const file = join(emu.dir, 'drift.yaml');
    writeFileSync(file, (await ok('instance', 'export', id)).stdout);
    proxy.reset();
    const same = await vn('diff', '-f', file);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain(`= 漂移热线 (${id}): no differences`);

    await ok('tts', 'set', id, '--voice', 'xiaogang');
    await ok('ivr', 'set-greeting', id, '--words', '被改过了');
    proxy.reset();
    const drift = await vn('diff', '-f', file);
    expect(drift.code).toBe(5);
    expect(drift.stderr).toBe('');
    expect(drift.stdout).toContain(`--- live: 漂移热线 (${id})`);
    expect(drift.stdout).toContain(`+++ ${file}: 漂移热线`);
    expect(drift.stdout).toContain('@@ tts @@\n-voice: xiaogang\n+voice: xiaoyun\n');
    expect(drift.stdout).toContain('@@ greeting @@\n-greetingWords: 被改过了\n+greetingWords: 您好，欢迎致电智能导航\n');
    // piped: no colour codes
    expect(drift.stdout).not.toContain('\u001b[');

    const data = await vn('diff', '-f', file, '-o', 'json');
    expect(data.code).toBe(5);
    const parsed = JSON.parse(data.stdout);
    expect(parsed.match).toBe(false);
    expect(parsed.instances[0]).toMatchObject({ name: '漂移热线', instanceId: id, state: 'differs' });
    expect(parsed.instances[0].changes).toEqual([
      { section: 'tts', field: 'voice', from: 'xiaogang', to: 'xiaoyun' },
      { section: 'greeting', field: 'greetingWords', from: '被改过了', to: '您好，欢迎致电智能导航' },
    ]);
    const q = await vn('diff', '-f', file, '--query', 'instances[].changes[].field');
    expect(q.code).toBe(5);
    expect(JSON.parse(q.stdout)).toEqual(['voice', 'greetingWords']);
    expect(proxy.writes()).toEqual([]);
  });

  it('colours the diff on a terminal', async () => {
    const id = await create('彩色热线');
    const file = join(emu.dir, 'colour.yaml');
    writeFileSync(file, `name: 彩色热线\nconcurrency: 8\n`);
    const r = await runVn(['diff', '-f', file], { env: { ...env, NO_COLOR: undefined }, tty: { stdout: true } });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('\u001b[31m-concurrency: 3');
    expect(r.stdout).toContain('\u001b[32m+concurrency: 8');
    expect(id).toBeTruthy();
  });

  it('counts an instance the file has and the service does not as a difference', async () => {
    const file = join(emu.dir, 'missing.yaml');
    writeFileSync(file, 'name: 不存在的热线\nconcurrency: 2\n');
    const r = await vn('diff', '-f', file, '-o', 'json');
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).instances[0]).toMatchObject({ name: '不存在的热线', state: 'missing' });
  });

  it('exits 5 in a real process too (CI reads the code)', async () => {
    const file = join(emu.dir, 'ci.yaml');
    writeFileSync(file, 'name: 进程热线\nconcurrency: 2\n');
    const r = await spawnVn(['diff', '-f', file], { env });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('+++ ');
    await create('进程热线');
    writeFileSync(file, 'name: 进程热线\nconcurrency: 3\n');
    expect((await spawnVn(['diff', '-f', file], { env })).code).toBe(0);
  });

  it('takes the file from stdin with -f -', async () => {
    await create('标准输入热线');
    const r = await runVn(['diff', '-f', '-'], { env, stdin: 'name: 标准输入热线\nconcurrency: 4\n' });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('+++ <stdin>: 标准输入热线');
  });
});

describe('vn diff ID_A ID_B', () => {
  it('compares two live instances, every readable field but the names', async () => {
    const a = await create('比较-a');
    const b = await create('比较-b');
    const same = await vn('diff', a, b);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    await ok('tts', 'set', b, '--volume', '90');
    await ok('instance', 'disable', b);
    const r = await vn('diff', a, b, '-o', 'json');
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).instances[0].changes).toEqual([
      { section: 'instance', field: 'enabled', from: true, to: false },
      { section: 'tts', field: 'volume', from: 50, to: 90 },
    ]);
  });

  it('compares across profiles with --target-profile', async () => {
    const a = await create('跨账号');
    // the embedded local profile stands for a second account
    const localEnv = { VN_CONFIG_DIR: env.VN_CONFIG_DIR };
    const made = await runVn(['-p', 'local', 'instance', 'create', '--name', '跨账号', '--concurrency', '3', '-o', 'json'], { env: localEnv });
    expect(made.code, made.stderr).toBe(0);
    const b = JSON.parse(made.stdout).InstanceId as string;
    const same = await vn('diff', a, b, '--target-profile', 'local');
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect((await runVn(['-p', 'local', 'tts', 'set', b, '--voice', 'ruoxi'], { env: localEnv })).code).toBe(0);
    const r = await vn('diff', a, b, '--target-profile', 'local');
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('+++ b (local): 跨账号');
    expect(r.stdout).toContain('-voice: xiaoyun\n+voice: ruoxi');
  });

  it('refuses unclear usage with exit 2', async () => {
    expect((await vn('diff')).code).toBe(2);
    expect((await vn('diff', 'only-one')).code).toBe(2);
    expect((await vn('diff', '-f', 'x.yaml', 'a', 'b')).code).toBe(2);
    const r = await vn('diff', '-f', join(emu.dir, 'nope.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file');
  });
});
