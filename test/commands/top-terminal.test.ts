import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runVn, tempDir } from '../helpers/run.js';
import { hasTmux, inTerminal } from '../helpers/tmux.js';

/**
 * `vn top` in a real terminal against `vn emulator start --traffic`: the synthetic calls make the
 * numbers; the instance is then disabled (no new calls begin; the open ones finish), and once the
 * numbers hold still the screen must show what the statistics actions say, queried here.
 */

let emulator: ChildProcess | undefined;
let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;

beforeAll(async () => {
  if (!hasTmux) return;
  tmp = tempDir('vn-top-tmux-');
  emulator = spawn(
    process.execPath,
    [BIN, 'emulator', 'start', '--port', '0', '--data', join(tmp.dir, 'e.db'), '--access-key', 'top-ak:top-secret-Q1', '--traffic', '40'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, VN_CONFIG_DIR: join(tmp.dir, 'emu-config') } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    emulator?.stdout?.on('data', (c) => {
      out += c;
      const first = out.split('\n')[0] as string;
      if (out.includes('\n')) resolve(first.trim());
    });
    emulator?.on('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
  });
  env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'top-ak',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'top-secret-Q1',
    VN_ENDPOINT: url,
    VN_CONFIG_DIR: join(tmp.dir, 'config'),
    VN_RETRY_BASE_MS: '5',
  };
}, 30_000);

afterAll(() => {
  emulator?.kill('SIGTERM');
  tmp?.cleanup();
});

interface Numbers {
  conversations: number;
  transfer: string;
  hangUp: string;
  unrecognized: string;
  concurrency: string;
}

/** What the statistics actions say over the last 15 minutes, computed here as a script would. */
async function statistics(id: string): Promise<Numbers> {
  const from = String(Date.now() - 15 * 60_000);
  const call = async (argv: string[]) => {
    const r = await runVn([...argv, '-o', 'json'], { env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  const stats = await call(['call', 'DescribeStatisticalData', '--InstanceId', id, '--TimeUnit', 'Hour', '--BeginTimeLeftRange', from]);
  const calls: { EndReason?: number; EndTime?: number }[] = (
    await call(['call', 'ListConversations', '--InstanceId', id, '--BeginTimeLeftRange', from, '--PageNumber', '1', '--PageSize', '100', '--all'])
  ).Conversations;
  const ended = calls.filter((c) => c.EndTime !== undefined);
  const c = await call(['instance', 'concurrency', id]);
  const rest = (rate: string) => `${(100 - Number(rate.replace('%', ''))).toFixed(2)}%`;
  return {
    conversations: stats.ConversationTotalNum,
    transfer: rest(stats.TotalDialoguePassRate),
    unrecognized: rest(stats.TotalValidAnswerRate),
    hangUp: `${((ended.filter((x) => x.EndReason === 5).length / ended.length) * 100).toFixed(2)}%`,
    concurrency: `${c.RealTimeConcurrency}/${c.MaxConcurrency}`,
  };
}

/** The numbers of the instance's detail on the screen. */
function onScreen(screen: string): Numbers {
  const field = (name: string) => {
    const m = new RegExp(`^  ${name}\\s+(\\S+)`, 'm').exec(screen);
    if (!m) throw new Error(`no ${name} on the screen:\n${screen}`);
    return m[1] as string;
  };
  return {
    conversations: Number(field('conversations')),
    transfer: field('transfer'),
    hangUp: field('hang-up'),
    unrecognized: field('unrecognized'),
    concurrency: field('concurrency'),
  };
}

describe('vn top in a terminal', () => {
  it.skipIf(!hasTmux)(
    'shows the numbers of the statistics actions while synthetic calls come in, and gives the screen back on q',
    async () => {
      const created = await runVn(['instance', 'create', '--name', '直播热线', '--concurrency', '10', '-o', 'json'], { env });
      expect(created.code, created.stderr).toBe(0);
      const id = JSON.parse(created.stdout).InstanceId as string;
      // the traffic calls the new instance
      for (let i = 0; i < 100 && (await statistics(id)).conversations < 20; i++) await new Promise((r) => setTimeout(r, 200));

      await inTerminal(['top', id, '--interval', '1'], env, async (t) => {
        await t.waitFor((s) => s.includes('vn top · 1 instance') && /conversations\s+[1-9]/.test(s), 'a first frame with calls');
        // no new calls begin on a disabled instance; the open ones end, and then the numbers hold still
        expect((await runVn(['instance', 'disable', id], { env })).code).toBe(0);
        let previous = await statistics(id);
        for (let i = 0; i < 40; i++) {
          await new Promise((r) => setTimeout(r, 500));
          const now = await statistics(id);
          if (JSON.stringify(now) === JSON.stringify(previous)) break;
          previous = now;
        }
        const expected = await statistics(id);
        expect(expected.conversations).toBeGreaterThanOrEqual(20);
        // two refreshes later the screen has the numbers that hold still
        await new Promise((r) => setTimeout(r, 2500));
        const screen = await t.waitFor((s) => s.includes('vn top ·'), 'the view');
        expect(onScreen(screen)).toEqual(expected);
        expect(screen).toContain('per minute');
        expect(screen).toMatch(/[▁▂▃▄▅▆▇█]/);
        t.keys('q');
        const after = await t.waitFor((s) => s.includes('EXIT='), 'vn top to exit');
        expect(after).toContain('EXIT=0');
        // the alternate screen is gone: the shell's screen is back, without the view
        expect(after).not.toContain('vn top ·');
      });
    },
    60_000,
  );
});
