import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

let emu: TestEmulator;
const vn = (...argv: string[]) => runVn(argv, { env: emu.env });
const json = async (...argv: string[]) => {
  const r = await vn(...argv, '-o', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.stop();
});

describe('vn instance against the emulator', () => {
  it('creates, lists (every page with --all), describes, modifies, disables, enables and deletes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await json('instance', 'create', '--name', `热线-${i}`, '--concurrency', String(i + 1))).InstanceId);
    const page = await json('instance', 'list', '--page-size', '3', '--page-number', '3');
    expect(page).toMatchObject({ TotalCount: 7, PageNumber: 3, PageSize: 3 });
    expect(page.Instances).toHaveLength(1);
    const all = await json('instance', 'list', '--page-size', '3', '--all');
    expect(all.Instances.map((x: { InstanceId: string }) => x.InstanceId).sort()).toEqual([...ids].sort());
    expect(all.TotalCount).toBe(7);

    const id = ids[0] as string;
    expect(await json('instance', 'describe', id)).toMatchObject({ InstanceId: id, Name: '热线-0', Concurrency: 1, Status: 'Published' });
    await json('instance', 'modify', id, '--concurrency', '9', '--description', 'peak season');
    expect(await json('instance', 'describe', id)).toMatchObject({ Concurrency: 9, Description: 'peak season' });

    expect((await json('instance', 'disable', id)).Status).toBe('true');
    expect((await json('instance', 'describe', id)).Status).toBe('Disabled');
    const filtered = await json('instance', 'list', '--status', 'DISABLED');
    expect(filtered.Instances.map((x: { InstanceId: string }) => x.InstanceId)).toEqual([id]);
    expect((await json('instance', 'enable', id)).Status).toBe('true');
    expect((await json('instance', 'describe', id)).Status).toBe('Published');

    const table = await vn('instance', 'list', '--page-size', '10', '-o', 'table');
    expect(table.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+CONCURRENCY\s+DESCRIPTION\s+MODIFIED$/m);
    expect(table.stdout).toContain('7 in all');
    const xml = await vn('instance', 'describe', id, '-o', 'xml');
    expect(xml.stdout).toMatch(/<DescribeInstanceResponse>.*<InstanceId>[0-9a-f-]{36}<\/InstanceId>/s);

    const del = await vn('instance', 'delete', id, '--yes');
    expect(del.code).toBe(0);
    const gone = await vn('instance', 'describe', id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: InvalidInstanceId\.NotFound: .*\(HTTP 404, RequestId: [0-9A-F-]{36}\)$/m);
  });

  it('answers the seed error codes for duplicate names and too much concurrency', async () => {
    await json('instance', 'create', '--name', 'dup', '--concurrency', '1');
    const dup = await vn('instance', 'create', '--name', 'dup', '--concurrency', '1');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('InvalidInstanceName.Duplicated');
    const big = await vn('instance', 'create', '--name', 'big', '--concurrency', '100000');
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('InvalidConcurrency.LimitExceeded');
  });
});

describe('vn instance delete', () => {
  // the prompt naming the instance is seen on a real terminal: test/commands/terminal-prompts.test.ts
  it('with --yes asks nothing and reads nothing more than the delete', async () => {
    const id = (await json('instance', 'create', '--name', '直接删', '--concurrency', '1')).InstanceId as string;
    const traced = await vn('instance', 'delete', id, '--yes', '--debug');
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stderr).toContain('DeleteInstance');
    expect(traced.stderr).not.toContain('DescribeInstance');
    // and without a terminal it refuses before any request
    const other = (await json('instance', 'create', '--name', '不删', '--concurrency', '1')).InstanceId as string;
    const refused = await vn('instance', 'delete', other, '--debug');
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toMatch(/DescribeInstance|DeleteInstance/);
  });
});
