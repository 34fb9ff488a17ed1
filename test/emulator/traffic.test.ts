import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  tmp = tempDir('vn-gen-traffic-');
  emu = await startTestEmulator({ trafficRate: 50 });
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

it('--traffic calls from a number of its own each time, and its calls become tests that pass against the same emulator', async () => {
  const client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0 });
  const instance = String((await client.call('CreateInstance', { Name: 'generated', Concurrency: 20 })).data.InstanceId);
  type Item = { CallingNumber: string; EndTime?: number };
  let items: Item[] = [];
  for (const started = Date.now(); Date.now() - started < 20_000; await new Promise((r) => setTimeout(r, 200))) {
    items = (await client.call('ListConversations', { InstanceId: instance, PageNumber: 1, PageSize: 100 })).data.Conversations as Item[];
    if (items.filter((c) => c.EndTime).length >= 12) break;
  }
  const numbers = items.map((c) => c.CallingNumber);
  for (const n of numbers) expect(n).toMatch(/^1[3-9]\d{9}$/);
  expect(new Set(numbers).size).toBeGreaterThan(numbers.length / 2);

  const dir = join(tmp.dir, 'suite');
  const r = await runVn(['stats', 'conversations', instance, '--as-tests', dir, '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { Conversations: number; Paths: number };
  expect(out.Conversations).toBeGreaterThanOrEqual(12);
  expect(out.Paths).toBeLessThanOrEqual(out.Conversations);
  const text = readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  for (const n of numbers) expect(text).not.toContain(n);
  const run = await runVn(['dialogue', 'test', dir, '--reporter', 'json'], { env: emu.env });
  expect(run.code, run.stdout.slice(0, 2000) + run.stderr).toBe(0);
  expect(JSON.parse(run.stdout).summary).toMatchObject({ passed: out.Paths, failed: 0 });
}, 40_000);

async function json(argv: string[]): Promise<Record<string, unknown>> {
  const r = await runVn([...argv, '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('emulator --traffic', () => {
  it('makes a realistic mix of calls: some transferred, some hung up by the bot, some turns not understood', async () => {
    const id = (await json(['instance', 'create', '--name', 'traffic', '--concurrency', '20'])).InstanceId as string;
    type Call = { HasToAgent: boolean; EndReason?: number; EndTime?: number };
    let calls: Call[] = [];
    const ended = () => calls.filter((c) => c.EndTime !== undefined);
    const seen = () => ended().some((c) => c.HasToAgent) && ended().some((c) => c.EndReason === 5) && ended().length >= 50;
    for (let i = 0; i < 100 && !seen(); i++) {
      await new Promise((r) => setTimeout(r, 250));
      calls = (await json(['call', 'ListConversations', '--InstanceId', id, '--PageNumber', '1', '--PageSize', '100', '--all'])).Conversations as Call[];
    }
    const done = ended();
    expect(done.length).toBeGreaterThanOrEqual(50);
    const transfer = done.filter((c) => c.HasToAgent).length / done.length;
    const hangUp = done.filter((c) => c.EndReason === 5).length / done.length;
    const stats = await json(['call', 'DescribeStatisticalData', '--InstanceId', id, '--TimeUnit', 'Hour']);
    const unrecognized = 1 - Number(String(stats.TotalValidAnswerRate).replace('%', '')) / 100;
    // about a fifth transferred, a tenth hung up, a sixth of the turns not understood: far from all or none
    expect(transfer).toBeGreaterThan(0.05);
    expect(transfer).toBeLessThan(0.45);
    expect(hangUp).toBeGreaterThan(0);
    expect(hangUp).toBeLessThan(0.3);
    expect(unrecognized).toBeGreaterThan(0.03);
    expect(unrecognized).toBeLessThan(0.4);
  }, 40_000);
});
