// The emulator's gateway, driven by hand-built HTTP requests: request shapes, V1 and V3
// verification, the gateway's error codes and statuses, RAM policies, replay and clock checks,
// faults and latency, and how the vn client behaves against faults.
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalQuery } from '../../src/client/encode.js';
import { signV1, timestampV1 } from '../../src/client/sign-v1.js';
import { authorizationV3, sha256Hex } from '../../src/client/sign-v3.js';
import { READONLY_KEY, startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

interface Key {
  id: string;
  secret: string;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json(): Record<string, unknown>;
}

type Shape = 'GET' | 'POST-body' | 'POST-query' | 'POST-both';

interface V1Options {
  key?: Key;
  shape?: Shape;
  /** Overrides (or, with undefined, removals) of common parameters before signing. */
  common?: Record<string, string | undefined>;
  date?: Date;
  /** Signs with this secret instead of the key's. */
  signWith?: string;
}

/** Common + action parameters, signed V1 (seed: 签名机制), ready to send in the given shape. */
function v1Params(action: string, params: Record<string, string>, o: V1Options, method: string): Record<string, string> {
  const key = o.key ?? TEST_KEY;
  const all: Record<string, string> = {
    Action: action,
    Format: 'JSON',
    Version: '2018-06-12',
    AccessKeyId: key.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: timestampV1(o.date ?? new Date()),
    ...params,
  };
  for (const [k, v] of Object.entries(o.common ?? {})) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  all.Signature = signV1(method, all, o.signWith ?? key.secret);
  return all;
}

async function send(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) as Record<string, unknown> };
}

function sendSigned(emu: TestEmulator, all: Record<string, string>, shape: Shape): Promise<Answer> {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  switch (shape) {
    case 'GET':
      return send(`${emu.url}/?${canonicalQuery(all)}`, { method: 'GET' });
    case 'POST-body':
      return send(`${emu.url}/`, { method: 'POST', headers: form, body: canonicalQuery(all) });
    case 'POST-query':
      return send(`${emu.url}/?${canonicalQuery(all)}`, { method: 'POST' });
    case 'POST-both': {
      // the shape the official SDKs send: common parameters in the query, the action's in the body
      const common = new Set(['Action', 'Format', 'Version', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Signature']);
      const query: Record<string, string> = {};
      const body: Record<string, string> = {};
      for (const [k, v] of Object.entries(all)) (common.has(k) ? query : body)[k] = v;
      return send(`${emu.url}/?${canonicalQuery(query)}`, { method: 'POST', headers: form, body: canonicalQuery(body) });
    }
  }
}

function callV1(emu: TestEmulator, action: string, params: Record<string, string> = {}, o: V1Options = {}): Promise<Answer> {
  const shape = o.shape ?? 'GET';
  const method = shape === 'GET' ? 'GET' : 'POST';
  return sendSigned(emu, v1Params(action, params, o, method), shape);
}

interface V3Options {
  key?: Key;
  date?: Date;
  nonce?: string;
  method?: 'GET' | 'POST';
  version?: string;
  body?: string;
  tamper?: (headers: Record<string, string>) => void;
}

/** A V3 (ACS3-HMAC-SHA256) request, parameters in the query, signed with our signer. */
function callV3(emu: TestEmulator, action: string, query: Record<string, string> = {}, o: V3Options = {}): Promise<Answer> {
  const key = o.key ?? TEST_KEY;
  const method = o.method ?? 'GET';
  const body = o.body ?? '';
  const headers: Record<string, string> = {
    host: new URL(emu.url).host,
    'x-acs-action': action,
    'x-acs-version': o.version ?? '2018-06-12',
    'x-acs-date': timestampV1(o.date ?? new Date()),
    'x-acs-signature-nonce': o.nonce ?? randomUUID(),
    'x-acs-content-sha256': sha256Hex(body),
  };
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  headers.authorization = authorizationV3({ method, pathname: '/', query, headers, payloadHash: headers['x-acs-content-sha256'] ?? '' }, key.id, key.secret);
  o.tamper?.(headers);
  const qs = canonicalQuery(query);
  const { host: _host, ...sendable } = headers;
  return send(`${emu.url}/${qs ? `?${qs}` : ''}`, { method, headers: sendable, body: body || undefined });
}

function expectError(a: Answer, code: string, status: number): void {
  expect({ status: a.status, code: a.json().Code }).toEqual({ status, code });
  expect(a.json().RequestId).toMatch(/^[0-9A-F-]{36}$/);
}

let emu: TestEmulator;
let instanceId: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  const created = await callV1(emu, 'CreateInstance', { Name: 'gateway', Concurrency: '5' }, { shape: 'POST-body' });
  expect(created.status).toBe(200);
  instanceId = created.json().InstanceId as string;
});
afterAll(async () => {
  await emu?.stop();
});

describe('request shapes', () => {
  it.each<Shape>(['GET', 'POST-body', 'POST-query', 'POST-both'])('accepts a V1 request sent as %s', async (shape) => {
    const a = await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { shape });
    expect(a.status).toBe(200);
    expect(a.contentType).toMatch(/application\/json/);
    expect(a.json()).toMatchObject({ InstanceId: instanceId, Name: 'gateway', Concurrency: 5 });
    expect(a.json().RequestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('creates with the action parameters in the body and the common ones in the query', async () => {
    const a = await callV1(emu, 'CreateInstance', { Name: 'both shapes 名字 a+b&c', Concurrency: '2' }, { shape: 'POST-both' });
    expect(a.status).toBe(200);
    const d = await callV1(emu, 'DescribeInstance', { InstanceId: a.json().InstanceId as string });
    expect(d.json().Name).toBe('both shapes 名字 a+b&c');
  });

  it('accepts V3 by GET and by POST with a form body', async () => {
    const g = await callV3(emu, 'DescribeInstance', { InstanceId: instanceId });
    expect(g.status).toBe(200);
    expect(g.json().InstanceId).toBe(instanceId);
    const p = await callV3(emu, 'CreateInstance', {}, { method: 'POST', body: 'Name=v3%20body&Concurrency=4' });
    expect(p.status).toBe(200);
    const d = await callV3(emu, 'DescribeInstance', { InstanceId: p.json().InstanceId as string });
    expect(d.json()).toMatchObject({ Name: 'v3 body', Concurrency: 4 });
  });
});

describe('XML', () => {
  it('answers Format=XML with <{Action}Response> and arrays as repeated elements', async () => {
    await callV1(emu, 'CreateInstance', { Name: 'xml-second', Concurrency: '1' }, { shape: 'POST-body' });
    const a = await callV1(emu, 'ListInstances', { PageNumber: '1', PageSize: '50' }, { common: { Format: 'XML' } });
    expect(a.status).toBe(200);
    expect(a.contentType).toMatch(/xml/);
    expect(a.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListInstancesResponse><RequestId>[0-9A-F-]{36}<\/RequestId>/);
    expect(a.text).toMatch(/<\/ListInstancesResponse>$/);
    const repeated = a.text.match(/<Instances><InstanceId>/g) ?? [];
    expect(repeated.length).toBeGreaterThanOrEqual(2);
    expect(a.text).not.toContain('<Instances><Instances>');
  });

  it('answers errors in XML as <Error> with Code, Message and RequestId', async () => {
    const a = await callV1(emu, 'DescribeInstance', { InstanceId: 'nope' }, { common: { Format: 'XML' } });
    expect(a.status).toBe(404);
    expect(a.text).toMatch(/<Error><RequestId>[0-9A-F-]{36}<\/RequestId>.*<Code>InvalidInstanceId.NotFound<\/Code><Message>[^<]+<\/Message>/);
    const denied = await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { common: { Format: 'XML' }, signWith: 'wrong' });
    expect(denied.status).toBe(400);
    expect(denied.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('gateway errors', () => {
  it('SignatureDoesNotMatch (400) for a wrong secret, V1 and V3', async () => {
    expectError(await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { signWith: 'not-the-secret' }), 'SignatureDoesNotMatch', 400);
    expectError(
      await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { key: { id: TEST_KEY.id, secret: 'not-the-secret' } }),
      'SignatureDoesNotMatch',
      400,
    );
  });

  it('SignatureDoesNotMatch when a signed parameter or header is changed in transit', async () => {
    const all = v1Params('DescribeInstance', { InstanceId: instanceId }, {}, 'GET');
    expectError(await sendSigned(emu, { ...all, InstanceId: 'other' }, 'GET'), 'SignatureDoesNotMatch', 400);
    // signed for GET, sent as POST: the method is part of the string to sign
    expectError(await sendSigned(emu, all, 'POST-body'), 'SignatureDoesNotMatch', 400);
    const tampered = await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { tamper: (h) => (h['x-acs-action'] = 'ListInstances') });
    expectError(tampered, 'SignatureDoesNotMatch', 400);
  });

  it('InvalidAccessKeyId.NotFound (404), V1 and V3', async () => {
    expectError(await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { key: { id: 'ghost', secret: 'x' } }), 'InvalidAccessKeyId.NotFound', 404);
    expectError(await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { key: { id: 'ghost', secret: 'x' } }), 'InvalidAccessKeyId.NotFound', 404);
  });

  it('Missing{Name} (400) for a missing action parameter or common parameter', async () => {
    expectError(await callV1(emu, 'DescribeInstance'), 'MissingInstanceId', 400);
    expectError(await callV1(emu, 'CreateInstance', { Name: 'no-concurrency' }, { shape: 'POST-body' }), 'MissingConcurrency', 400);
    expectError(await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { common: { SignatureNonce: undefined } }), 'MissingSignatureNonce', 400);
    expectError(await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { common: { AccessKeyId: undefined } }), 'MissingAccessKeyId', 400);
    const unsigned = await send(`${emu.url}/?Action=DescribeInstance&Version=2018-06-12`, { method: 'GET' });
    expect(unsigned.status).toBe(400);
    expect(String(unsigned.json().Code)).toMatch(/^Missing/);
  });

  it('InvalidParameter (400) for a value of the wrong type', async () => {
    const a = await callV1(emu, 'CreateInstance', { Name: 'typed', Concurrency: 'many' }, { shape: 'POST-body' });
    expectError(a, 'InvalidParameter', 400);
    expect(String(a.json().Message)).toContain('Concurrency');
    expectError(await callV1(emu, 'ListInstances', { PageNumber: 'first', PageSize: '10' }), 'InvalidParameter', 400);
  });

  it('InvalidAction.NotFound (404) and InvalidVersion (400)', async () => {
    expectError(await callV1(emu, 'DescribeNothing'), 'InvalidAction.NotFound', 404);
    expectError(await callV3(emu, 'DescribeNothing'), 'InvalidAction.NotFound', 404);
    expectError(await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { common: { Version: '2017-01-01' } }), 'InvalidVersion', 400);
    expectError(await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { version: '2019-01-01' }), 'InvalidVersion', 400);
  });

  it('RequestTooLarge (413) for a body over 1 MiB, answered on a connection that stays usable', async () => {
    const all = v1Params('CreateInstance', { Name: 'big', Concurrency: '1', Description: 'x'.repeat(1_100_000) }, {}, 'POST');
    expectError(await sendSigned(emu, all, 'POST-body'), 'RequestTooLarge', 413);
  });

  it('an answer the service gives (InvalidInstanceId.NotFound, 404) carries a RequestId too', async () => {
    expectError(await callV1(emu, 'DescribeInstance', { InstanceId: 'missing' }), 'InvalidInstanceId.NotFound', 404);
  });
});

describe('replay and clock', () => {
  it('SignatureNonceUsed (400) when a signed V1 request is sent twice', async () => {
    const all = v1Params('DescribeInstance', { InstanceId: instanceId }, {}, 'GET');
    expect((await sendSigned(emu, all, 'GET')).status).toBe(200);
    expectError(await sendSigned(emu, all, 'GET'), 'SignatureNonceUsed', 400);
  });

  it('SignatureNonceUsed (400) when a V3 nonce is reused', async () => {
    const nonce = randomUUID();
    expect((await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { nonce })).status).toBe(200);
    expectError(await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { nonce }), 'SignatureNonceUsed', 400);
  });

  it('a nonce stays used when the service refused the request itself', async () => {
    const all = v1Params('DescribeInstance', { InstanceId: 'not-there' }, {}, 'GET');
    expectError(await sendSigned(emu, all, 'GET'), 'InvalidInstanceId.NotFound', 404);
    expectError(await sendSigned(emu, all, 'GET'), 'SignatureNonceUsed', 400);
  });

  it('a nonce refused for a bad signature is not burnt', async () => {
    const nonce = randomUUID();
    expectError(
      await callV1(emu, 'ListInstances', { PageNumber: '1', PageSize: '1' }, { common: { SignatureNonce: nonce }, signWith: 'x' }),
      'SignatureDoesNotMatch',
      400,
    );
    expect((await callV1(emu, 'ListInstances', { PageNumber: '1', PageSize: '1' }, { common: { SignatureNonce: nonce } })).status).toBe(200);
  });

  it('emulators sharing one data file refuse each other’s replays', async () => {
    const twin = await startTestEmulator({ dataFile: `${emu.dir}/emulator.db` });
    try {
      // a change: its nonce is committed with it
      const create = v1Params('CreateInstance', { Name: 'replayed-create', Concurrency: '1' }, {}, 'POST');
      expect((await sendSigned(emu, create, 'POST-body')).status).toBe(200);
      expectError(await sendSigned(twin, create, 'POST-body'), 'SignatureNonceUsed', 400);
      // a read: its nonce reaches the file within the flush interval
      const read = v1Params('DescribeInstance', { InstanceId: instanceId }, {}, 'GET');
      expect((await sendSigned(twin, read, 'GET')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 250));
      expectError(await sendSigned(emu, read, 'GET'), 'SignatureNonceUsed', 400);
      expect((await callV1(twin, 'ListInstances', { PageNumber: '1', PageSize: '100', Name: 'replayed-create' })).json().TotalCount).toBe(1);
    } finally {
      await twin.stop();
    }
  });

  it('InvalidTimeStamp.Expired (400) outside ±15 minutes of the emulator clock, accepted inside', async () => {
    const minutes = (n: number) => new Date(Date.now() + n * 60_000);
    for (const [offset, ok] of [
      [-14, true],
      [14, true],
      [-16, false],
      [16, false],
    ] as const) {
      const v1 = await callV1(emu, 'DescribeInstance', { InstanceId: instanceId }, { date: minutes(offset) });
      const v3 = await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { date: minutes(offset) });
      for (const a of [v1, v3]) {
        if (ok) expect(a.status, `offset ${offset}`).toBe(200);
        else expectError(a, 'InvalidTimeStamp.Expired', 400);
      }
    }
  });

  it('judges the clock by the emulator’s own now()', async () => {
    const skewed = await startTestEmulator({ now: () => Date.now() + 20 * 60_000 });
    try {
      expectError(await callV1(skewed, 'ListInstances', { PageNumber: '1', PageSize: '1' }), 'InvalidTimeStamp.Expired', 400);
      const future = new Date(Date.now() + 20 * 60_000);
      expect((await callV1(skewed, 'ListInstances', { PageNumber: '1', PageSize: '1' }, { date: future })).status).toBe(200);
    } finally {
      await skewed.stop();
    }
  });
});

describe('RAM policies', () => {
  it('the read-only key may list, describe, query and get', async () => {
    for (const [action, params] of [
      ['ListInstances', { PageNumber: '1', PageSize: '10' }],
      ['DescribeInstance', { InstanceId: instanceId }],
    ] as const) {
      const a = await callV1(emu, action, params, { key: READONLY_KEY });
      expect(a.status, action).toBe(200);
    }
    expect((await callV3(emu, 'DescribeInstance', { InstanceId: instanceId }, { key: READONLY_KEY })).status).toBe(200);
  });

  it('the read-only key is refused every change with Forbidden.RAM (403), and nothing changes', async () => {
    const before = (await callV1(emu, 'ListInstances', { PageNumber: '1', PageSize: '1' })).json().TotalCount;
    for (const [action, params] of [
      ['CreateInstance', { Name: 'ro-create', Concurrency: '1' }],
      ['ModifyInstance', { InstanceId: instanceId, Name: 'ro-rename', Concurrency: '1' }],
      ['DisableInstance', { InstanceId: instanceId }],
      ['DeleteInstance', { InstanceId: instanceId }],
    ] as const) {
      expectError(await callV1(emu, action, params, { key: READONLY_KEY, shape: 'POST-body' }), 'Forbidden.RAM', 403);
    }
    expectError(await callV3(emu, 'CreateInstance', {}, { key: READONLY_KEY, method: 'POST', body: 'Name=ro3&Concurrency=1' }), 'Forbidden.RAM', 403);
    expect((await callV1(emu, 'ListInstances', { PageNumber: '1', PageSize: '1' })).json().TotalCount).toBe(before);
    expect((await callV1(emu, 'DescribeInstance', { InstanceId: instanceId })).json()).toMatchObject({ Name: 'gateway', Status: 'Published' });
  });

  it('the full-access key may change state', async () => {
    const a = await callV1(emu, 'ModifyInstance', { InstanceId: instanceId, Name: 'gateway', Concurrency: '6' }, { shape: 'POST-body' });
    expect(a.status).toBe(200);
    expect((await callV1(emu, 'DescribeInstance', { InstanceId: instanceId })).json().Concurrency).toBe(6);
  });
});

/** One raw request that reports a dropped connection instead of throwing. */
function rawGet(url: string): Promise<{ status?: number; body?: string; dropped: boolean }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body, dropped: false }));
      res.on('error', () => resolve({ dropped: true }));
    });
    req.on('error', () => resolve({ dropped: true }));
    req.end();
  });
}

describe('faults and latency', () => {
  it('with fault rate 1, answers 500, 503 Throttling.User and dropped connections, each with a RequestId', async () => {
    const faulty = await startTestEmulator({ faultRate: 1 });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 200 && seen.size < 3; i++) {
        const all = v1Params('DescribeInstance', { InstanceId: 'x' }, {}, 'GET');
        const r = await rawGet(`${faulty.url}/?${canonicalQuery(all)}`);
        if (r.dropped) {
          seen.add('dropped');
          continue;
        }
        const body = JSON.parse(r.body ?? '{}') as Record<string, unknown>;
        expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
        if (r.status === 500) {
          expect(body.Code).toBe('InternalServerError');
          seen.add('500');
        } else if (r.status === 503) {
          expect(body.Code).toBe('Throttling.User');
          seen.add('503');
        } else throw new Error(`unexpected answer ${r.status} ${r.body}`);
      }
      expect([...seen].sort()).toEqual(['500', '503', 'dropped']);
    } finally {
      await faulty.stop();
    }
  });

  it('--latency-ms delays each answer', async () => {
    const slow = await startTestEmulator({ latencyMs: 250 });
    try {
      const started = performance.now();
      const a = await callV1(slow, 'ListInstances', { PageNumber: '1', PageSize: '1' });
      expect(a.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    } finally {
      await slow.stop();
    }
  });
});

/**
 * A loopback proxy in front of the emulator that records the Action and Name of every request
 * reaching it, and passes a dropped connection on as a dropped connection.
 */
async function recordingProxy(target: string): Promise<{ url: string; seen: { action: string; name?: string; status?: number }[]; close(): Promise<void> }> {
  const seen: { action: string; name?: string; status?: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const params = new URLSearchParams(body.toString());
      const entry: { action: string; name?: string; status?: number } = {
        action: url.searchParams.get('Action') ?? params.get('Action') ?? '',
        name: params.get('Name') ?? url.searchParams.get('Name') ?? undefined,
      };
      seen.push(entry);
      const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers, agent: false }, (up) => {
        entry.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.socket?.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('the vn client against faults', () => {
  it('a read-only call survives --fault-rate 0.3 with retries', async () => {
    const faulty = await startTestEmulator({ faultRate: 0.3 });
    try {
      // the emulator injects a fault before it handles anything, so a faulted set-up create can be repeated
      let id: string | undefined;
      for (let i = 0; !id && i < 60; i++) {
        const a = await callV1(faulty, 'CreateInstance', { Name: 'survivor', Concurrency: '1' }, { shape: 'POST-body' }).catch(() => undefined);
        if (a?.status === 200) id = a.json().InstanceId as string;
      }
      expect(id).toBeTruthy();
      for (let i = 0; i < 5; i++) {
        // 11 attempts at 30% each: a run fails about once in 600,000 (at 50%, once in about 400 suites)
        const r = await runVn(['--retries', '10', 'instance', 'describe', id as string, '-o', 'json'], { env: faulty.env });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout).InstanceId).toBe(id);
      }
    } finally {
      await faulty.stop();
    }
  });

  it('a create is never re-sent once it may have reached the server', async () => {
    const faulty = await startTestEmulator({ faultRate: 0.5 });
    const proxy = await recordingProxy(faulty.url);
    try {
      const names = Array.from({ length: 12 }, (_, i) => `create-${i}`);
      const codes: number[] = [];
      for (const name of names) {
        const r = await runVn(['--retries', '5', 'instance', 'create', '--name', name, '--concurrency', '1', '-o', 'json'], {
          env: { ...faulty.env, VN_ENDPOINT: proxy.url },
        });
        codes.push(r.code);
        if (r.code !== 0) expect(r.stderr).toMatch(/InternalServerError|not re-sent|Throttling/);
      }
      for (const name of names) {
        const attempts = proxy.seen.filter((s) => s.action === 'CreateInstance' && s.name === name);
        expect(attempts.length).toBeGreaterThanOrEqual(1);
        // only a 503 (refused before it was carried out) may be followed by another attempt
        for (const earlier of attempts.slice(0, -1)) expect(earlier.status, `${name}: ${JSON.stringify(attempts)}`).toBe(503);
      }
      const clean = await startTestEmulator({ dataFile: `${faulty.dir}/emulator.db` });
      try {
        const list = await callV1(clean, 'ListInstances', { PageNumber: '1', PageSize: '100' });
        const created = (list.json().Instances as { Name: string }[]).map((i) => i.Name).sort();
        expect(created).toEqual(names.filter((_, i) => codes[i] === 0).sort());
      } finally {
        await clean.stop();
      }
    } finally {
      await proxy.close();
      await faulty.stop();
    }
  });
});
