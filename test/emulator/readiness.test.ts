// Readiness for scripts and CI (issue #24): `vn emulator start --ready-file/--print-env/--seed`
// and `vn emulator wait`, as real processes (exit codes, pids, files), never hanging.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, spawnVn, tempDir } from '../helpers/run.js';

const children = new Set<ChildProcess>();
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  for (const f of cleanups.splice(0)) await f();
});

function scratch(): { dir: string; env: Record<string, string> } {
  const { dir, cleanup } = tempDir('vn-ready-');
  cleanups.push(cleanup);
  return { dir, env: { HOME: dir, VN_CONFIG_DIR: join(dir, 'config') } };
}

function startInBackground(args: string[], env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; stdout: () => string } {
  const child = spawn(process.execPath, [BIN, 'emulator', 'start', ...args], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout?.on('data', (c) => (out += c));
  child.stderr?.resume();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stdout: () => out };
}

describe('vn emulator start --ready-file --print-env, then vn emulator wait', () => {
  it('writes the ready file (0600, URL and keys) and an eval-able export line; wait exits 0 with the URL', async () => {
    const { dir, env } = scratch();
    const ready = join(dir, 'emu.json');
    // a secret with a quote and a $ survives eval
    const emu = startInBackground(['--port', '0', '--data', ':memory:', '--ready-file', ready, '--print-env', '--access-key', "ak1:it's $ecret"], env);
    const waited = await spawnVn(['emulator', 'wait', '--ready-file', ready, '--pid', String(emu.child.pid), '--timeout', '20'], { env });
    expect(waited.code, waited.stderr).toBe(0);
    const info = JSON.parse(readFileSync(ready, 'utf8'));
    expect(info).toMatchObject({ accessKeyId: 'ak1', accessKeySecret: "it's $ecret" });
    expect(waited.stdout.trim()).toBe(info.url);
    expect(statSync(ready).mode & 0o777).toBe(0o600);
    const line = emu.stdout().split('\n')[0] as string;
    expect(line).toMatch(/^export VN_ENDPOINT=/);
    const seen = execFileSync(
      'sh',
      ['-c', `eval "$LINE"; printf '%s|%s|%s' "$VN_ENDPOINT" "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET"`],
      {
        env: { PATH: process.env.PATH, LINE: line },
      },
    ).toString();
    expect(seen).toBe(`${info.url}|ak1|it's $ecret`);
  });

  it('--seed applies a configuration file once listening', async () => {
    const { dir, env } = scratch();
    const ready = join(dir, 'emu.json');
    startInBackground(['--port', '0', '--data', ':memory:', '--ready-file', ready, '--seed', join(ROOT, 'examples', 'hotline.yaml')], env);
    const waited = await spawnVn(['emulator', 'wait', '--ready-file', ready, '--timeout', '20'], { env });
    expect(waited.code, waited.stderr).toBe(0);
    const info = JSON.parse(readFileSync(ready, 'utf8'));
    const listed = await spawnVn(['instance', 'list', '-o', 'json'], {
      env: { ...env, VN_ENDPOINT: info.url, ALIBABA_CLOUD_ACCESS_KEY_ID: info.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: info.accessKeySecret },
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).Instances.map((i: { Name: string }) => i.Name)).toEqual(['示例热线']);
  });
});

describe('vn emulator wait when the emulator fails', () => {
  it('exits 1 within its timeout when the emulator fails to start (port in use), at once with --pid', async () => {
    const { dir, env } = scratch();
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => busy.close(() => r())));
    const port = (busy.address() as { port: number }).port;
    const ready = join(dir, 'emu.json');
    const emu = startInBackground(['--port', String(port), '--data', ':memory:', '--ready-file', ready], env);
    const started = Date.now();
    const waited = await spawnVn(['emulator', 'wait', '--ready-file', ready, '--pid', String(emu.child.pid), '--timeout', '30'], { env });
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/exited before it was ready/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await emu.exited).toBe(1);
    expect(existsSync(ready)).toBe(false);
  });

  it('exits 1 at the timeout when nothing answers', async () => {
    const { env } = scratch();
    const started = Date.now();
    const waited = await spawnVn(['emulator', 'wait', 'http://127.0.0.1:9', '--timeout', '1'], { env });
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/not ready within 1s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a bad --timeout with exit 2', async () => {
    const { env } = scratch();
    expect((await spawnVn(['emulator', 'wait', 'http://127.0.0.1:9', '--timeout', 'soon'], { env })).code).toBe(2);
  });
});
