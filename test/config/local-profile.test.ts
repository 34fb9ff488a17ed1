// The embedded `local` profile: no configuration, state in one SQLite file under VN_CONFIG_DIR,
// shared by every `vn --profile local` process, also concurrent ones.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
