import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { BIN, runVn } from '../helpers/run.js';
import { hasTmux, inTerminal } from '../helpers/tmux.js';

let emu: TestEmulator;
let id: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  const r = await runVn(['instance', 'create', '--name', 'watch', '--concurrency', '3', '-o', 'json'], { env: emu.env });
  id = JSON.parse(r.stdout).InstanceId;
});
afterAll(async () => {
  await emu.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns the built CLI with a pipe for stdout; `interrupt` sends SIGINT (Ctrl-C). */
function spawnPiped(argv: string[]) {
  const child = spawn(process.execPath, [BIN, ...argv], { env: { PATH: process.env.PATH, NO_COLOR: '1', ...emu.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    out: () => stdout,
    err: () => stderr,
    async waitForLines(n: number) {
      for (let i = 0; i < 100 && stdout.split('\n').filter(Boolean).length < n; i++) await sleep(50);
    },
    interrupt: () => child.kill('SIGINT'),
    exited,
  };
}

describe('--watch', () => {
  it('piped: prints one line per change (not per poll), and Ctrl-C ends it with exit 0', async () => {
    const w = spawnPiped(['instance', 'concurrency', id, '--watch', '--interval', '0.2', '-o', 'json']);
    await w.waitForLines(1);
    await sleep(800); // several polls, nothing changed
    expect(w.out().trimEnd().split('\n')).toHaveLength(1);
    const m = await runVn(['instance', 'modify', id, '--concurrency', '7'], { env: emu.env });
    expect(m.code, m.stderr).toBe(0);
    await w.waitForLines(2);
    await sleep(400);
    w.interrupt();
    expect(await w.exited).toBe(0);
    const lines = w
      .out()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.MaxConcurrency)).toEqual([3, 7]);
    expect(w.err()).toBe('');
  });

  it('refuses a bad --interval before sending', async () => {
    const r = await runVn(['--debug', 'instance', 'concurrency', id, '--watch', '--interval', '0'], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--interval must be a number of seconds/);
    expect(r.stderr).not.toMatch(/\[debug\] >/);
    const n = await runVn(['instance', 'concurrency', id, '--interval', '1'], { env: emu.env });
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/--interval needs --watch/);
  });

  it.each([
    ['export', 'status', '--help'],
    ['stats', 'summary', '--help'],
  ])('is offered by vn %s %s', async (...argv) => {
    const r = await runVn(argv);
    expect(r.stdout).toMatch(/-w, --watch/);
    expect(r.stdout).toMatch(/--interval <seconds>/);
  });
});

describe.skipIf(!hasTmux)('--watch in a terminal', () => {
  it('redraws in place and ends cleanly on Ctrl-C', async () => {
    await runVn(['instance', 'modify', id, '--concurrency', '7'], { env: emu.env });
    await inTerminal(['instance', 'concurrency', id, '-w', '--interval', '0.3', '-o', 'table'], emu.env, async (t) => {
      await t.waitFor((s) => /MaxConcurrency\s+7/.test(s), 'the first frame');
      await runVn(['instance', 'modify', id, '--concurrency', '5'], { env: emu.env });
      // the visible 50 rows only: tmux keeps what a clear-to-end wipes from the top row in its history
      const visible = (s: string) => s.replace(/\n$/, '').split('\n').slice(-50).join('\n');
      const screen = visible(await t.waitFor((s) => /MaxConcurrency\s+5/.test(visible(s)), 'the redrawn frame'));
      // one frame on the screen: the new one drawn over the old
      expect(screen.match(/^Every 0\.3s: vn instance concurrency/gm), screen).toHaveLength(1);
      expect(screen).not.toMatch(/MaxConcurrency\s+7/);
      t.keys('C-c');
      await t.waitFor((s) => /EXIT=0/.test(s), 'exit 0');
    });
  });
});
