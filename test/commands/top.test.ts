import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import { Context } from '../../src/context.js';
import { IOStreams } from '../../src/output/iostreams.js';
import { applyMarker, sparkline } from '../../src/top/view.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let tmp: { dir: string; cleanup: () => void };
let id: string;

// live calls (statistics count live traffic only): one transferred, one hung up by the bot, one ordinary
const CALLS = `env: live
conversations:
  - name: wants an agent
    turns:
      - say: 转人工
  - name: says nothing
    turns:
      - silence: true
      - silence: true
      - silence: true
  - name: asks the balance
    turns:
      - say: 我想查余额
      - say: 外币兑换
      - end: true
`;

beforeAll(async () => {
  tmp = tempDir('vn-top-');
  emu = await startTestEmulator();
  const c = await runVn(['instance', 'create', '--name', '监控热线', '--concurrency', '4', '-o', 'json'], { env: emu.env });
  expect(c.code, c.stderr).toBe(0);
  id = JSON.parse(c.stdout).InstanceId;
  const file = join(tmp.dir, 'calls.test.yaml');
  writeFileSync(file, CALLS);
  const r = await runVn(['dialogue', 'test', file, '--instance', id], { env: emu.env });
  expect(r.code, r.stdout + r.stderr).toBe(0);
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

/** The statistics actions' own numbers over the last 15 minutes, read the way a script would. */
async function statistics(): Promise<{ conversations: number; transfer: string; unrecognized: string; hangUp: string; concurrency: string }> {
  const now = Date.now();
  const s = await runVn(
    ['call', 'DescribeStatisticalData', '--InstanceId', id, '--TimeUnit', 'Hour', '--BeginTimeLeftRange', String(now - 15 * 60_000), '-o', 'json'],
    { env: emu.env },
  );
  expect(s.code, s.stderr).toBe(0);
  const stats = JSON.parse(s.stdout);
  const l = await runVn(
    [
      'call',
      'ListConversations',
      '--InstanceId',
      id,
      '--BeginTimeLeftRange',
      String(now - 15 * 60_000),
      '--PageNumber',
      '1',
      '--PageSize',
      '100',
      '-o',
      'json',
    ],
    {
      env: emu.env,
    },
  );
  const calls = JSON.parse(l.stdout).Conversations as { EndReason?: number; EndTime?: number }[];
  const ended = calls.filter((c) => c.EndTime !== undefined);
  const c = JSON.parse((await runVn(['instance', 'concurrency', id, '-o', 'json'], { env: emu.env })).stdout);
  const rest = (rate: string) => `${(100 - Number(rate.replace('%', ''))).toFixed(2)}%`;
  return {
    conversations: stats.ConversationTotalNum,
    transfer: rest(stats.TotalDialoguePassRate),
    unrecognized: rest(stats.TotalValidAnswerRate),
    hangUp: `${((ended.filter((x) => x.EndReason === 5).length / ended.length) * 100).toFixed(2)}%`,
    concurrency: `${c.RealTimeConcurrency}/${c.MaxConcurrency}`,
  };
}

describe('vn top --once', () => {
  it('prints one line per instance with the numbers of the statistics actions, and exits 0 under every threshold', async () => {
    const r = await runVn(['top', '监控热线', '--once', '--max-transfer-rate', '0.5', '--max-hangup-rate', '40%', '--max-concurrency-ratio', '1'], {
      env: emu.env,
    });
    expect(r.code, r.stderr).toBe(0);
    const s = await statistics();
    expect(s.conversations).toBe(3);
    expect(s.transfer).toBe('33.33%');
    expect(s.hangUp).toBe('33.33%');
    expect(r.stdout).toContain(`监控热线 (${id})`);
    expect(r.stdout).toContain(`concurrency ${s.concurrency}`);
    expect(r.stdout).toContain(`conversations ${s.conversations}`);
    expect(r.stdout).toContain(`transfer ${s.transfer}`);
    expect(r.stdout).toContain(`hang-up ${s.hangUp}`);
    expect(r.stdout).toContain(`unrecognized ${s.unrecognized}`);
  });

  it('exits 12 above a threshold, naming each one exceeded on stderr', async () => {
    const r = await runVn(['top', id, '--once', '--max-transfer-rate', '0.3', '--max-hangup-rate', '0.2', '--max-unrecognized-rate', '0.9'], {
      env: emu.env,
    });
    expect(r.code, r.stderr).toBe(12);
    expect(r.stderr).toContain('监控热线: transfer 33.33% is over --max-transfer-rate 30.00%');
    expect(r.stderr).toContain('监控热线: hang-up 33.33% is over --max-hangup-rate 20.00%');
    expect(r.stderr).not.toContain('unrecognized');
    expect(r.stdout).toContain('over: transfer, hang-up');
  });

  it('refuses a threshold that is no rate, before anything is read (exit 2)', async () => {
    for (const [flag, value] of [
      ['--max-transfer-rate', '1.5'],
      ['--max-hangup-rate', 'lots'],
      ['--interval', '0'],
      ['--window', '2.5'],
    ]) {
      const r = await runVn(['top', id, '--once', flag as string, value as string], { env: emu.env });
      expect(r.code, `${flag} ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(flag);
    }
    expect((await runVn(['top', 'no-such-hotline', '--once'], { env: emu.env })).code).toBe(2);
  });

  it('shows the last apply of the history that touched the instance', async () => {
    const history = join(tmp.dir, 'history');
    mkdirSync(history, { recursive: true });
    const entry = '20261205T221530123Z-9f3a1c';
    writeFileSync(
      join(history, `${entry}.json`),
      JSON.stringify({
        version: 1,
        id: entry,
        time: new Date().toISOString(),
        source: 'bot.yaml',
        user: 'alice',
        outcome: 'applied',
        plan: [{ instanceId: id, action: 'update' }],
        before: [],
        after: [],
        created: [],
      }),
    );
    const r = await runVn(['top', id, '--once'], { env: { ...emu.env, VN_HISTORY_DIR: history } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`last apply ${entry}`);
  });
});

describe('vn top on a terminal', () => {
  it('draws on the alternate screen, marks the last apply, pauses, switches instance, and gives the screen back on Ctrl-C', async () => {
    expect((await runVn(['instance', 'create', '--name', '第二热线', '--concurrency', '2'], { env: emu.env })).code).toBe(0);
    const keys = new PassThrough();
    const history = join(tmp.dir, 'history-now');
    mkdirSync(history, { recursive: true });
    const entry = '20261205T230000000Z-0a0b0c';
    writeFileSync(
      join(history, `${entry}.json`),
      JSON.stringify({
        version: 1,
        id: entry,
        time: new Date().toISOString(),
        source: 'bot.yaml',
        plan: [{ instanceId: id, action: 'update' }],
        before: [],
        after: [],
        created: [],
      }),
    );
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...emu.env, VN_HISTORY_DIR: history };
    const t = IOStreams.test({ stdin: keys, tty: { stdin: true, stdout: true, stderr: true }, columns: 150, env });
    const ctx = new Context(t.io, env);
    const done = run(['top', '--interval', '0.5'], ctx);
    const until = async (test: () => boolean, what: string) => {
      for (let i = 0; i < 100 && !test(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(test(), what).toBe(true);
    };
    await until(() => t.stdout().includes('监控热线') && t.stdout().includes('第二热线'), 'a first frame');
    // the row marked `>` is the instance shown in detail
    const selectedRow = () => (t.stdout().split('\x1b[H').at(-1) ?? '').split('\n').find((l) => l.startsWith('> ')) ?? '';
    const before = selectedRow();
    keys.write('\t');
    await until(() => selectedRow() !== before && selectedRow() !== '', 'tab selects the next instance');
    keys.write('p');
    await until(() => t.stdout().includes('PAUSED'), 'the pause mark');
    // the minute of the apply, on the timeline of the instance it changed
    expect(t.stdout()).toMatch(/timeline +\d\d:\d\d–\d\d:\d\d +▲ {2}▲ last apply/);
    expect(t.stdout()).toContain(`last apply     ${entry}`);
    keys.write('\x03');
    expect(await done).toBe(0);
    const out = t.stdout();
    expect(out.startsWith('\x1b[?1049h')).toBe(true);
    expect(out.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    expect(out).toContain('q quit · p/space pause · tab/n next instance');
    expect(out).toMatch(/transfer\s+33\.33%/);
  });
});

describe('the drawing', () => {
  it('draws sparklines to scale and marks the minute of the apply', () => {
    expect(sparkline([0, 0.5, 1, undefined], 1)).toBe('▁▅█ ');
    expect(sparkline([2, 4])).toBe('▅█');
    const buckets = [0, 1, 2, 3].map((m) => ({ start: m * 60_000, conversations: 0, transfers: 0, ended: 0, hangUps: 0 }));
    expect(applyMarker(buckets, { id: 'x', time: 2.5 * 60_000, source: 'f' })).toBe('  ▲ ');
    expect(applyMarker(buckets, { id: 'x', time: 9 * 60_000, source: 'f' })).toBe('');
  });
});
