// Emulator fidelity (issue 10): each rule driven with the request shapes the official clients send
// — the classic Python SDK (aliyun-python-sdk-core 2.16, written out in client-shapes.ts), the
// TypeScript SDK (@alicloud/openapi-core, a devDependency, run unmodified) — and hand-built
// requests for what no client sends on purpose (a swapped header, an unknown SignatureVersion).
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timestampV1 } from '../../src/client/sign-v1.js';
import { authorizationV3, sha256Hex } from '../../src/client/sign-v3.js';
import { READONLY_KEY, startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { type PythonOptions, type PyValue, pythonRpcRequest, sendPython } from './client-shapes.js';

const OpenApiClient = ((OpenApiModule as unknown as { default?: unknown }).default ?? OpenApiModule) as new (
  config: $OpenApiUtil.Config,
) => {
  callApi(params: $OpenApiUtil.Params, request: $OpenApiUtil.OpenApiRequest, runtime: RuntimeOptions): Promise<{ body: Record<string, unknown> }>;
};

let emu: TestEmulator;
let instanceId: string;

function python(action: string, query: Record<string, PyValue>, o: Partial<PythonOptions> = {}) {
  return sendPython(pythonRpcRequest(emu.url, action, query, { key: TEST_KEY, ...o }));
}

/** The TypeScript SDK's callApi, V3 (its default) or V1 ('v2' in its config), POST form as the product SDK does. */
async function typescriptSdk(action: string, query: Record<string, string>, key = TEST_KEY, signing: 'v3' | 'v1' = 'v3') {
  const client = new OpenApiClient(
    new $OpenApiUtil.Config({
      accessKeyId: key.id,
      accessKeySecret: key.secret,
      endpoint: emu.url.replace(/^http:\/\//, ''),
      protocol: 'http',
      ...(signing === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  const params = new $OpenApiUtil.Params({
    action,
    version: '2018-06-12',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  try {
    const res = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query }), new RuntimeOptions({ autoretry: false, maxAttempts: 1 }));
    return { ok: res.body };
  } catch (err) {
    return {
      err: err as { code?: string; message: string; statusCode?: number; accessDeniedDetail?: Record<string, unknown>; data?: Record<string, unknown> },
    };
  }
}

beforeAll(async () => {
  emu = await startTestEmulator();
  const created = await python('CreateInstance', { Name: 'fidelity', Concurrency: 5 });
  expect(created.status).toBe(200);
  instanceId = created.body.InstanceId as string;
});
afterAll(async () => {
  await emu?.stop();
});

describe('1. a wrong secret, as the Python SDK reads it', () => {
  it('the Python SDK request shape is accepted (SignatureType empty, RegionId, x-sdk headers)', async () => {
    const got = await python('DescribeInstance', { InstanceId: instanceId });
    expect(got.status).toBe(200);
    expect(got.body.InstanceId).toBe(instanceId);
  });

  it('SignatureDoesNotMatch carries "server string to sign is:" + the string the client signed, so the SDK says InvalidAccessKeySecret', async () => {
    const req = pythonRpcRequest(emu.url, 'DescribeInstance', { InstanceId: instanceId }, { key: TEST_KEY, signWith: 'not-the-secret' });
    const got = await sendPython(req);
    expect(got.status).toBe(400);
    expect(got.body.Code).toBe('SignatureDoesNotMatch');
    expect(got.code).toBe('InvalidAccessKeySecret');
    expect(got.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(got.body.Message).toBe(`Specified signature is not matched with our calculation. server string to sign is:${req.stringToSign}`);
    // the string to sign is what the client sent: never the secret, the right one or the wrong one
    expect(JSON.stringify(got.body)).not.toContain(TEST_KEY.secret);
    expect(JSON.stringify(got.body)).not.toContain('not-the-secret');
  });

  it('a request changed on the way stays SignatureDoesNotMatch: the strings to sign differ', async () => {
    const req = pythonRpcRequest(emu.url, 'DescribeInstance', { InstanceId: instanceId }, { key: TEST_KEY });
    const got = await sendPython({ ...req, url: req.url.replace(`InstanceId=${instanceId}`, 'InstanceId=other') });
    expect(got.code).toBe('SignatureDoesNotMatch');
    expect(String(got.body.Message)).toContain('server string to sign is:POST&%2F&AccessKeyId%3D');
  });

  it('a POST with the parameters in a form body (add_body_params) signs both and reads the same', async () => {
    const req = pythonRpcRequest(emu.url, 'ListInstances', {}, { key: TEST_KEY, body: { PageNumber: 1, PageSize: 10 }, signWith: 'wrong' });
    const got = await sendPython(req);
    expect(got.code).toBe('InvalidAccessKeySecret');
    expect(req.stringToSign).toContain('PageSize%3D10');
  });

  it('the TypeScript SDK gets the same suffix: V1 its string to sign, V3 ACS3-HMAC-SHA256 and the canonical request hash', async () => {
    const wrong = { id: TEST_KEY.id, secret: 'wrong-secret' };
    const v3 = await typescriptSdk('DescribeInstance', { InstanceId: instanceId }, wrong, 'v3');
    expect(v3.err?.code).toBe('SignatureDoesNotMatch');
    expect(v3.err?.message).toMatch(/server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}/);
    const v1 = await typescriptSdk('DescribeInstance', { InstanceId: instanceId }, wrong, 'v1');
    expect(v1.err?.code).toBe('SignatureDoesNotMatch');
    expect(v1.err?.message).toContain('server string to sign is:POST&%2F&');
    expect(`${v1.err?.message}${v3.err?.message}`).not.toContain('wrong-secret');
  });
});

describe('4. a digit collection with no digits', () => {
  async function begin(debug: boolean): Promise<string> {
    const id = randomUUID();
    const got = await python(debug ? 'DebugBeginDialogue' : 'BeginDialogue', { InstanceId: instanceId, ConversationId: id, CallingNumber: '13800000000' });
    expect(got.status).toBe(200);
    return id;
  }

  it.each([
    ['CollectedNumber', false],
    ['DebugCollectedNumber', true],
  ] as const)('%s without Number takes the no-input path: the silence prompt, then the final HangUp at the threshold', async (action, debug) => {
    const conversationId = await begin(debug);
    // the Python request class simply never calls set_Number: the parameter is absent
    const first = await python(action, { InstanceId: instanceId, ConversationId: conversationId });
    expect(first.status).toBe(200);
    expect(first.body.Action).toBe('Broadcast');
    const config = await python('DescribeNavigationConfig', { InstanceId: instanceId });
    const silence = config.body.SilenceTimeoutConfig as { Prompt: string; FinalPrompt: string };
    expect(first.body.TextResponse).toBe(silence.Prompt);
    // an empty Number (set_Number('')) is the same; the third in a row is final (Threshold 3)
    await python(action, { InstanceId: instanceId, ConversationId: conversationId, Number: '' });
    const third = await python(action, { InstanceId: instanceId, ConversationId: conversationId, Number: '' });
    expect({ action: third.body.Action, text: third.body.TextResponse }).toEqual({ action: 'HangUp', text: silence.FinalPrompt });
  });

  it('digits still answer as digits, and a non-keypad Number is still refused', async () => {
    const conversationId = await begin(false);
    const echo = await python('CollectedNumber', { InstanceId: instanceId, ConversationId: conversationId, Number: '4711' });
    expect(echo.body.TextResponse).toBe('收号内容是4711');
    const bad = await python('CollectedNumber', { InstanceId: instanceId, ConversationId: conversationId, Number: '12a' });
    expect({ status: bad.status, code: bad.code }).toEqual({ status: 400, code: 'InvalidParameter' });
  });
});

interface V3Request {
  method: 'GET' | 'POST';
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  /** Which headers the signature covers; the rest travel unsigned. */
  signed: string[];
}

/** A V3 request signed over exactly `signed`, then sent with `after` applied to its headers. */
async function sendV3(r: V3Request, after: (h: Record<string, string>) => void = () => {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = r.body ?? '';
  const headers: Record<string, string> = { host: new URL(emu.url).host, 'x-acs-content-sha256': sha256Hex(body), ...r.headers };
  headers.authorization = authorizationV3(
    { method: r.method, pathname: '/', query: r.query ?? {}, headers, payloadHash: sha256Hex(body), signedHeaders: r.signed },
    TEST_KEY.id,
    TEST_KEY.secret,
  );
  after(headers);
  const { host: _host, ...sendable } = headers;
  const qs = new URLSearchParams(r.query ?? {}).toString();
  const res = await fetch(`${emu.url}/${qs ? `?${qs}` : ''}`, { method: r.method, headers: sendable, body: body || undefined });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function v3Headers(action: string): Record<string, string> {
  return { 'x-acs-action': action, 'x-acs-version': '2018-06-12', 'x-acs-date': timestampV1(new Date()), 'x-acs-signature-nonce': randomUUID() };
}

describe('5. V3: every x-acs-* header and the content type of a body must be signed', () => {
  it('a DescribeInstance signed without x-acs-action cannot be turned into a DeleteInstance', async () => {
    const victim = await python('CreateInstance', { Name: 'swap-victim', Concurrency: 1 });
    const id = victim.body.InstanceId as string;
    const got = await sendV3(
      {
        method: 'GET',
        query: { InstanceId: id },
        headers: v3Headers('DescribeInstance'),
        signed: ['host', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce'],
      },
      (h) => {
        h['x-acs-action'] = 'DeleteInstance';
      },
    );
    expect({ status: got.status, code: got.body.Code }).toEqual({ status: 400, code: 'SignatureDoesNotMatch' });
    expect(got.body.Message).toContain('x-acs-action');
    const still = await python('DescribeInstance', { InstanceId: id });
    expect(still.status).toBe(200);
  });

  it('refuses an unsigned x-acs-version, an unsigned extra x-acs-* header, and an unsigned content type of a body', async () => {
    const all = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];
    const noVersion = await sendV3({
      method: 'GET',
      query: { InstanceId: instanceId },
      headers: v3Headers('DescribeInstance'),
      signed: all.filter((h) => h !== 'x-acs-version'),
    });
    expect(noVersion.body.Code).toBe('SignatureDoesNotMatch');
    const extra = await sendV3({
      method: 'GET',
      query: { InstanceId: instanceId },
      headers: { ...v3Headers('DescribeInstance'), 'x-acs-security-token': 'tok' },
      signed: all,
    });
    expect(extra.body.Code).toBe('SignatureDoesNotMatch');
    expect(extra.body.Message).toContain('x-acs-security-token');
    const form = { ...v3Headers('DescribeInstance'), 'content-type': 'application/x-www-form-urlencoded' };
    const unsignedType = await sendV3({ method: 'POST', headers: form, body: `InstanceId=${instanceId}`, signed: all });
    expect(unsignedType.body.Code).toBe('SignatureDoesNotMatch');
    expect(unsignedType.body.Message).toContain('content-type');
    // the same request with everything signed is answered
    const good = await sendV3({
      method: 'POST',
      headers: { ...form, 'x-acs-signature-nonce': randomUUID() },
      body: `InstanceId=${instanceId}`,
      signed: [...all, 'content-type'].sort(),
    });
    expect({ status: good.status, id: good.body.InstanceId }).toEqual({ status: 200, id: instanceId });
  });

  it('the TypeScript SDK (V3) signs what it sends and is answered', async () => {
    const got = await typescriptSdk('DescribeInstance', { InstanceId: instanceId });
    expect(got.ok?.InstanceId).toBe(instanceId);
  });
});

describe('6. unsupported signature parameters', () => {
  it('SignatureVersion other than 1.0 → InvalidSignatureVersion; an unknown SignatureMethod → InvalidSignatureMethod', async () => {
    const v = await python('DescribeInstance', { InstanceId: instanceId }, { common: { SignatureVersion: '9.9' } });
    expect({ status: v.status, code: v.code }).toEqual({ status: 400, code: 'InvalidSignatureVersion' });
    const m = await python('DescribeInstance', { InstanceId: instanceId }, { common: { SignatureMethod: 'HMAC-SHA256' } });
    expect({ status: m.status, code: m.code }).toEqual({ status: 400, code: 'InvalidSignatureMethod' });
    expect(m.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('the seed’s own spelling Hmac-SHA1 is the same method', async () => {
    const got = await python('DescribeInstance', { InstanceId: instanceId }, { common: { SignatureMethod: 'Hmac-SHA1' } });
    expect(got.status).toBe(200);
  });
});

describe('7. Forbidden.RAM carries AccessDeniedDetail', () => {
  it('in the JSON body, as the Python SDK receives it', async () => {
    const got = await python('DeleteInstance', { InstanceId: instanceId }, { key: READONLY_KEY });
    expect({ status: got.status, code: got.code }).toEqual({ status: 403, code: 'Forbidden.RAM' });
    expect(got.body.AccessDeniedDetail).toMatchObject({
      AuthAction: 'voicebot:DeleteInstance',
      AuthPrincipalType: 'SubUser',
      AuthPrincipalDisplayName: READONLY_KEY.id,
      PolicyType: 'AccountLevelIdentityBasedPolicy',
      NoPermissionType: 'ImplicitDeny',
    });
    const detail = got.body.AccessDeniedDetail as { AuthPrincipalOwnerId: string; EncodedDiagnosticMessage: string };
    expect(detail.AuthPrincipalOwnerId).toMatch(/^\d{16}$/);
    expect(JSON.parse(Buffer.from(detail.EncodedDiagnosticMessage, 'base64').toString('utf8'))).toMatchObject({ AuthAction: 'voicebot:DeleteInstance' });
    const still = await python('DescribeInstance', { InstanceId: instanceId });
    expect(still.status).toBe(200);
  });

  it.each(['v3', 'v1'] as const)('the TypeScript SDK (%s) fills its accessDeniedDetail', async (signing) => {
    const got = await typescriptSdk('DeleteInstance', { InstanceId: instanceId }, READONLY_KEY, signing);
    expect(got.err?.code).toBe('Forbidden.RAM');
    expect(got.err?.accessDeniedDetail).toMatchObject({ AuthAction: 'voicebot:DeleteInstance', AuthPrincipalDisplayName: READONLY_KEY.id });
  });

  it('in XML as a nested <AccessDeniedDetail>', async () => {
    const req = pythonRpcRequest(emu.url, 'DeleteInstance', { InstanceId: instanceId }, { key: READONLY_KEY });
    const res = await fetch(req.url.replace('Format=JSON', 'Format=XML'), req.init);
    const text = await res.text();
    // Format is signed: the XML variant is refused for its signature unless re-signed, so sign it as XML
    expect(res.status).toBe(400);
    expect(text).toContain('<Code>SignatureDoesNotMatch</Code>');
    const xml = pythonRpcRequest(emu.url, 'DeleteInstance', { InstanceId: instanceId }, { key: READONLY_KEY, common: { Format: 'XML' } });
    const denied = await (await fetch(xml.url, xml.init)).text();
    expect(denied).toContain('<Code>Forbidden.RAM</Code>');
    expect(denied).toMatch(/<AccessDeniedDetail>.*<AuthAction>voicebot:DeleteInstance<\/AuthAction>.*<\/AccessDeniedDetail>/s);
  });
});

/** A raw GET of `path` (fetch refuses nothing, but this keeps the exact bytes on the wire in view). */
function rawGet(path: string): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const { port, hostname } = new URL(emu.url);
    const req = httpRequest({ host: hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('9. the emulator’s own HTTP limits answer with API errors', () => {
  it('a 100 KB parameter in the query (the SDKs put action parameters there) is verified and answered', async () => {
    const big = 'x'.repeat(100 * 1024);
    const got = await python('DescribeInstance', { InstanceId: big });
    // the signature over it verified (else SignatureDoesNotMatch), then the value rule refused it
    // (InstanceId is at most 64 characters: docs/emulator.md, Parameter rules)
    expect({ status: got.status, code: got.code }).toEqual({ status: 400, code: 'InvalidParameter' });
    expect(got.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('a request line over the limit gets RequestTooLarge (414) as JSON with a RequestId, not a bare 431', async () => {
    const req = pythonRpcRequest(emu.url, 'DescribeInstance', { InstanceId: 'y'.repeat(1100 * 1024) }, { key: TEST_KEY, method: 'GET' });
    const got = await rawGet(req.url.slice(emu.url.length));
    expect(got.status).toBe(414);
    expect(got.contentType).toContain('application/json');
    const body = JSON.parse(got.text) as Record<string, unknown>;
    expect(body.Code).toBe('RequestTooLarge');
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    // the emulator still answers the next request
    expect((await python('DescribeInstance', { InstanceId: instanceId })).status).toBe(200);
  });

  it('header fields over Node’s default 16 KiB get Node’s own answer, a bare 431 that closes the connection', async () => {
    const withHeader = (bytes: number) =>
      new Promise<{ status: number; connection: string; text: string }>((resolve, reject) => {
        const { port, hostname } = new URL(emu.url);
        const req = pythonRpcRequest(emu.url, 'DescribeInstance', { InstanceId: instanceId }, { key: TEST_KEY, method: 'GET' });
        const r = httpRequest(
          { host: hostname, port, path: req.url.slice(emu.url.length), method: 'GET', headers: { 'x-padding': 'p'.repeat(bytes) } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: String(res.headers.connection ?? ''), text }));
          },
        );
        r.on('error', reject);
        r.end();
      });
    const big = await withHeader(20 * 1024);
    expect(big).toEqual({ status: 431, connection: 'close', text: '' });
    // 15 KiB of header fields pass, and are verified as ever
    expect((await withHeader(15 * 1024)).status).toBe(200);
  });
});
