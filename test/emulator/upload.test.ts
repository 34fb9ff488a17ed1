// GenerateUploadUrl (issue 10 point 3): asked for as the Python SDK's GenerateUploadUrlRequest
// asks (POST, its parameters in a form body) and as the TypeScript SDK would; its answer is an OSS
// PostObject form that the emulator, playing the bucket, accepts — posted as multipart/form-data
// the way OSS's own browser-upload guide posts it — until it expires.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READONLY_KEY, startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { type PythonOptions, type PyValue, pythonRpcRequest, sendPython } from './client-shapes.js';

const OpenApiClient = ((OpenApiModule as unknown as { default?: unknown }).default ?? OpenApiModule) as new (
  config: $OpenApiUtil.Config,
) => {
  callApi(params: $OpenApiUtil.Params, request: $OpenApiUtil.OpenApiRequest, runtime: RuntimeOptions): Promise<{ body: Record<string, unknown> }>;
};

interface Form {
  AccessId: string;
  Expire: number;
  Folder: string;
  Host: string;
  Policy: string;
  Signature: string;
  Success: boolean;
}

let emu: TestEmulator;
let clock = Date.now();
let instanceId: string;

function python(action: string, body: Record<string, PyValue>, o: Partial<PythonOptions> = {}) {
  // GenerateUploadUrlRequest sets every parameter with add_body_params; its method is POST
  return sendPython(pythonRpcRequest(emu.url, action, {}, { key: TEST_KEY, body, date: new Date(clock), ...o }));
}

async function uploadForm(body: Record<string, PyValue>): Promise<Form> {
  const got = await python('GenerateUploadUrl', body);
  expect(got.status).toBe(200);
  return got.body.Data as Form;
}

/** The PostObject form fields, the file last, as multipart/form-data. */
function post(
  form: Form,
  key: string,
  file: Buffer,
  extra: Record<string, string> = {},
  fields: Partial<Record<'policy' | 'Signature' | 'OSSAccessKeyId', string>> = {},
) {
  const data = new FormData();
  data.set('key', key);
  data.set('policy', fields.policy ?? form.Policy);
  data.set('OSSAccessKeyId', fields.OSSAccessKeyId ?? form.AccessId);
  data.set('Signature', fields.Signature ?? form.Signature);
  for (const [k, v] of Object.entries(extra)) data.set(k, v);
  data.set('file', new Blob([file], { type: 'audio/wav' }), key.slice(key.lastIndexOf('/') + 1));
  return fetch(form.Host, { method: 'POST', body: data });
}

beforeAll(async () => {
  emu = await startTestEmulator({ now: () => clock });
  const created = await sendPython(pythonRpcRequest(emu.url, 'CreateInstance', { Name: 'uploads', Concurrency: 1 }, { key: TEST_KEY, date: new Date(clock) }));
  instanceId = created.body.InstanceId as string;
});
afterAll(async () => {
  await emu?.stop();
});

describe('GenerateUploadUrl', () => {
  it('answers the Python SDK request with the response shape of the SDK model', async () => {
    const got = await python('GenerateUploadUrl', { InstanceId: instanceId, FileName: 'call.wav' });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ Code: 'OK', Success: true, HttpStatusCode: 200, Message: 'successful' });
    expect(got.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    const form = got.body.Data as Form;
    expect(form).toMatchObject({ AccessId: expect.any(String), Folder: expect.stringMatching(/\/$/), Success: true });
    expect(form.Host.startsWith(emu.url)).toBe(true);
    expect(Number.isInteger(form.Expire)).toBe(true);
    // expires in 15 minutes, in epoch seconds
    expect(form.Expire).toBe(Math.floor((clock + 15 * 60_000) / 1000));
    const policy = JSON.parse(Buffer.from(form.Policy, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(Date.parse(policy.expiration)).toBe(clock + 15 * 60_000);
    expect(policy.conditions).toContainEqual({ key: `${form.Folder}call.wav` });
  });

  it('accepts the SDK class’s gateway-internal fields (Python’s True/False, longs, integers, strings) and ignores them', async () => {
    const got = await python('GenerateUploadUrl', {
      FileName: 'x.wav',
      MfaPresent: true,
      SecurityTransport: false,
      CallerUid: 1234567890123,
      Environment: 1,
      TenantName: 't',
      ClientIp: '10.0.0.1',
    });
    expect(got.status).toBe(200);
  });

  it('the TypeScript SDK (V3) gets the same form', async () => {
    const client = new OpenApiClient(
      new $OpenApiUtil.Config({ accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, endpoint: emu.url.replace(/^http:\/\//, ''), protocol: 'http' }),
    );
    // the TypeScript SDK's clock is the real one; the emulator's is moved by these tests only later
    const params = new $OpenApiUtil.Params({
      action: 'GenerateUploadUrl',
      version: '2018-06-12',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const res = await client.callApi(
      params,
      new $OpenApiUtil.OpenApiRequest({ body: { FileName: 'ts.wav' } }),
      new RuntimeOptions({ autoretry: false, maxAttempts: 1 }),
    );
    expect((res.body.Data as Form).Folder).toMatch(/^recordings\/_\/[0-9a-f]{32}\/$/);
  });

  it('a Key with folders (upload/greeting.wav) is accepted as OSS accepts keys; only "..", a leading /, control characters are refused', async () => {
    const form = await uploadForm({ InstanceId: instanceId, Key: 'upload/greeting.wav' });
    const policy = JSON.parse(Buffer.from(form.Policy, 'base64').toString('utf8')) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual({ key: `${form.Folder}upload/greeting.wav` });
    const wav = Buffer.from('RIFF-greeting');
    expect((await post(form, `${form.Folder}upload/greeting.wav`, wav)).status).toBe(204);
    for (const Key of ['upload/../../escape.wav', '../greeting.wav', 'upload/..', '/greeting.wav', 'up\u0007load/a.wav', `${'k'.repeat(961)}`]) {
      const got = await python('GenerateUploadUrl', { Key });
      expect({ Key, body: got.body }).toMatchObject({ Key, body: { Code: 'InvalidParameter', Success: false, HttpStatusCode: 400 } });
    }
    // a key of 960 characters fits the rule, but not with the form's folder in 1023 bytes of UTF-8
    const long = await python('GenerateUploadUrl', { Key: `${'键'.repeat(330)}` });
    expect({ status: long.status, code: long.code }).toEqual({ status: 400, code: 'InvalidParameter' });
  });

  it('a form that takes any name refuses a posted key with a ".." segment or a control character (InvalidObjectName)', async () => {
    const form = await uploadForm({});
    const code = async (r: Response) => ({ status: r.status, code: /<Code>([^<]+)<\/Code>/.exec(await r.text())?.[1] });
    expect(await code(await post(form, `${form.Folder}a/../../../etc/x.wav`, Buffer.from('x')))).toEqual({ status: 400, code: 'InvalidObjectName' });
    expect(await code(await post(form, `${form.Folder}a\u0001.wav`, Buffer.from('x')))).toEqual({ status: 400, code: 'InvalidObjectName' });
    expect((await post(form, `${form.Folder}deep/er/a.wav`, Buffer.from('x'))).status).toBe(204);
  });

  it('an unknown instance, a file name with a directory, a read-only key: refused', async () => {
    expect((await python('GenerateUploadUrl', { InstanceId: 'no-such', FileName: 'a.wav' })).code).toBe('InvalidInstanceId.NotFound');
    // the model's file-name rule; an SDK-envelope action answers a refused parameter inside its envelope (HTTP 200)
    const dir = await python('GenerateUploadUrl', { FileName: '../a.wav' });
    expect(dir.body).toMatchObject({ Code: 'InvalidParameter', Success: false, HttpStatusCode: 400 });
    const ro = await python('GenerateUploadUrl', { FileName: 'a.wav' }, { key: READONLY_KEY });
    expect({ status: ro.status, code: ro.code }).toEqual({ status: 403, code: 'Forbidden.RAM' });
  });
});

describe('the upload form', () => {
  it('takes the file, and the recording saved with its FilePath is served back byte for byte', async () => {
    const form = await uploadForm({ InstanceId: instanceId, FileName: 'call.wav' });
    const wav = Buffer.from(`RIFF-${randomUUID()}`.repeat(200));
    const res = await post(form, `${form.Folder}call.wav`, wav);
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toMatch(/^"[0-9A-F]{32}"$/);
    // register it for a conversation, then read it back through DescribeRecording
    const conversationId = randomUUID();
    await sendPython(
      pythonRpcRequest(
        emu.url,
        'BeginDialogue',
        { InstanceId: instanceId, ConversationId: conversationId, CallingNumber: '13800000000' },
        { key: TEST_KEY, date: new Date(clock) },
      ),
    );
    const saved = await sendPython(
      pythonRpcRequest(
        emu.url,
        'SaveRecording',
        {
          InstanceId: instanceId,
          ConversationId: conversationId,
          FileName: 'call.wav',
          FilePath: `oss://vn-emulator/${form.Folder}`,
          Duration: '3',
          StartTime: clock,
          Type: 'Source',
        },
        { key: TEST_KEY, date: new Date(clock) },
      ),
    );
    expect(saved.status).toBe(200);
    const described = await sendPython(
      pythonRpcRequest(emu.url, 'DescribeRecording', { InstanceId: instanceId, ConversationId: conversationId }, { key: TEST_KEY, date: new Date(clock) }),
    );
    const url = described.body.FilePath as string;
    expect(url.startsWith(`${emu.url}/vn-emulator/recordings/`)).toBe(true);
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(wav)).toBe(true);
    expect(fetched.headers.get('content-type')).toBe('audio/wav');
  });

  it('answers success_action_status 200 with an empty body and 201 with a PostResponse', async () => {
    const form = await uploadForm({});
    expect((await post(form, `${form.Folder}a.wav`, Buffer.from('a'), { success_action_status: '200' })).status).toBe(200);
    const created = await post(form, `${form.Folder}b.wav`, Buffer.from('b'), { success_action_status: '201' });
    expect(created.status).toBe(201);
    expect(await created.text()).toContain(`<Key>${form.Folder}b.wav</Key>`);
  });

  it('refuses a key outside the form, a changed policy, a wrong signature or AccessId, and another method', async () => {
    const form = await uploadForm({ FileName: 'pinned.wav' });
    const code = async (r: Response) => ({ status: r.status, code: /<Code>([^<]+)<\/Code>/.exec(await r.text())?.[1] });
    expect(await code(await post(form, `${form.Folder}other.wav`, Buffer.from('x')))).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await code(await post(form, 'recordings/elsewhere/pinned.wav', Buffer.from('x')))).toEqual({ status: 403, code: 'AccessDenied' });
    const widened = Buffer.from(JSON.stringify({ expiration: '2999-01-01T00:00:00.000Z', conditions: [] })).toString('base64');
    expect(await code(await post(form, `${form.Folder}pinned.wav`, Buffer.from('x'), {}, { policy: widened }))).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    expect(await code(await post(form, `${form.Folder}pinned.wav`, Buffer.from('x'), {}, { Signature: 'AAAA' }))).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    expect(await code(await post(form, `${form.Folder}pinned.wav`, Buffer.from('x'), {}, { OSSAccessKeyId: TEST_KEY.id }))).toEqual({
      status: 403,
      code: 'InvalidAccessKeyId',
    });
    expect((await fetch(form.Host, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect(await code(await fetch(form.Host, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'x' }))).toEqual({
      status: 400,
      code: 'InvalidArgument',
    });
  });

  it('expires: 15 minutes after it was made the same post is refused (Policy expired)', async () => {
    const form = await uploadForm({ FileName: 'late.wav' });
    clock += 15 * 60_000 - 1000;
    expect((await post(form, `${form.Folder}late.wav`, Buffer.from('in time'))).status).toBe(204);
    clock += 2000;
    const late = await post(form, `${form.Folder}late.wav`, Buffer.from('too late'));
    expect(late.status).toBe(403);
    const text = await late.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('Policy expired');
  });
});

/**
 * Starts a PostObject of `declared` bytes by hand and sends only its start: the form's fields and
 * the first `sent` bytes of the file. Resolves with the answer if one comes before the rest is
 * sent (the body is then dropped), or 'no answer' after `waitMs`.
 */
function partialPost(
  form: Form,
  fields: Record<string, string>,
  opts: { declared?: number; sent: number; waitMs?: number },
): Promise<{ status: number; text: string } | 'no answer'> {
  const boundary = `----vn${randomUUID()}`;
  let head = '';
  for (const [k, v] of Object.entries(fields)) head += `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  head += `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.wav"\r\ncontent-type: audio/wav\r\n\r\n`;
  const { hostname, port, pathname } = new URL(form.Host);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    if (opts.declared !== undefined) headers['content-length'] = opts.declared;
    const req = httpRequest({ host: hostname, port, path: pathname, method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, opts.waitMs ?? 3000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(Buffer.concat([Buffer.from(head), Buffer.alloc(opts.sent, 1)]));
  });
}

describe('the bucket checks before it reads (issue 18)', () => {
  const MiB = 1024 * 1024;

  it('a 30 MiB upload with a wrong signature is refused after its first KiB, not once 30 MiB are held', async () => {
    const form = await uploadForm({ FileName: 'big.wav' });
    const fields = { key: `${form.Folder}big.wav`, policy: form.Policy, OSSAccessKeyId: form.AccessId };
    for (const [name, extra, code] of [
      ['a wrong signature', { Signature: 'AAAA' }, 'SignatureDoesNotMatch'],
      ['a key outside the policy', { Signature: form.Signature, key: `${form.Folder}other.wav` }, 'AccessDenied'],
      ['no signature at all', {}, 'InvalidArgument'],
    ] as const) {
      const got = await partialPost(form, { ...fields, ...extra }, { declared: 30 * MiB, sent: 1024 });
      expect({ name, got }).toMatchObject({ name, got: { status: code === 'InvalidArgument' ? 400 : 403 } });
      expect((got as { text: string }).text).toContain(`<Code>${code}</Code>`);
    }
    // an expired form too
    const late = await uploadForm({ FileName: 'big.wav' });
    clock += 16 * 60_000;
    const got = await partialPost(
      late,
      { key: `${late.Folder}big.wav`, policy: late.Policy, OSSAccessKeyId: late.AccessId, Signature: late.Signature },
      { declared: 30 * MiB, sent: 1024 },
    );
    expect(got).toMatchObject({ status: 403 });
    expect((got as { text: string }).text).toContain('Policy expired');
  });

  it('an allowed upload is read on: no answer until its body is in', async () => {
    const form = await uploadForm({ FileName: 'big.wav' });
    const fields = { key: `${form.Folder}big.wav`, policy: form.Policy, OSSAccessKeyId: form.AccessId, Signature: form.Signature };
    expect(await partialPost(form, fields, { declared: 2 * MiB, sent: 1024, waitMs: 300 })).toBe('no answer');
  });

  it('a Content-Length over the limit is refused before anything of the body is read', async () => {
    const form = await uploadForm({ FileName: 'big.wav' });
    const got = await partialPost(form, {}, { declared: 40 * MiB, sent: 0 });
    expect(got).toMatchObject({ status: 400 });
    expect((got as { text: string }).text).toContain('<Code>EntityTooLarge</Code>');
  });

  it('form fields that do not end in a file within 64 KiB are refused (the file must be the last field)', async () => {
    const form = await uploadForm({ FileName: 'big.wav' });
    const got = await partialPost(
      form,
      { key: `${form.Folder}big.wav`, 'x-oss-meta-padding': 'p'.repeat(80 * 1024) },
      { declared: 30 * MiB, sent: 0, waitMs: 3000 },
    );
    expect(got).toMatchObject({ status: 400 });
    expect((got as { text: string }).text).toContain('<Code>MalformedPOSTRequest</Code>');
  });
});
