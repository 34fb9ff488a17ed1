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

  it('--name "" (or blank) exits 2 with one line and nothing sent', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 500, {}));
    try {
      const file = join(out.dir, 'unnamed.wav');
      writeFileSync(file, 'x');
      for (const name of ['', '   ']) {
        const r = await runVn(['recording', 'upload', instanceId, file, '--name', name], { env: { ...emu.env, VN_ENDPOINT: server.url } });
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain('--name');
      }
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  /** A GenerateUploadUrl that answers a form whose Host is this server's /bucket, which answers with `bucket`. */
  async function withBucket(bucket: (res: import('node:http').ServerResponse) => void, run: (env: Record<string, string>) => Promise<void>) {
    const server = await startRecordingServer((req, res) => {
      if (req.url.pathname === '/bucket') return bucket(res);
      json(res, 200, { RequestId: 'R-3', Data: { Host: `${server.url}/bucket`, Folder: 'f/', AccessId: 'id', Policy: 'cA==', Signature: 'sig', Expire: 1 } });
    });
    try {
      await run({ ...emu.env, VN_ENDPOINT: server.url });
      expect(server.requests.map((q) => q.url.pathname)).toEqual(['/', '/bucket']);
    } finally {
      await server.close();
    }
  }

  it('an answer that is not the bucket’s exits 3 whatever its status, showing what arrived', async () => {
    const file = join(out.dir, 'portal.wav');
    writeFileSync(file, 'x');
    const page = '<!DOCTYPE html><html><head><title>Sign in to the Wi-Fi</title></head><body>please log in</body></html>';
    const answers: Array<[number, Record<string, string>, string]> = [
      // a captive portal's 200, even with an ETag as a static page has
      [200, { 'content-type': 'text/html' }, page],
      [200, { 'content-type': 'text/html', etag: '"abc"' }, page],
      // a 2xx without the ETag OSS always sends
      [200, {}, ''],
      [204, {}, ''],
      // a proxy's 502 page, and a 403 page that is not OSS's XML error
      [502, { 'content-type': 'text/html' }, '<html><body><h1>502 Bad Gateway</h1></body></html>'],
      [403, { 'content-type': 'text/html' }, '<html><body>Forbidden</body></html>'],
    ];
    for (const [status, headers, body] of answers) {
      await withBucket(
        (res) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        async (env) => {
          const r = await runVn(['recording', 'upload', instanceId, file], { env });
          expect({ status, etag: headers.etag, code: r.code }).toEqual({ status, etag: headers.etag, code: 3 });
          expect(r.stdout).toBe('');
          expect(r.stderr.trim().split('\n')).toHaveLength(1);
          expect(r.stderr).toContain(`HTTP ${status}`);
          if (body) expect(r.stderr).toContain(body.includes('Wi-Fi') ? 'Sign in to the Wi-Fi' : body.includes('502') ? '502 Bad Gateway' : 'Forbidden');
          expect(r.stderr.length).toBeLessThan(400);
        },
      );
    }
  });

  it('OSS’s own successes are accepted: 200 with an empty body, 201 with a PostResponse, 204; each with its ETag', async () => {
    const file = join(out.dir, 'oss.wav');
    writeFileSync(file, 'x');
    const answers: Array<[number, string]> = [
      [200, ''],
      [
        201,
        '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Bucket>b</Bucket><Location>http://b/f/oss.wav</Location><Key>f/oss.wav</Key><ETag>"E"</ETag></PostResponse>',
      ],
      [204, ''],
    ];
    for (const [status, body] of answers) {
      await withBucket(
        (res) => {
          res.writeHead(status, { etag: '"9B2CF535F27731C974343645A3985328"', 'x-oss-request-id': '5C3D9175B6FC201293AD4890', server: 'AliyunOSS' });
          res.end(body);
        },
        async (env) => {
          const r = await runVn(['recording', 'upload', instanceId, file, '-o', 'json'], { env });
          expect({ status, code: r.code, stderr: r.stderr }).toEqual({ status, code: 0, stderr: '' });
          expect(JSON.parse(r.stdout)).toMatchObject({ Key: 'f/oss.wav', Bytes: 1 });
        },
      );
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
