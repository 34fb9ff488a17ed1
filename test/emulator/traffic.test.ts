import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator({ trafficRate: 50 });
});

afterAll(async () => {
  await emu?.stop();
});

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
