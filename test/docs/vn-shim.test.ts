import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, tempDir } from '../helpers/run.js';
import { bashWithVn, needsProcess, SharedLock, type ShimRequest, startVnShim, type VnShim } from '../helpers/vn-shim.js';

/**
 * The shim that lets the documented examples run `vn` in-process must be the real binary as far
 * as a script can tell: arguments, environment, directory, stdin, stdout, stderr and exit status.
 * A fake command (below) echoes what it was given, so each of those is checked on its own.
 */

async function readAll(stream: Readable): Promise<string> {
  let s = '';
  for await (const c of stream) s += c;
  return s;
}

/** `echo ARGS…` prints its request; `cat` copies stdin; `fail N` writes to stderr and exits N. */
async function fake(req: ShimRequest, stdin: Readable): Promise<RunResult> {
  const [cmd, ...args] = req.argv;
  if (cmd === 'cat') return { code: 0, stdout: await readAll(stdin), stderr: '' };
  if (cmd === 'fail') return { code: Number(args[0]), stdout: '', stderr: `failed ${args[0]}\n` };
  if (cmd === 'cwd') return { code: 0, stdout: `${process.cwd()} ${readFileSync('here.txt', 'utf8')}`, stderr: '' };
  return { code: 0, stdout: `${JSON.stringify({ args, FOO: req.env.FOO, BAR: req.env.BAR, TZ: req.env.TZ })}\n`, stderr: '' };
}

let tmp: { dir: string; cleanup: () => void };
let shim: VnShim;

beforeAll(async () => {
  tmp = tempDir('vn-shim-test-');
  mkdirSync(join(tmp.dir, 'bin'));
  mkdirSync(join(tmp.dir, 'sub'));
  shim = await startVnShim(join(tmp.dir, 'bin'), { run: fake, needsProcess: (argv) => argv[0] === '--version' });
});
afterAll(async () => {
  await shim?.close();
  tmp?.cleanup();
});

function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: `${shim.bin}:${process.env.PATH}`, HOME: tmp.dir, TZ: 'Asia/Shanghai' };
    const child = spawn('bash', ['-eo', 'pipefail', '-c', script], { cwd: tmp.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the in-process vn shim', () => {
  it('passes every argument as written (spaces, empty, quotes, CJK) and the exported environment', async () => {
    const r = await bash(`export FOO='a b'; BAR=only-here vn echo 'x y' '' '"q"' 示例 --flag=1; vn echo`);
    expect(r.stderr).toBe('');
    const [first, second] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first).toEqual({ args: ['x y', '', '"q"', '示例', '--flag=1'], FOO: 'a b', BAR: 'only-here', TZ: 'Asia/Shanghai' });
    // a prefix assignment is for that command only; an unexported variable is not seen
    expect(second).toEqual({ args: [], FOO: 'a b', TZ: 'Asia/Shanghai' });
  });

  it('runs in the script’s directory, so relative files resolve as they would for the binary', async () => {
    const r = await bash('cd sub && echo there > here.txt && vn cwd');
    expect(r.stdout).toBe(`${join(tmp.dir, 'sub')} there\n`);
  });

  it('keeps stdout and stderr apart, and returns the exit status to set -e, || and $?', async () => {
    const r = await bash('vn fail 5 2>err.txt || echo "exit $?"; cat err.txt; vn fail 0; vn fail 3; echo unreachable');
    expect(r.stdout).toBe('exit 5\nfailed 5\n');
    expect(r.stderr).toBe('failed 0\nfailed 3\n');
    expect(r.code).toBe(3);
  });

  it('reads stdin from a pipe, a here-string and a file, and not at all when the command does not read it', async () => {
    const r = await bash(`printf 'one\\ntwo\\n' | vn cat; vn cat <<< here; echo file > in.txt; vn cat < in.txt
printf 'a\\nb\\n' | while read -r line; do vn echo "$line" >/dev/null; echo "read $line"; done`);
    expect(r.stderr).toBe('');
    // the loop's input is not swallowed by a vn that never reads stdin
    expect(r.stdout).toBe('one\ntwo\nhere\nfile\nread a\nread b\n');
  });

  it('runs a pipeline of two vn commands side by side (the second reads what the first writes)', async () => {
    const r = await bash('vn echo piped | vn cat | vn cat');
    expect(JSON.parse(r.stdout).args).toEqual(['piped']);
  });

  it('becomes the real CLI where the process is the point', async () => {
    const r = await bash('vn --version');
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(shim.log.filter((l) => l.mode === 'process').map((l) => l.argv)).toEqual([['--version']]);
  });

  it('keeps a server and --watch as processes, and everything else in-process', () => {
    expect(needsProcess(['emulator', 'start', '--port', '0'])).toBe(true);
    expect(needsProcess(['--profile', 'local', 'instance', 'concurrency', 'i-1', '--watch'])).toBe(true);
    expect(needsProcess(['export', 'status', 'i', 't', '-w'])).toBe(true);
    expect(needsProcess(['emulator', 'reset'])).toBe(false);
    expect(needsProcess(['instance', 'list', '--name', 'emulator'])).toBe(false);
  });

  it('runs the real command in-process for a script (bashWithVn)', async () => {
    const r = await bashWithVn(['-c', 'vn --help >/dev/null && vn nonsense-command; echo "exit $?"'], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, HOME: tmp.dir, VN_CONFIG_DIR: join(tmp.dir, 'config') },
      timeoutMs: 30_000,
    });
    expect(r.stdout).toBe('exit 2\n');
    expect(r.stderr).toMatch(/nonsense-command/);
    expect(r.log).toEqual([
      { argv: ['--help'], mode: 'in-process' },
      { argv: ['nonsense-command'], mode: 'in-process' },
    ]);
  });
});

describe('SharedLock', () => {
  it('lets holders of one key in together, and another key waits for all of them', async () => {
    const lock = new SharedLock();
    const order: string[] = [];
    await lock.acquire('a');
    await lock.acquire('a');
    const b = lock.acquire('b').then(() => order.push('b'));
    // a third "a" queues behind the waiting "b" rather than starving it
    const a3 = lock.acquire('a').then(() => order.push('a3'));
    lock.release();
    await Promise.resolve();
    expect(order).toEqual([]);
    lock.release();
    await b;
    expect(order).toEqual(['b']);
    lock.release();
    await a3;
    expect(order).toEqual(['b', 'a3']);
  });
});
