// `vn emulator start` as a real process: what it prints, how it stops, what it keeps.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalQuery } from '../../src/client/encode.js';
import { signV1, timestampV1 } from '../../src/client/sign-v1.js';
import { BIN, spawnVn, tempDir } from '../helpers/run.js';

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
  for (const f of cleanups.splice(0)) f();
});

function scratch(): string {
  const { dir, cleanup } = tempDir('vn-emu-proc-');
  cleanups.push(cleanup);
  return dir;
}

/** Spawns the built CLI's emulator and resolves once its first stdout line (the URL) is out. */
function startProcess(args: string[], home: string): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'emulator', 'start', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, HOME: home, VN_CONFIG_DIR: join(home, 'config'), NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 15s; stdout: ${out}; stderr: ${err}`)), 15_000);
    child.stderr.on('data', (c) => (err += c));
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ child, url: out.slice(0, nl), stdout: () => out, stderr: () => err, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before printing a URL; stderr: ${err}`));
    });
  });
}

/** Waits until the banner (everything after the URL line) has arrived. */
async function banner(r: Running): Promise<string> {
  for (let i = 0; i < 100 && !/try:/.test(r.stdout()); i++) await new Promise((res) => setTimeout(res, 20));
  return r.stdout().slice(r.stdout().indexOf('\n') + 1);
}

function signedUrl(base: string, key: { id: string; secret: string }, action: string, params: Record<string, string>): string {
  const all: Record<string, string> = {
    Action: action,
    Format: 'JSON',
    Version: '2018-06-12',
    AccessKeyId: key.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: timestampV1(new Date()),
    ...params,
  };
  all.Signature = signV1('GET', all, key.secret);
  return `${base}/?${canonicalQuery(all)}`;
}

const KEY = { id: 'proc-ak', secret: 'proc-secret-must-not-be-echoed-7Hq' };

describe('vn emulator start', () => {
  it('prints its URL on the first line, then a banner without the given secret', async () => {
    const home = scratch();
    const data = join(home, 'state.db');
    const r = await startProcess(['--data', data, '--access-key', `${KEY.id}:${KEY.secret}`, '--readonly-key', 'ro:ro-secret-xyz'], home);
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const text = await banner(r);
    expect(text).toContain(data);
    expect(text).toContain(`${KEY.id} (full access)`);
    expect(text).toContain('ro (read-only)');
    expect(text).not.toContain(KEY.secret);
    expect(text).not.toContain('ro-secret-xyz');
    const res = await fetch(signedUrl(r.url, KEY, 'ListInstances', { PageNumber: '1', PageSize: '10' }));
    expect(res.status).toBe(200);
    // the inspector's address, and it answers
    expect(text).toContain(`inspect:   ${r.url}/_vn/ui`);
    expect((await fetch(`${r.url}/_vn/ui`)).headers.get('content-security-policy')).toContain("script-src 'sha256-");
    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
  });

  it('generates and prints a key pair when none is given, and that key works with vn', async () => {
    const home = scratch();
    const r = await startProcess(['--data', join(home, 'g.db')], home);
    const text = await banner(r);
    const m = /generated: access key id (\S+), secret (\S+)/.exec(text);
    expect(m).not.toBeNull();
    const [, id, secret] = m as unknown as [string, string, string];
    const created = await spawnVn(['instance', 'create', '--name', 'from-generated', '--concurrency', '2', '-o', 'json'], {
      env: { VN_CONFIG_DIR: join(home, 'cli'), ALIBABA_CLOUD_ACCESS_KEY_ID: id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret, VN_ENDPOINT: r.url },
    });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).InstanceId).toBeTruthy();
    r.child.kill('SIGINT');
    expect((await r.exited).code).toBe(0);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s lets an in-flight request finish, then exits 0', async (signal) => {
    const home = scratch();
    const r = await startProcess(['--data', join(home, 's.db'), '--access-key', `${KEY.id}:${KEY.secret}`, '--latency-ms', '700'], home);
    const started = performance.now();
    const inFlight = fetch(signedUrl(r.url, KEY, 'ListInstances', { PageNumber: '1', PageSize: '10' })).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
    }));
    await new Promise((res) => setTimeout(res, 250));
    r.child.kill(signal);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.TotalCount).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(650);
    const exit = await r.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(r.stderr()).toContain('stopping');
    // no longer listening
    await expect(fetch(`${r.url}/`)).rejects.toThrow();
  });

  it('keeps its state across a restart with the same --data', async () => {
    const home = scratch();
    const data = join(home, 'keep.db');
    const key = ['--access-key', `${KEY.id}:${KEY.secret}`];
    const first = await startProcess(['--data', data, ...key], home);
    const env = { VN_CONFIG_DIR: join(home, 'cli'), ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.secret };
    const created = await spawnVn(['instance', 'create', '--name', 'survives', '--concurrency', '3', '-o', 'json'], {
      env: { ...env, VN_ENDPOINT: first.url },
    });
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).InstanceId as string;
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = await startProcess(['--data', data, ...key], home);
    const described = await spawnVn(['instance', 'describe', id, '-o', 'json'], { env: { ...env, VN_ENDPOINT: second.url } });
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({ InstanceId: id, Name: 'survives', Concurrency: 3 });
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it.each([
    [['--port', 'many']],
    [['--port', '70000']],
    [['--fault-rate', '2']],
    [['--fault-rate', 'often']],
    [['--latency-ms', '-5']],
    [['--access-key', 'no-colon']],
    [['--readonly-key', 'id:']],
    [['--no-such-flag']],
  ])('exits 2 on bad flags %j', async (args) => {
    const home = scratch();
    const r = await spawnVn(['emulator', 'start', '--data', join(home, 'x.db'), ...args], { env: { HOME: home, VN_CONFIG_DIR: join(home, 'config') } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toBe('');
  });

  it('exits non-zero with a message when the port is taken', async () => {
    const home = scratch();
    const first = await startProcess(['--data', join(home, 'a.db')], home);
    const port = new URL(first.url).port;
    const r = await spawnVn(['emulator', 'start', '--port', port, '--data', join(home, 'b.db')], { env: { HOME: home, VN_CONFIG_DIR: join(home, 'config') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(r.stderr).toContain('--port 0');
    first.child.kill('SIGTERM');
    await first.exited;
  });
});
