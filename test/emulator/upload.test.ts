// GenerateUploadUrl (issue 10 point 3): asked for as the Python SDK's GenerateUploadUrlRequest
// asks (POST, its parameters in a form body) and as the TypeScript SDK would; its answer is an OSS
// PostObject form that the emulator, playing the bucket, accepts — posted as multipart/form-data
// the way OSS's own browser-upload guide posts it — until it expires.
import { randomUUID } from 'node:crypto';
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
