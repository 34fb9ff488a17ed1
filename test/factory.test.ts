import { afterEach, describe, expect, it } from 'vitest';
import { STS } from '../src/client/products.js';
import { defaultGlobals, type GlobalOptions } from '../src/commands/globals.js';
import type { ResolvedProfile } from '../src/config/resolve.js';
import { Factory } from '../src/factory.js';
import { action, HttpMock, json } from './helpers/httpmock.js';
import { tempDir } from './helpers/run.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function factory(globals: Partial<GlobalOptions> = {}, env: NodeJS.ProcessEnv = {}) {
  const { dir, cleanup } = tempDir('vn-factory-');
  cleanups.push(cleanup);
  const lines: string[] = [];
  const f = new Factory({
    env: { VN_CONFIG_DIR: dir, ...env },
    configDir: dir,
    now: () => new Date(),
    globals: () => ({ ...defaultGlobals(), ...globals }),
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
  });
  return { f, lines, dir };
}

const KEY = { accessKeyId: 'LTAIfactory', accessKeySecret: 'factory-secret' };
const profile = (over: Partial<ResolvedProfile> = {}): ResolvedProfile => ({
  name: 'p',
  source: 'profile',
  ...KEY,
  region: 'cn-shanghai',
  endpoint: 'https://vn.example.test',
  credentials: { name: 'fixed', get: async () => KEY },
  provider: 'fixed',
  description: 'fixed',
  skipped: [],
  ...over,
});

describe('the Factory', () => {
  it('makes each piece once, on first use, and a test overrides the transport', async () => {
    const { f } = factory();
    const http = new HttpMock().register(action('DescribeInstance', { InstanceId: 'i-1' }), json({ RequestId: 'r', Instance: {} }), { times: 2 });
    let transports = 0;
    let profiles = 0;
    f.override({
      transport: async () => {
        transports++;
        return http;
      },
      profile: async () => {
        profiles++;
        return profile();
      },
    });
    expect(f.made('transport')).toBe(false);
    const [a, b] = await Promise.all([f.client(), f.client()]);
    expect(a).toBe(b);
    expect(transports).toBe(1);
    expect(profiles).toBe(1);
    expect(await f.credentials()).toBe(await f.credentials());
    await a.call('DescribeInstance', { InstanceId: 'i-1' });
    await b.call('DescribeInstance', { InstanceId: 'i-1' });
    http.verify();
    expect(http.requests[0]?.url.host).toBe('vn.example.test');
  });

  it('a policy is an argument: its own client, the global options untouched', async () => {
    const { f } = factory({ timeout: 30, retries: 3 });
    f.override({ transport: async () => new HttpMock(), profile: async () => profile() });
    const plain = await f.client();
    const short = await f.client(undefined, { timeoutMs: 1500, retries: 0 });
    expect(short).not.toBe(plain);
    expect(short).toBe(await f.client(undefined, { timeoutMs: 1500, retries: 0 }));
    expect(plain.http.timeoutMs).toBe(30_000);
    expect(short.http.timeoutMs).toBe(1500);
  });

  it('client(product) signs another product with the same rules (STS, its version, its endpoint)', async () => {
    const { f } = factory();
    const http = new HttpMock().register(action('GetCallerIdentity', { Version: '2015-04-01' }), json({ RequestId: 'r', AccountId: '1' }));
    f.override({ transport: async () => http, profile: async () => profile() });
    const sts = await f.client(STS, { endpoint: 'https://sts.example.test' });
    expect((await sts.call('GetCallerIdentity', {})).data).toMatchObject({ AccountId: '1' });
    http.verify();
    expect(http.requests[0]?.url.host).toBe('sts.example.test');
  });

  it('the carried-out changes of every client it made are known (exit 6, not 2, after a change)', async () => {
    const { f } = factory();
    const http = new HttpMock().register(action('DeleteInstance'), json({ RequestId: 'r' }));
    f.override({ transport: async () => http, profile: async () => profile() });
    expect(f.carriedOut()).toEqual([]);
    await (await f.client(undefined, { retries: 0 })).call('DeleteInstance', { InstanceId: 'i-1' });
    expect(f.carriedOut()).toEqual(['DeleteInstance']);
  });

  it('the local profile: the embedded emulator starts once, serves the client, and is closed once at dispose', async () => {
    const { f } = factory({ profile: 'local' }, { VN_LOCAL_DATA: ':memory:' });
    const client = await f.client();
    const res = await client.call('ListInstances', { PageNumber: 1, PageSize: 10 });
    expect(res.status).toBe(200);
    const emu = await f.emulator({ id: 'x', secret: 'y' });
    expect((await f.endpoint()).url).toBe(emu.url);
    await f.dispose();
    // closed: the port answers no more; a second dispose has nothing left to run
    await expect(fetch(`${emu.url}/`)).rejects.toThrow();
    await f.dispose();
  });

  it('config() is the profile store, opened once', async () => {
    const { f, dir } = factory();
    const store = await f.config();
    expect(store).toBe(await f.config());
    expect(store.path.startsWith(dir)).toBe(true);
  });
});
