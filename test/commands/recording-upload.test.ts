// `vn recording upload`: GenerateUploadUrl, then the file posted to the form it answers; the
// FilePath it prints registers the recording with `vn recording save`, and `vn recording get
// --download` brings the same bytes back. Bad input exits 2 with nothing sent.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let instanceId: string;
let out: { dir: string; cleanup: () => void };

beforeAll(async () => {
  emu = await startTestEmulator();
  out = tempDir('vn-upload-');
  const client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0 });
  instanceId = String((await client.call('CreateInstance', { Name: 'upload-cli', Concurrency: 2 })).data.InstanceId);
  await client.call('BeginDialogue', { InstanceId: instanceId, ConversationId: 'up-conv', CallingNumber: '13900003333' });
});
afterAll(async () => {
  await emu?.stop();
  out?.cleanup();
});

describe('vn recording upload', () => {
  it('uploads, and the printed FilePath registers a recording whose download is the same bytes', async () => {
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(20_000, 7)]);
    const file = join(out.dir, 'call.wav');
    writeFileSync(file, wav);
    const up = await runVn(['recording', 'upload', instanceId, file, '-o', 'json'], { env: emu.env });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const result = JSON.parse(up.stdout) as { Key: string; FilePath: string; FileName: string; Bytes: number };
    expect(result).toMatchObject({ FileName: 'call.wav', Bytes: wav.length });
    expect(result.Key).toMatch(new RegExp(`^recordings/${instanceId}/[0-9a-f]{32}/call\\.wav$`));
    expect(result.FilePath).toBe(`oss://vn-emulator/${result.Key.slice(0, -'call.wav'.length)}`);
    const saved = await runVn(
      [
        'recording',
        'save',
        instanceId,
        'up-conv',
        '--file-name',
        'call.wav',
        '--file-path',
        result.FilePath,
        '--duration',
        '2',
        '--start-time',
        '2024-03-01T10:00',
        '--type',
        'Source',
      ],
      { env: emu.env },
    );
    expect(saved.code).toBe(0);
    const target = join(out.dir, 'back.wav');
    const got = await runVn(['recording', 'get', instanceId, 'up-conv', '--download', target], { env: emu.env });
    expect(got.code).toBe(0);
    expect(readFileSync(target).equals(wav)).toBe(true);
  });

  it('--name stores it under another name; the table output says how to register it', async () => {
    const file = join(out.dir, 'local-name.wav');
    writeFileSync(file, 'RIFF....');
    const up = await runVn(['recording', 'upload', instanceId, file, '--name', 'stored.wav', '-o', 'table'], { env: emu.env });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^uploaded .*local-name\.wav \(8 bytes\) as recordings\/.*\/stored\.wav; register it with: vn recording save /);
  });

  it('a missing file or a --name with a directory exits 2 with one line and nothing sent', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 500, {}));
    try {
      const env = { ...emu.env, VN_ENDPOINT: server.url };
      const missing = await runVn(['recording', 'upload', instanceId, join(out.dir, 'nope.wav')], { env });
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toContain('no such file');
      const file = join(out.dir, 'x.wav');
      writeFileSync(file, 'x');
      const bad = await runVn(['recording', 'upload', instanceId, file, '--name', 'a/b.wav'], { env });
      expect(bad.code).toBe(2);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('an upload the bucket refuses exits 1 naming its Code and RequestId', async () => {
    const server = await startRecordingServer((req, res) => {
      if (req.url.pathname === '/bucket') {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message><RequestId>5F1E2D3C</RequestId></Error>',
        );
        return;
      }
      json(res, 200, {
        RequestId: 'R-1',
        Code: 'OK',
        Success: true,
        Data: { Host: `${server.url}/bucket`, Folder: 'f/', AccessId: 'id', Policy: 'cA==', Signature: 'sig', Expire: 1 },
      });
    });
    try {
      const file = join(out.dir, 'refused.wav');
      writeFileSync(file, 'x');
      const r = await runVn(['recording', 'upload', instanceId, file], { env: { ...emu.env, VN_ENDPOINT: server.url } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('AccessDenied');
      expect(r.stderr).toContain('5F1E2D3C');
      expect(r.stderr).not.toContain('    at ');
      // one GenerateUploadUrl, one post: never re-sent
      expect(server.requests.map((q) => q.url.pathname)).toEqual(['/', '/bucket']);
    } finally {
      await server.close();
    }
  });

  it('a form whose Host cannot be reached exits 3', async () => {
    const server = await startRecordingServer((_req, res) =>
      json(res, 200, {
        RequestId: 'R-2',
        Data: { Host: 'http://127.0.0.1:9/bucket', Folder: 'f/', AccessId: 'id', Policy: 'cA==', Signature: 'sig', Expire: 1 },
      }),
    );
    try {
      const file = join(out.dir, 'unreachable.wav');
      writeFileSync(file, 'x');
      const r = await runVn(['recording', 'upload', instanceId, file], { env: { ...emu.env, VN_ENDPOINT: server.url } });
      expect(r.code).toBe(3);
    } finally {
      await server.close();
    }
  });
});
