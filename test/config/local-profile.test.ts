// The embedded `local` profile: no configuration, state in one SQLite file under VN_CONFIG_DIR,
// shared by every `vn --profile local` process, also concurrent ones.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../helpers/http-server.js';
import { runVn, spawnVn, tempDir } from '../helpers/run.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});

function freshConfig(): Record<string, string> {
  const { dir, cleanup } = tempDir('vn-local-');
  cleanups.push(cleanup);
  // no credentials of any kind in the environment: the profile must need none
  return { HOME: dir, VN_CONFIG_DIR: join(dir, 'config') };
}

describe('vn --profile local', () => {
  it('works with no configuration at all', async () => {
    const env = freshConfig();
    const listed = await runVn(['--profile', 'local', 'instance', 'list', '-o', 'json'], { env });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ TotalCount: 0 });
    const created = await runVn(['--profile', 'local', 'instance', 'create', '--name', 'in-process', '--concurrency', '2', '-o', 'json'], { env });
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).InstanceId as string;
    const described = await runVn(['--profile', 'local', 'instance', 'describe', id, '-o', 'json'], { env });
    expect(JSON.parse(described.stdout)).toMatchObject({ InstanceId: id, Name: 'in-process' });
    expect(existsSync(join(env.VN_CONFIG_DIR as string, 'emulator', 'local.db'))).toBe(true);
  });

  it('VN_PROFILE=local works the same way', async () => {
    const env = { ...freshConfig(), VN_PROFILE: 'local' };
    const r = await runVn(['instance', 'list', '-o', 'json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).TotalCount).toBe(0);
  });

  it('with --endpoint says why it has no key for it, and the two ways out (exit 4, nothing sent)', async () => {
    const server = await startRecordingServer((_req, res) => res.end('{}'));
    try {
      const cases: [string[], Record<string, string>, string, string][] = [
        [[], { VN_PROFILE: 'local' }, 'VN_PROFILE=local', 'unset VN_PROFILE'],
        [['--profile', 'local'], {}, '--profile local', 'drop --profile local'],
      ];
      for (const [flags, extra, chosenBy, way] of cases) {
        const r = await runVn([...flags, '--endpoint', server.url, 'instance', 'list'], { env: { ...freshConfig(), ...extra } });
        expect(r.code).toBe(4);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(`no AccessKey for --endpoint ${server.url}: the local profile (${chosenBy}) is the emulator embedded in vn`);
        expect(r.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET');
        expect(r.stderr).toContain(`and ${way}; or drop --endpoint to use the embedded emulator`);
      }
      // the current profile being local
      const env = freshConfig();
      expect((await runVn(['configure', 'use', 'local'], { env })).code).toBe(0);
      const current = await runVn(['--endpoint', server.url, 'instance', 'list'], { env });
      expect(current.code).toBe(4);
      expect(current.stderr).toContain('the local profile (the current profile)');
      expect(current.stderr).toContain('pick another profile (vn configure use NAME)');
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('separate processes see one state', async () => {
    const env = freshConfig();
    const created = await spawnVn(['--profile', 'local', 'instance', 'create', '--name', 'shared', '--concurrency', '4', '-o', 'json'], { env });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).InstanceId as string;
    const described = await spawnVn(['--profile', 'local', 'instance', 'describe', id, '-o', 'json'], { env });
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({ InstanceId: id, Name: 'shared', Concurrency: 4 });
    // and a process's own change is seen by the next in-process run too
    const listed = await runVn(['--profile', 'local', 'instance', 'list', '-o', 'json'], { env });
    expect((JSON.parse(listed.stdout).Instances as { InstanceId: string }[]).map((i) => i.InstanceId)).toEqual([id]);
  });

  it('eight concurrent `instance create` processes leave eight instances', async () => {
    const env = freshConfig();
    const names = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
    const results = await Promise.all(
      names.map((name) =>
        spawnVn(['--profile', 'local', 'instance', 'create', '--name', name, '--concurrency', '1', '-o', 'json'], { env, timeoutMs: 60_000 }),
      ),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const ids = results.map((r) => JSON.parse(r.stdout).InstanceId as string);
    expect(new Set(ids).size).toBe(8);
    const listed = await spawnVn(['--profile', 'local', 'instance', 'list', '-o', 'json'], { env });
    const body = JSON.parse(listed.stdout) as { TotalCount: number; Instances: { Name: string; InstanceId: string }[] };
    expect(body.TotalCount).toBe(8);
    expect(body.Instances.map((i) => i.Name).sort()).toEqual([...names].sort());
    expect(body.Instances.map((i) => i.InstanceId).sort()).toEqual([...ids].sort());
  }, 90_000);
});

describe('bounded names and ids (issue 18: a 100 KB name and id were accepted)', () => {
  const big = 'a'.repeat(100_000);

  it.each([
    ['an instance name', ['instance', 'create', '--name', big, '--concurrency', '1'], /^error: --name must be at most 128 characters, got 100000/],
    [
      'an instance name on modify',
      ['instance', 'modify', 'c28fc549-d88f-4f6e-85ad-a0806e5e39c0', '--name', big],
      /^error: --name must be at most 128 characters/,
    ],
    ['an instance id', ['instance', 'describe', big], /^error: <instance-id> must be at most 64 characters, got 100000/],
    [
      'an id with characters no id has (looked up as a name)',
      ['instance', 'describe', 'x/../y'],
      /^error: <instance-id> "x\/\.\.\/y" is no instance's name or id/,
    ],
  ])('%s is exit 2 in one short line, and nothing reaches the emulator', async (_what, argv, message) => {
    const env = freshConfig();
    const r = await runVn(['--profile', 'local', ...argv], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.length).toBeLessThan(400);
    const listed = await runVn(['--profile', 'local', 'instance', 'list', '-o', 'json'], { env });
    expect(JSON.parse(listed.stdout).TotalCount).toBe(0);
  });

  it('a 100 KB profile name is exit 2 in one short line', async () => {
    const env = freshConfig();
    for (const r of [await runVn(['--profile', big, 'instance', 'list'], { env }), await runVn(['instance', 'list'], { env: { ...env, VN_PROFILE: big } })]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: invalid profile name "a{37}…"/);
      expect(r.stderr.length).toBeLessThan(300);
    }
  });

  it('the emulator refuses them too (the gateway runs the same validator)', async () => {
    const { startEmulator } = await import('../../src/emulator/http.js');
    const { Client } = await import('../../src/client/client.js');
    const { TEST_KEY } = await import('../helpers/emulator.js');
    const emu = await startEmulator({ host: '127.0.0.1', port: 0, dataFile: ':memory:', accessKeys: [{ ...TEST_KEY, policy: 'full' }] });
    try {
      // validate: false sends what the CLI would have refused
      const client = new Client({
        endpoint: emu.url,
        credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret },
        retries: 0,
        validate: false,
      });
      await expect(client.call('CreateInstance', { Name: big.slice(0, 5000), Concurrency: 1 })).rejects.toMatchObject({
        code: 'InvalidParameter',
        httpStatus: 400,
      });
      await expect(client.call('DescribeInstance', { InstanceId: big.slice(0, 5000) })).rejects.toMatchObject({ code: 'InvalidParameter', httpStatus: 400 });
      const list = await client.call<{ TotalCount: number }>('ListInstances', { PageNumber: 1, PageSize: 10 });
      expect(list.data.TotalCount).toBe(0);
    } finally {
      await emu.close();
    }
  });
});
