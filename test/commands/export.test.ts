import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { BIN, runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let instanceId: string;
let client: Client;
let out: { dir: string; cleanup: () => void };

function sentRequest(stderr: string): boolean {
  return /\[debug\] > (GET|POST) /.test(stderr);
}

function taskCount(): number {
  return (emu.state.db.prepare('SELECT count(*) AS n FROM export_tasks').get() as { n: number }).n;
}

beforeAll(async () => {
  emu = await startTestEmulator();
  out = tempDir('vn-export-');
  client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
  instanceId = String((await client.call('CreateInstance', { Name: 'export-cli', Concurrency: 5 })).data.InstanceId);
  for (const [id, calling] of [
    ['conv-a', '13900001111'],
    ['conv-b', '13900002222'],
  ] as const) {
    await client.call('BeginDialogue', { InstanceId: instanceId, ConversationId: id, CallingNumber: calling });
    await client.call('Dialogue', { InstanceId: instanceId, ConversationId: id, Utterance: '我想查余额' });
    await client.call('EndDialogue', { InstanceId: instanceId, ConversationId: id });
  }
});

afterAll(async () => {
  await emu?.stop();
  out?.cleanup();
});

describe('vn export conversations', () => {
  it('starts a task and says how to follow it (table, JSON, XML)', async () => {
    const table = await runVn(['export', 'conversations', instanceId, '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^export \\S+ started; follow it with: vn export status ${instanceId} \\S+\\n$`));
    const json = JSON.parse((await runVn(['export', 'conversations', instanceId, '-o', 'json'], { env: emu.env })).stdout);
    expect(json.ExportTaskId).toMatch(/\S/);
    const xml = await runVn(['export', 'conversations', instanceId, '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toMatch(/<ExportTaskId>[^<]+<\/ExportTaskId>/);
  });

  it('--output-file waits for the task and leaves a complete CSV', async () => {
    const file = join(out.dir, 'all.csv');
    const r = await runVn(['export', 'conversations', instanceId, '--output-file', file, '-o', 'table'], { env: emu.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bytes = readFileSync(file);
    expect(r.stdout).toMatch(new RegExp(`^saved ${bytes.length} bytes to ${file} \\(export \\S+\\)\\n$`));
    const text = bytes.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split(/\r?\n/);
    expect(lines.length).toBeGreaterThan(2);
    expect(text).toContain('conv-a');
    expect(text).toContain('conv-b');
    expect(text).toContain('我想查余额');
    expect(readdirSync(out.dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('sends the calling number and time range, and reports the file in JSON', async () => {
    const file = join(out.dir, 'one.csv');
    const r = await runVn(
      [
        '--debug',
        'export',
        'conversations',
        instanceId,
        '--calling-number',
        '13900002222',
        '--from',
        '-1h',
        '--to',
        'now',
        '--output-file',
        file,
        '-o',
        'json',
      ],
      {
        env: emu.env,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/BeginTimeLeftRange=\d{13}/);
    expect(r.stderr).toContain('CallingNumber=13900002222');
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ Status: 'FINISHED', File: file, Bytes: readFileSync(file).length });
    expect(d.FileHttpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/exports\//);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('conv-b');
    expect(text).not.toContain('conv-a');
  });

  it('--wait shows the finished task and its URL (JSON and XML)', async () => {
    const json = JSON.parse((await runVn(['export', 'conversations', instanceId, '--wait', '-o', 'json'], { env: emu.env })).stdout);
    expect(json.Status).toBe('FINISHED');
    expect(json.FileHttpUrl).toMatch(/Signature=/);
    const xml = await runVn(['export', 'conversations', instanceId, '--wait', '-o', 'xml'], { env: emu.env });
    expect(xml.code).toBe(0);
    expect(xml.stdout).toMatch(/^<\?xml[^>]*>\n<Response><ExportTaskId>[^<]+<\/ExportTaskId><Status>FINISHED<\/Status>/);
  });

  it('draws a progress bar on a terminal', async () => {
    const file = join(out.dir, 'tty.csv');
    const r = await runVn(['export', 'conversations', instanceId, '--output-file', file, '-o', 'json'], { env: emu.env, tty: { stderr: true } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('tty.csv');
    expect(r.stderr).toMatch(/100% \d/);
  });

  it('refuses to overwrite an existing file before starting a task, and overwrites with --force', async () => {
    const file = join(out.dir, 'keep.csv');
    writeFileSync(file, 'precious');
    const before = taskCount();
    const r = await runVn(['--debug', 'export', 'conversations', instanceId, '--output-file', file], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists.*--force/);
    expect(sentRequest(r.stderr)).toBe(false);
    expect(taskCount()).toBe(before);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    const forced = await runVn(['export', 'conversations', instanceId, '--output-file', file, '--force'], { env: emu.env });
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('conv-a');
  });

  it.each([
    [['--output-file', '/nonexistent-dir-vn/x.csv'], /does not exist/],
    [['--from', 'last tuesday'], /--from is not a time/],
    [['--wait-timeout', 'soon', '--wait'], /--wait-timeout must be an integer/],
    [['--wait-timeout', '-1', '--wait'], /--wait-timeout must be 0 or more/],
  ])('refuses %j with exit 2 and sends nothing', async (flags, why) => {
    const before = taskCount();
    const r = await runVn(['--debug', 'export', 'conversations', instanceId, ...flags], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(sentRequest(r.stderr)).toBe(false);
    expect(taskCount()).toBe(before);
  });

  it('--dry-run prints the export request and neither starts a task nor writes a file', async () => {
    const file = join(out.dir, 'dry.csv');
    const before = taskCount();
    const r = await runVn(['--dry-run', 'export', 'conversations', instanceId, '--output-file', file], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/\?\S*Action=ExportConversationDetails/);
    expect(r.stdout).toContain('Action=ExportConversationDetails');
    expect(r.stderr).toBe('');
    expect(taskCount()).toBe(before);
    expect(existsSync(file)).toBe(false);
  });

  it('gives up after --wait-timeout and names the task', async () => {
    const r = await runVn(['export', 'conversations', instanceId, '--wait', '--wait-timeout', '0'], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`still RUNNING after 0s; check it later with: vn export status ${instanceId} \\S+`));
  });
});

describe('a download that breaks', () => {
  let broken: TestEmulator;
  let proxy: Server;
  let dir: { dir: string; cleanup: () => void };
  /** Hold the connection open after half the file instead of hanging up. */
  let stall = false;

  beforeAll(async () => {
    // the emulator hands out file URLs on this proxy, which passes half of each file and hangs up
    proxy = createServer(async (req, res) => {
      const upstream = await fetch(`${broken.url}${req.url}`);
      const body = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '', 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
        if (!stall) setTimeout(() => res.socket?.destroy(), 10);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    broken = await startTestEmulator({ publicUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    dir = tempDir('vn-broken-');
  });

  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise<void>((r) => proxy?.close(() => r()));
    await broken?.stop();
    dir?.cleanup();
  });

  it('leaves no target file and exits 3', async () => {
    const c = new Client({ endpoint: broken.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
    const id = String((await c.call('CreateInstance', { Name: 'broken', Concurrency: 1 })).data.InstanceId);
    const file = join(dir.dir, 'half.csv');
    const r = await runVn(['export', 'statistics', id, '--time-unit', 'day', '--output-file', file], { env: broken.env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/download from .* failed after \d+ of \d+ bytes/);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir.dir)).toEqual([]);
  });

  it('Ctrl-C in the middle leaves neither the target nor a part file', async () => {
    stall = true;
    const c = new Client({ endpoint: broken.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
    const id = String((await c.call('CreateInstance', { Name: 'interrupted', Concurrency: 1 })).data.InstanceId);
    const taskId = String((await c.call('ExportStatisticalData', { InstanceId: id, TimeUnit: 'Day', ExportType: 'statistical' })).data.ExportTaskId);
    const file = join(dir.dir, 'interrupted.csv');
    const child = spawn(process.execPath, [BIN, 'export', 'download', id, taskId, '--output-file', file], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...broken.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = once(child, 'close');
    const hasPart = () => readdirSync(dir.dir).some((f) => f.endsWith('.part'));
    for (let i = 0; i < 400 && !hasPart() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25));
    expect(hasPart(), stderr).toBe(true);
    child.kill('SIGINT');
    const [, signal] = await closed;
    expect(signal).toBe('SIGINT');
    expect(readdirSync(dir.dir)).toEqual([]);
  });
});

describe('vn export statistics', () => {
  it('exports statistics per day to a CSV', async () => {
    const file = join(out.dir, 'stats.csv');
    const r = await runVn(['--debug', 'export', 'statistics', instanceId, '--time-unit', 'day', '--from', '-2d', '--output-file', file, '-o', 'json'], {
      env: emu.env,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('TimeUnit=Day');
    expect(r.stderr).toContain('ExportType=statistical');
    const text = readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.trimEnd().split(/\r?\n/).length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(r.stdout).Bytes).toBe(readFileSync(file).length);
  });

  it('starts a task without waiting (table and XML)', async () => {
    const table = await runVn(['export', 'statistics', instanceId, '--time-unit', 'hour', '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^export \S+ started/);
    const xml = await runVn(['export', 'statistics', instanceId, '--time-unit', 'hour', '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toMatch(/<ExportTaskId>/);
  });

  it('refuses an export type the model does not know before sending (exit 2)', async () => {
    const r = await runVn(['--debug', 'export', 'statistics', instanceId, '--time-unit', 'hour', '--export-type', 'bogus'], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--export-type must be one of statistical, got "bogus"/);
    expect(r.stderr).not.toContain('> POST');
  });

  it.each([
    [[], /--time-unit/],
    [['--time-unit', 'month'], /month/],
    [['--time-unit', 'day', '--export-type', ' '], /--export-type must be one of statistical/],
    [['--time-unit', 'day', '--to', '2024-01-01', '--from', '2024-02-01'], /after --to/],
  ])('refuses %j with exit 2 and sends nothing', async (flags, why) => {
    const r = await runVn(['--debug', 'export', 'statistics', instanceId, ...flags], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(sentRequest(r.stderr)).toBe(false);
  });
});

describe('vn export status, download and tasks', () => {
  let taskId: string;
  beforeAll(async () => {
    taskId = String((await client.call('ExportConversationDetails', { InstanceId: instanceId })).data.ExportTaskId);
  });

  it('status shows the task in a table, JSON and XML', async () => {
    const table = await runVn(['export', 'status', instanceId, taskId, '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Status\s+(RUNNING|FINISHED)$/m);
    const json = JSON.parse((await runVn(['export', 'status', instanceId, taskId, '-o', 'json'], { env: emu.env })).stdout);
    expect(json.Status).toMatch(/RUNNING|FINISHED/);
    const xml = await runVn(['export', 'status', instanceId, taskId, '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toMatch(/<Status>(RUNNING|FINISHED)<\/Status>/);
  });

  it('download waits for the task and writes the file', async () => {
    const file = join(out.dir, 'later.csv');
    const r = await runVn(['export', 'download', instanceId, taskId, '--output-file', file, '-o', 'table'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^saved \d+ bytes to /);
    expect(readFileSync(file, 'utf8')).toContain('conv-a');
  });

  it('download refuses a missing --output-file or an existing one (exit 2, nothing sent)', async () => {
    const none = await runVn(['--debug', 'export', 'download', instanceId, taskId], { env: emu.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--output-file/);
    expect(sentRequest(none.stderr)).toBe(false);
    const file = join(out.dir, 'exists.csv');
    writeFileSync(file, 'x');
    const exists = await runVn(['--debug', 'export', 'download', instanceId, taskId, '--output-file', file], { env: emu.env });
    expect(exists.code).toBe(2);
    expect(sentRequest(exists.stderr)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('status of an unknown task is the service’s error (exit 1)', async () => {
    const r = await runVn(['export', 'status', instanceId, 'no-such-task'], { env: emu.env });
    expect(r.code).toBe(1);
  });

  it('tasks lists the download tasks (table, JSON, XML, --all)', async () => {
    const table = await runVn(['export', 'tasks', '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TASK\s+TITLE\s+STATUS\s+EXPIRES\s+FILES/m);
    expect(table.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    const json = JSON.parse((await runVn(['export', 'tasks', '-o', 'json'], { env: emu.env })).stdout);
    const total = json.DownloadTasks.TotalCount as number;
    expect(total).toBe(taskCount());
    const all = JSON.parse((await runVn(['export', 'tasks', '--page-size', '3', '--all', '-o', 'json'], { env: emu.env })).stdout);
    expect(all.DownloadTasks.List).toHaveLength(total);
    expect(all.DownloadTasks).not.toHaveProperty('PageSize'); // in the envelope too: the merged list is no one page
    expect(all.DownloadTasks.List.map((t: { TaskId: string }) => t.TaskId)).toContain(taskId);
    const xml = await runVn(['export', 'tasks', '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toMatch(/<TaskId>[^<]+<\/TaskId>/);
  });
});
