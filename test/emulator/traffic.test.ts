import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
