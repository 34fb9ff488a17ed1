import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import type { CredentialProvider, Credentials } from '../../src/client/credentials.js';
import { HttpCaller } from '../../src/client/http.js';
import { STS } from '../../src/client/products.js';
import { RefreshingProvider } from '../../src/config/credentials/refresh.js';
import { action, HttpMock, json, jsonFrom, networkError, route, status } from '../helpers/httpmock.js';

/** The seed's 签名机制 computed by hand, sharing no code with src/ (as test/client/sign-v1.test.ts). */
function handSignV1(method: string, params: Record<string, string>, secret: string): string {
  const enc = (s: string) =>
    Array.from(new TextEncoder().encode(s))
      .map((b) => {
        const c = String.fromCharCode(b);
        return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      })
      .join('');
  const canon = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k] as string)}`)
    .join('&');
  return createHmac('sha1', `${secret}&`)
    .update(`${method}&${enc('/')}&${enc(canon)}`)
    .digest('base64');
}

const noSleep = async () => undefined;

describe('a Client for another product: STS 2015-04-01', () => {
  it('signs an AssumeRole call with V1 as the hand computation does, with the product version and the token', async () => {
    const http = new HttpMock().register(
      action('AssumeRole', { RoleArn: 'acs:ram::123:role/deployer', RoleSessionName: 'vn' }),
      json({ Credentials: { AccessKeyId: 'STS.x', AccessKeySecret: 'y', SecurityToken: 'z', Expiration: '2026-12-05T20:00:00Z' } }),
    );
    const sts = new Client({
      endpoint: 'https://sts.aliyuncs.com',
      product: STS,
      credentials: { accessKeyId: 'AK-STS', accessKeySecret: 'sts secret/+=', securityToken: 'TOKEN-1' },
      transport: http,
      now: () => new Date('2026-12-05T19:00:00.123Z'),
    });
    // no model for STS here: its parameters are sent as given
    const res = await sts.call('AssumeRole', { RoleArn: 'acs:ram::123:role/deployer', RoleSessionName: 'vn', DurationSeconds: 900 });
    expect(res.data).toMatchObject({ Credentials: { AccessKeyId: 'STS.x' } });
    http.verify();
    const req = http.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.params).toMatchObject({
      Version: '2015-04-01',
      AccessKeyId: 'AK-STS',
      SecurityToken: 'TOKEN-1',
      SignatureMethod: 'HMAC-SHA1',
      Timestamp: '2026-12-05T19:00:00Z',
      DurationSeconds: '900',
    });
    expect(req?.params.Signature).toBe(handSignV1('POST', req?.params ?? {}, 'sts secret/+='));
  });

  it('re-sends a read-only STS action after a 5xx, and never an unknown one after a lost answer', async () => {
    const http = new HttpMock()
      .register(action('GetCallerIdentity'), status(503, 'busy'))
      .register(action('GetCallerIdentity'), json({ AccountId: '123' }))
      .register(action('SetSomething'), networkError({ delivered: true }));
    const sts = new Client({
      endpoint: 'https://sts.aliyuncs.com',
      product: STS,
      credentials: { accessKeyId: 'A', accessKeySecret: 'secret-x' },
      transport: http,
      sleep: noSleep,
    });
    expect((await sts.call('GetCallerIdentity', {})).data).toMatchObject({ AccountId: '123' });
    await expect(sts.call('SetSomething', {})).rejects.toThrow(/may have been carried out/);
    expect(http.actions()).toEqual(['GetCallerIdentity', 'GetCallerIdentity', 'SetSomething']);
    http.verify();
  });
});

describe('plain JSON endpoints (a metadata service) on the same transport and retry rules', () => {
  const PATH = '/latest/meta-data/ram/security-credentials/vn-role';
  it('getJson retries a 5xx and a refused connection, then parses', async () => {
    const http = new HttpMock()
      .register(route('GET', PATH), status(500, 'oops'))
      .register(route('GET', PATH), networkError({ delivered: false }))
      .register(route('GET', PATH), json({ AccessKeyId: 'STS.m', Code: 'Success' }));
    const lines: string[] = [];
    const caller = new HttpCaller({ transport: http, sleep: noSleep, retries: 3, debug: (l) => lines.push(l) });
    expect(await caller.getJson(`http://100.100.100.200${PATH}`)).toMatchObject({ AccessKeyId: 'STS.m' });
    http.verify();
    expect(http.requests.map((r) => r.headers.accept)).toEqual(['application/json', 'application/json', 'application/json']);
    expect(lines.filter((l) => l.startsWith('! '))).toHaveLength(2);
    expect(lines.some((l) => l.includes('(attempt 3)'))).toBe(true);
  });

  it('gives up after the retries with the last error, and never re-sends a POST after a 5xx', async () => {
    const http = new HttpMock().register(route('GET', PATH), status(503, 'down'), { times: 2 }).register(route('POST', '/token'), status(500, 'x'));
    const caller = new HttpCaller({ transport: http, sleep: noSleep, retries: 1 });
    await expect(caller.getJson(`http://100.100.100.200${PATH}`)).rejects.toMatchObject({ code: 'HTTP503', httpStatus: 503 });
    await expect(caller.request({ method: 'POST', url: 'http://100.100.100.200/token' })).rejects.toMatchObject({ code: 'HTTP500' });
    http.verify();
  });

  it('an answer that is not JSON is a network error (exit 3)', async () => {
    const http = new HttpMock().register(route('GET', '/x'), status(200, '<html>portal</html>'));
    await expect(new HttpCaller({ transport: http }).getJson('http://169.254.1.1/x')).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('credentials per request', () => {
  it('asks the provider on every request, so a refreshing provider renews under a long run', async () => {
    let t = 0;
    let issued = 0;
    const issuer: CredentialProvider = {
      name: 'issuer',
      async get(): Promise<Credentials> {
        issued++;
        return { accessKeyId: `STS.${issued}`, accessKeySecret: `secret-${issued}-xxxx`, securityToken: `tok-${issued}`, expiration: new Date(t + 3_600_000) };
      },
    };
    const http = new HttpMock().register(
      action('ListInstances'),
      jsonFrom(() => ({ Instances: [] })),
      { times: 3 },
    );
    const c = new Client({ endpoint: 'https://vn.test', credentials: new RefreshingProvider(issuer, { marginMs: 300_000, now: () => t }), transport: http });
    await c.call('ListInstances', { PageNumber: 1, PageSize: 10 });
    t = 3_000_000; // 10 minutes before expiry
    await c.call('ListInstances', { PageNumber: 1, PageSize: 10 });
    t = 3_300_000; // inside the 5-minute margin
    await c.call('ListInstances', { PageNumber: 1, PageSize: 10 });
    expect(http.requests.map((r) => [r.params.AccessKeyId, r.params.SecurityToken])).toEqual([
      ['STS.1', 'tok-1'],
      ['STS.1', 'tok-1'],
      ['STS.2', 'tok-2'],
    ]);
    http.verify();
  });
});
