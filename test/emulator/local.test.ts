// The embedded `local` emulator (issue 10 point 8): each run accepts only a fresh random key that
// its own process holds, so another local process that finds its loopback port cannot drive it;
// its state directory is 0700 and the state file (with SQLite's -wal/-shm) 0600.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalQuery } from '../../src/client/encode.js';
import { signV1, timestampV1 } from '../../src/client/sign-v1.js';
import { type LocalEmulatorHandle, startLocalEmulator } from '../../src/emulator/local.js';
import { runVn, tempDir } from '../helpers/run.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function configDir(): string {
  const { dir, cleanup } = tempDir('vn-local-key-');
  cleanups.push(cleanup);
  return join(dir, 'config');
}

async function embedded(dir: string, env: NodeJS.ProcessEnv = {}): Promise<LocalEmulatorHandle> {
  const emu = await startLocalEmulator({ configDir: dir, env });
  cleanups.push(() => emu.close());
  return emu;
}

/** A V1 GET signed with the given key pair, as any local process could send it to the port. */
async function listInstances(url: string, key: { id: string; secret: string }): Promise<{ status: number; code?: string }> {
  const params: Record<string, string> = {
    Action: 'ListInstances',
    Format: 'JSON',
    Version: '2018-06-12',
    AccessKeyId: key.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: crypto.randomUUID(),
    Timestamp: timestampV1(new Date()),
    PageNumber: '1',
    PageSize: '10',
  };
  params.Signature = signV1('GET', params, key.secret);
  const res = await fetch(`${url}/?${canonicalQuery(params)}`);
  const body = (await res.json()) as { Code?: string };
  return { status: res.status, code: body.Code };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the embedded local emulator’s key', () => {
  it('is fresh and random for every run, and the old fixed public key opens nothing', async () => {
    const dir = configDir();
    const a = await embedded(dir);
    const b = await embedded(dir);
    expect(a.accessKeyId).not.toBe(b.accessKeyId);
    expect(a.accessKeySecret).not.toBe(b.accessKeySecret);
    expect(a.accessKeySecret.length).toBeGreaterThanOrEqual(40);
    for (const emu of [a, b]) {
      expect(emu.accessKeyId).not.toBe('vn-local');
      expect(emu.accessKeySecret).not.toBe('vn-local-emulator-key');
    }
    // its own process's key works
    expect((await listInstances(a.url, { id: a.accessKeyId, secret: a.accessKeySecret })).status).toBe(200);
    // the key every vn used to share, and another run's key, are refused
    expect(await listInstances(a.url, { id: 'vn-local', secret: 'vn-local-emulator-key' })).toEqual({ status: 404, code: 'InvalidAccessKeyId.NotFound' });
    expect(await listInstances(a.url, { id: b.accessKeyId, secret: b.accessKeySecret })).toEqual({ status: 404, code: 'InvalidAccessKeyId.NotFound' });
  });
});

describe('the embedded local emulator’s state', () => {
  it('a fresh config dir gets emulator/ 0700 and local.db (and -wal) 0600', async () => {
    const dir = configDir();
    const emu = await embedded(dir);
    // a change, so SQLite has written its -wal beside the file
    expect((await listInstances(emu.url, { id: emu.accessKeyId, secret: emu.accessKeySecret })).status).toBe(200);
    expect(mode(join(dir, 'emulator'))).toBe(0o700);
    expect(mode(join(dir, 'emulator', 'local.db'))).toBe(0o600);
    for (const side of ['local.db-wal', 'local.db-shm']) {
      const p = join(dir, 'emulator', side);
      if (existsSync(p)) expect(mode(p)).toBe(0o600);
    }
  });

  it('narrows a state dir and file an older vn left 0755 / 0644', async () => {
    const dir = configDir();
    mkdirSync(join(dir, 'emulator'), { recursive: true, mode: 0o755 });
    chmodSync(join(dir, 'emulator'), 0o755);
    writeFileSync(join(dir, 'emulator', 'local.db'), '', { mode: 0o644 });
    chmodSync(join(dir, 'emulator', 'local.db'), 0o644);
    await embedded(dir);
    expect(mode(join(dir, 'emulator'))).toBe(0o700);
    expect(mode(join(dir, 'emulator', 'local.db'))).toBe(0o600);
  });

  it('a VN_LOCAL_DATA file is 0600 and its new directory 0700; an existing directory is left alone', async () => {
    const { dir, cleanup } = tempDir('vn-local-data-');
    cleanups.push(cleanup);
    const file = join(dir, 'fresh', 'state.db');
    await embedded(configDir(), { VN_LOCAL_DATA: file });
    expect(mode(join(dir, 'fresh'))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    chmodSync(dir, 0o755);
    await embedded(configDir(), { VN_LOCAL_DATA: join(dir, 'other.db') });
    expect(mode(dir)).toBe(0o755);
    expect(mode(join(dir, 'other.db'))).toBe(0o600);
  });

  it('vn --profile local, run as a user runs it, leaves the same modes', async () => {
    const { dir, cleanup } = tempDir('vn-local-cli-');
    cleanups.push(cleanup);
    const env = { HOME: dir, VN_CONFIG_DIR: join(dir, 'config') };
    const created = await runVn(['--profile', 'local', 'instance', 'create', '--name', 'private', '--concurrency', '1', '-o', 'json'], { env });
    expect(created.code).toBe(0);
    expect(mode(join(dir, 'config', 'emulator'))).toBe(0o700);
    expect(mode(join(dir, 'config', 'emulator', 'local.db'))).toBe(0o600);
  });
});
