import { describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { action, apiError, HttpMock, json, networkError, route, status, xml } from '../helpers/httpmock.js';

const KEY = { accessKeyId: 'AK-MOCK', accessKeySecret: 'secret-for-the-mock' };
const client = (http: HttpMock, opts: Partial<ConstructorParameters<typeof Client>[0]> = {}) =>
  new Client({ endpoint: 'https://vn.test', credentials: KEY, transport: http, sleep: async () => undefined, ...opts });

describe('httpmock', () => {
  it('answers a registered action and verifies clean', async () => {
    const http = new HttpMock().register(action('DescribeInstance', { InstanceId: 'i-1' }), json({ Instance: { InstanceId: 'i-1' } }));
    const res = await client(http).call('DescribeInstance', { InstanceId: 'i-1' });
    expect(res.data).toMatchObject({ RequestId: 'REQ-MOCK', Instance: { InstanceId: 'i-1' } });
    expect(http.actions()).toEqual(['DescribeInstance']);
    expect(() => http.verify()).not.toThrow();
  });

  it('verify() fails on a stub that was never used', () => {
    const http = new HttpMock().register(action('ListInstances'), json({ Instances: [] }));
    expect(() => http.verify()).toThrow(/stub never used: ListInstances/);
  });

  it('verify() fails on a request no stub matched (and the request fails)', async () => {
    const http = new HttpMock().register(action('DescribeInstance', { InstanceId: 'i-1' }), json({}));
    await expect(client(http).call('DescribeInstance', { InstanceId: 'i-2' })).rejects.toThrow(
      /no stub for GET https:\/\/vn.test\/ DescribeInstance InstanceId=i-2/,
    );
    const msg = (() => {
      try {
        http.verify();
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(msg).toContain('stub never used: DescribeInstance {"InstanceId":"i-1"}');
    expect(msg).toContain('unregistered request: GET https://vn.test/ DescribeInstance InstanceId=i-2');
  });

  it('a stub answers once unless registered with times; a parameter can match a pattern', async () => {
    const http = new HttpMock().register(action('ListInstances', { PageNumber: /^[12]$/ }), json({ Instances: [] }), { times: 2 });
    const c = client(http);
    await c.call('ListInstances', { PageNumber: 1, PageSize: 10 });
    expect(() => http.verify()).toThrow(/1 of 2 times/);
    await c.call('ListInstances', { PageNumber: 2, PageSize: 10 });
    http.verify();
  });

  it('matches V3 requests by x-acs-action', async () => {
    const http = new HttpMock().register(action('DescribeInstance', { InstanceId: 'i-3' }), json({}));
    await client(http, { signatureVersion: 'v3' }).call('DescribeInstance', { InstanceId: 'i-3' });
    expect(http.requests[0]?.headers['x-acs-action']).toBe('DescribeInstance');
    http.verify();
  });

  it('responds with XML, statuses and network errors, which the client treats as it would the real thing', async () => {
    const http = new HttpMock()
      .register(action('DescribeInstance'), xml('<DescribeInstanceResponse><RequestId>R-X</RequestId></DescribeInstanceResponse>'))
      .register(action('ListInstances'), apiError('Forbidden.NoPermission', 'no', 403))
      .register(action('ListChatbotInstances'), status(502, 'bad gateway'), { times: 2 })
      .register(action('DeleteInstance'), networkError({ delivered: true }))
      .register(route('GET', '/latest/meta-data/'), status(200, 'ok'));
    const c = client(http, { retries: 1 });
    expect((await c.call('DescribeInstance', { InstanceId: 'i' }, { format: 'XML' })).requestId).toBe('R-X');
    await expect(c.call('ListInstances', { PageNumber: 1, PageSize: 10 })).rejects.toMatchObject({
      code: 'Forbidden.NoPermission',
      requestId: 'REQ-ERR',
      exitCode: 1,
    });
    await expect(c.call('ListChatbotInstances', { InstanceId: 'i', PageNumber: 1, PageSize: 10 })).rejects.toMatchObject({ code: 'HTTP502', exitCode: 1 });
    // a state-changing call whose connection broke after sending is not re-sent
    await expect(c.call('DeleteInstance', { InstanceId: 'i' })).rejects.toThrow(/DeleteInstance changes state and may have been carried out/);
    expect(http.actions()).toEqual(['DescribeInstance', 'ListInstances', 'ListChatbotInstances', 'ListChatbotInstances', 'DeleteInstance']);
    expect(() => http.verify()).toThrow(/stub never used: GET \/latest\/meta-data\//);
  });
});
