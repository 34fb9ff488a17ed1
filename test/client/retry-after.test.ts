import { describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { retryAfterMs } from '../../src/client/http.js';
import { action, HttpMock, json } from '../helpers/httpmock.js';

const KEY = { accessKeyId: 'AK-RA', accessKeySecret: 'secret-for-retry-after' };
const throttled = (headers: Record<string, string>) =>
  json({ Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, { status: 400, headers });

function clientWithClock(http: HttpMock) {
  const slept: number[] = [];
  const client = new Client({ endpoint: 'https://vn.test', credentials: KEY, transport: http, retries: 3, sleep: async (ms) => void slept.push(ms) });
  return { client, slept };
}

describe("the service's Retry-After", () => {
  it('is waited out before the retry (Retry-After in seconds), not the shorter backoff', async () => {
    const http = new HttpMock()
      .register(action('DescribeInstance'), throttled({ 'retry-after': '2' }))
      .register(action('DescribeInstance'), json({ InstanceId: 'i-1' }));
    const { client, slept } = clientWithClock(http);
    const res = await client.call('DescribeInstance', { InstanceId: 'i-1' });
    expect(res.data).toMatchObject({ InstanceId: 'i-1' });
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(2000);
    http.verify();
  });

  it("reads Alibaba Cloud's x-acs-retry-after (milliseconds) first", async () => {
    const http = new HttpMock()
      .register(action('DescribeInstance'), throttled({ 'x-acs-retry-after': '1500', 'retry-after': '9' }))
      .register(action('DescribeInstance'), json({ InstanceId: 'i-1' }));
    const { client, slept } = clientWithClock(http);
    await client.call('DescribeInstance', { InstanceId: 'i-1' });
    expect(slept[0]).toBeGreaterThanOrEqual(1500);
    expect(slept[0]).toBeLessThan(5001);
  });

  it('ends the retries when the wait asked for is longer than vn waits (30 s): the error as it is, one request', async () => {
    const http = new HttpMock().register(action('DescribeInstance'), throttled({ 'retry-after': '120' }));
    const { client, slept } = clientWithClock(http);
    await expect(client.call('DescribeInstance', { InstanceId: 'i-1' })).rejects.toMatchObject({ code: 'Throttling.User', retryAfterMs: 120_000 });
    expect(slept).toEqual([]);
    expect(http.actions()).toEqual(['DescribeInstance']);
  });

  it('parses the header forms: seconds, an HTTP date, milliseconds; nothing readable is no wait', () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'Retry-After': 'Sat, 05 Dec 2026 10:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'x-acs-retry-after': '250' }, now)).toBe(250);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
