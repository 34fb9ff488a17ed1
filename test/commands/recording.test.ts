import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let instanceId: string;
let client: Client;
let out: { dir: string; cleanup: () => void };
const CONV = 'rec-conv-1';

function sentRequest(stderr: string): boolean {
  return /\[debug\] > (GET|POST) /.test(stderr);
}

/** Checks the RIFF/WAVE structure: sizes that add up, PCM format, a data chunk that fills the file. */
function expectValidWav(buf: Buffer): void {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
  expect(buf.readUInt32LE(4)).toBe(buf.length - 8);
  expect(buf.toString('ascii', 8, 12)).toBe('WAVE');
  let off = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let dataBytes = -1;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ')
      fmt = { format: buf.readUInt16LE(off + 8), channels: buf.readUInt16LE(off + 10), rate: buf.readUInt32LE(off + 12), bits: buf.readUInt16LE(off + 22) };
    if (id === 'data') {
      dataBytes = size;
      expect(off + 8 + size).toBe(buf.length);
    }
    off += 8 + size + (size % 2);
  }
  expect(fmt).toMatchObject({ format: 1, channels: 1, bits: 16 });
  expect([8000, 16000]).toContain(fmt?.rate);
  expect(dataBytes).toBeGreaterThan(0);
}

beforeAll(async () => {
  emu = await startTestEmulator();
  out = tempDir('vn-rec-');
  client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
  instanceId = String((await client.call('CreateInstance', { Name: 'rec-cli', Concurrency: 5 })).data.InstanceId);
  await client.call('BeginDialogue', { InstanceId: instanceId, ConversationId: CONV, CallingNumber: '13900001111' });
  await client.call('Dialogue', { InstanceId: instanceId, ConversationId: CONV, Utterance: '我想查余额' });
  await client.call('EndDialogue', { InstanceId: instanceId, ConversationId: CONV });
  await client.call('BeginDialogue', { InstanceId: instanceId, ConversationId: 'rec-conv-2', CallingNumber: '13900002222' });
});

afterAll(async () => {
  await emu?.stop();
  out?.cleanup();
});

describe('vn recording get', () => {
  it('shows the recording in a table, JSON and XML', async () => {
    const table = await runVn(['recording', 'get', instanceId, CONV, '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^FileName\s+\S+\.wav$/m);
    expect(table.stdout).toMatch(/^FilePath\s+http:\/\/127\.0\.0\.1:\d+\/\S+Signature=/m);
    const json = JSON.parse((await runVn(['recording', 'get', instanceId, CONV, '-o', 'json'], { env: emu.env })).stdout);
    expect(json.FileName).toMatch(/\.wav$/);
    expect(json.VoiceSliceRecordingListJson).toBeUndefined();
    const xml = await runVn(['recording', 'get', instanceId, CONV, '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toMatch(/<FileName>[^<]+\.wav<\/FileName>/);
  });

  it('--slices asks for the per-turn slices', async () => {
    const r = await runVn(['--debug', 'recording', 'get', instanceId, CONV, '--slices', '-o', 'json'], { env: emu.env });
    expect(r.stderr).toContain('NeedVoiceSliceRecording=true');
    const slices = JSON.parse(JSON.parse(r.stdout).VoiceSliceRecordingListJson);
    expect(Array.isArray(slices)).toBe(true);
    expect(slices.length).toBeGreaterThan(1);
  });

  it('--download FILE saves a valid WAV', async () => {
    const file = join(out.dir, 'call.wav');
    const r = await runVn(['recording', 'get', instanceId, CONV, '--download', file, '-o', 'table'], { env: emu.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const wav = readFileSync(file);
    expect(r.stdout).toBe(`saved recording to ${file} (${wav.length} bytes)\n`);
    expectValidWav(wav);
    const json = JSON.parse((await runVn(['recording', 'get', instanceId, CONV, '--download', file, '--force', '-o', 'json'], { env: emu.env })).stdout);
    expect(json).toMatchObject({ File: file, Bytes: wav.length });
  });

  it('--download without a file name uses the recording’s own name in the current directory', async () => {
    const here = process.cwd();
    process.chdir(out.dir);
    try {
      const r = await runVn(['recording', 'get', instanceId, 'rec-conv-2', '--download', '-o', 'json'], { env: emu.env });
      expect(r.code).toBe(0);
      const d = JSON.parse(r.stdout);
      expect(d.File).toBe(join(out.dir, d.FileName));
      expectValidWav(readFileSync(d.File));
    } finally {
      process.chdir(here);
    }
  });

  it('refuses to overwrite an existing file before asking for the recording', async () => {
    const file = join(out.dir, 'keep.wav');
    writeFileSync(file, 'precious');
    const r = await runVn(['--debug', 'recording', 'get', instanceId, CONV, '--download', file], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists.*--force/);
    expect(sentRequest(r.stderr)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  it('reports an unknown conversation (exit 1) and refuses missing ids (exit 2)', async () => {
    const missing = await runVn(['recording', 'get', instanceId, 'nope', '--download', join(out.dir, 'nope.wav')], { env: emu.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('InvalidConversationId.NotFound');
    expect(existsSync(join(out.dir, 'nope.wav'))).toBe(false);
    const noIds = await runVn(['recording', 'get', instanceId], { env: emu.env });
    expect(noIds.code).toBe(2);
  });
});

describe('vn recording save', () => {
  const base = ['--file-name', 'saved.wav', '--file-path', 'oss://bucket/record/', '--duration', '12', '--type', 'Source'];

  it('registers a recording, which DescribeRecording then returns', async () => {
    const r = await runVn(['--debug', 'recording', 'save', instanceId, CONV, ...base, '--start-time', '2024-03-01T10:00:00Z', '-o', 'table'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`saved recording saved.wav for conversation ${CONV}\n`);
    expect(r.stderr).toContain(`StartTime=${Date.UTC(2024, 2, 1, 10)}`);
    const json = JSON.parse((await runVn(['recording', 'get', instanceId, CONV, '-o', 'json'], { env: emu.env })).stdout);
    expect(json).toMatchObject({ FileName: 'saved.wav', FilePath: 'oss://bucket/record/' });
  });

  it('answers JSON and XML', async () => {
    const json = JSON.parse((await runVn(['recording', 'save', instanceId, CONV, ...base, '--start-time', 'now', '-o', 'json'], { env: emu.env })).stdout);
    expect(json.RequestId).toMatch(/\S/);
    const xml = await runVn(['recording', 'save', instanceId, CONV, ...base, '--start-time', '-1h', '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toMatch(/<RequestId>[^<]+<\/RequestId>/);
  });

  it('will not download a recording stored elsewhere', async () => {
    const file = join(out.dir, 'elsewhere.wav');
    const r = await runVn(['recording', 'get', instanceId, CONV, '--download', file], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no downloadable URL');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(out.dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it.each([
    [['--duration', 'ten'], /--duration must be a non-negative number/],
    [['--start-time', 'tomorrow-ish'], /--start-time is not a time/],
    [['--type', ''], /--type must not be empty/],
    [['--voice-slices', '[oops'], /--voice-slices must be valid JSON/],
  ])('refuses %j with exit 2 and sends nothing', async (flags, why) => {
    const r = await runVn(['--debug', 'recording', 'save', instanceId, CONV, ...base, '--start-time', 'now', ...flags], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(sentRequest(r.stderr)).toBe(false);
  });

  it('refuses a missing required flag (exit 2)', async () => {
    const r = await runVn(['--debug', 'recording', 'save', instanceId, CONV, '--file-name', 'x.wav'], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required options .*--file-path/);
    expect(sentRequest(r.stderr)).toBe(false);
  });
});

describe('vn recording url', () => {
  let taskId: string;
  let fileId: string;
  beforeAll(async () => {
    await client.call('ExportConversationDetails', { InstanceId: instanceId });
    await new Promise((r) => setTimeout(r, 1100));
    const list = (await client.call('ListDownloadTasks', { PageNumber: 1, PageSize: 10 })).data as {
      DownloadTasks: { List: { TaskId: string; DownloadTaskFiles: { FileId: string }[] }[] };
    };
    const task = list.DownloadTasks.List[0];
    taskId = task?.TaskId as string;
    fileId = task?.DownloadTaskFiles[0]?.FileId as string;
  });

  it('prints the URL in table mode; JSON and XML carry the envelope', async () => {
    const table = await runVn(['recording', 'url', taskId, fileId, '-o', 'table'], { env: emu.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/exports\/\S+Signature=\S+\n$/);
    const json = JSON.parse((await runVn(['recording', 'url', taskId, fileId, '-o', 'json'], { env: emu.env })).stdout);
    expect(json).toMatchObject({ Success: true });
    expect(json.FileHttpUrl).toMatch(/^http/);
    const xml = await runVn(['recording', 'url', taskId, fileId, '-o', 'xml'], { env: emu.env });
    expect(xml.stdout).toMatch(/<FileHttpUrl>[^<]+<\/FileHttpUrl>/);
  });

  it('reports an unknown file (exit 1) and refuses a missing one (exit 2)', async () => {
    const unknown = await runVn(['recording', 'url', taskId, 'no-such-file'], { env: emu.env });
    expect(unknown.code).toBe(1);
    const missing = await runVn(['recording', 'url', taskId], { env: emu.env });
    expect(missing.code).toBe(2);
  });
});
