import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { splitCommand } from '../../../src/config/credentials/external.js';
import { RefreshingProvider } from '../../../src/config/credentials/refresh.js';
import { TOKEN_CACHE_FILE } from '../../../src/config/credentials/token-cache.js';
import { ProfileStore } from '../../../src/config/profiles.js';
import { resolveProfile } from '../../../src/config/resolve.js';
import { CredentialsError, ServiceError } from '../../../src/errors.js';
import { action, apiError, HttpMock, json, type MockRequest, route, status } from '../../helpers/httpmock.js';
import { runVn, tempDir } from '../../helpers/run.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir('vn-modes-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const STS = 'http://127.0.0.1:1';
const ROLE = 'acs:ram::1234567890123456:role/voice-ci';
const SOURCE_SECRET = 'source-secret-9f8e7d6c5b4a';

/** STS AssumeRole's answer (the shape of the API reference's example), numbered, valid `ttlS` seconds from `nowMs`. */
function assumed(n: number, nowMs: number, ttlS = 3600) {
  return {
    RequestId: `6894B13B-6D71-4EF5-88FA-F32781734A7${n}`,
    AssumedRoleUser: { Arn: `${ROLE}/vn-cli`, AssumedRoleId: `34458433936495${n}:vn-cli` },
    Credentials: {
      AccessKeyId: `STS.NUgYrLnoC37mZZCNnAbez${n}`,
      AccessKeySecret: `assumed-secret-${n}-CVwjCkNzTMupZ8NbTCxC`,
      SecurityToken: `CAIS-security-token-${n}-8gF1xQ3Zr8Vv`,
      Expiration: new Date(nowMs + ttlS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
}

const CALLER = {
  RequestId: 'C0FFEE00-0000-4000-8000-000000000001',
  IdentityType: 'AssumedRoleUser',
  AccountId: '1234567890123456',
  PrincipalId: '34458433936495:vn-cli',
  UserId: '34458433936495',
  Arn: 'acs:ram::1234567890123456:assumed-role/voice-ci/vn-cli',
  RoleId: '34458433936495',
};

async function storeWith(d: string, profiles: Record<string, Parameters<ProfileStore['set']>[1]>, current?: string): Promise<void> {
  const s = await ProfileStore.open(d);
  for (const [name, p] of Object.entries(profiles)) await s.set(name, p);
  if (current) await s.use(current);
}

describe('RamRoleArn', () => {
  it('assumes the role with the source key (role, session, external id, policy, duration) and yields the temporary key', async () => {
    const d = dir();
    const policy = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"voicenavigator:Describe*","Resource":"*"}]}';
    await storeWith(d, {
      ops: {
        mode: 'RamRoleArn',
        accessKeyId: 'LTAI-source-key',
        accessKeySecret: SOURCE_SECRET,
        ramRoleArn: ROLE,
        roleSessionName: 'alice',
        externalId: 'ext-42',
        policy,
        durationSeconds: 1800,
      },
    });
    const http = new HttpMock();
    const t0 = Date.parse('2026-12-05T10:00:00Z');
    http.register(
      action('AssumeRole', {
        RoleArn: ROLE,
        RoleSessionName: 'alice',
        ExternalId: 'ext-42',
        Policy: policy,
        DurationSeconds: '1800',
        AccessKeyId: 'LTAI-source-key',
      }),
      json(assumed(1, t0, 1800)),
    );
    const p = await resolveProfile({ env: { VN_CONFIG_DIR: d, ALIBABA_CLOUD_STS_ENDPOINT: STS }, profile: 'ops', http: { transport: http }, now: () => t0 });
    http.verify();
    expect(http.requests[0]?.url.origin).toBe(STS);
    expect(http.requests[0]?.params.SecurityToken).toBeUndefined();
    expect(p).toMatchObject({
      name: 'ops',
      source: 'profile',
      provider: 'profile-role',
      accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez1',
      description: 'vn profile "ops" (RamRoleArn)',
    });
    expect(p.securityToken).toBe('CAIS-security-token-1-8gF1xQ3Zr8Vv');
    expect(p.expiration?.toISOString()).toBe('2026-12-05T10:30:00.000Z');
  });

  it('an STS refusal stops the chain with its code (exit 1), not "no credentials"', async () => {
    const d = dir();
    await storeWith(d, { ops: { mode: 'RamRoleArn', accessKeyId: 'LTAI-bad', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE } }, 'ops');
    const http = new HttpMock().register(action('AssumeRole'), apiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404));
    const err = await resolveProfile({ env: { VN_CONFIG_DIR: d, ALIBABA_CLOUD_STS_ENDPOINT: STS }, http: { transport: http, retries: 0 } }).catch((e) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('InvalidAccessKeyId.NotFound');
  });
});

describe('ChainableRamRoleArn', () => {
  it("assumes its role with the source profile's temporary key (itself a role), each AssumeRole signed by the one before", async () => {
    const d = dir();
    await storeWith(d, {
      base: { mode: 'RamRoleArn', accessKeyId: 'LTAI-base', accessKeySecret: SOURCE_SECRET, ramRoleArn: 'acs:ram::111:role/hop' },
      cross: { mode: 'ChainableRamRoleArn', sourceProfile: 'base', ramRoleArn: ROLE, externalId: 'x-1' },
    });
    const t0 = Date.parse('2026-12-05T10:00:00Z');
    const http = new HttpMock().register(action('AssumeRole', { RoleArn: 'acs:ram::111:role/hop', AccessKeyId: 'LTAI-base' }), json(assumed(1, t0))).register(
      action('AssumeRole', {
        RoleArn: ROLE,
        ExternalId: 'x-1',
        AccessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez1',
        SecurityToken: 'CAIS-security-token-1-8gF1xQ3Zr8Vv',
      }),
      json(assumed(2, t0)),
    );
    const p = await resolveProfile({ env: { VN_CONFIG_DIR: d, ALIBABA_CLOUD_STS_ENDPOINT: STS }, profile: 'cross', http: { transport: http }, now: () => t0 });
    http.verify();
    expect(p.accessKeyId).toBe('STS.NUgYrLnoC37mZZCNnAbez2');
  });

  it('refuses a circle of source profiles', async () => {
    const d = dir();
    await storeWith(d, {
      a: { mode: 'ChainableRamRoleArn', sourceProfile: 'b', ramRoleArn: ROLE },
      b: { mode: 'ChainableRamRoleArn', sourceProfile: 'a', ramRoleArn: ROLE },
    });
    const err = await resolveProfile({ env: { VN_CONFIG_DIR: d }, profile: 'a', http: { transport: new HttpMock() } }).catch((e) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toMatch(/go round in a circle \(a → b → a\)/);
  });
});

describe('EcsRamRole (the metadata service on loopback, never 100.100.100.200)', () => {
  const META = 'http://127.0.0.1:9';
  const creds = (n: number, nowMs: number) => ({
    AccessKeyId: `STS.ecs-key-${n}`,
    AccessKeySecret: `ecs-secret-${n}-QmFzZTY0`,
    SecurityToken: `ecs-token-${n}-CAISxyz`,
    Expiration: new Date(nowMs + 6 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    LastUpdated: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Code: 'Success',
  });

  it('IMDSv2: asks for a session token, discovers the role, sends the token on each GET', async () => {
    const t0 = Date.now();
    const http = new HttpMock()
      .register(route('PUT', '/latest/api/token'), (req) => {
        expect(req.headers['x-aliyun-ecs-metadata-token-ttl-seconds']).toBe('21600');
        return { status: 200, headers: {}, body: 'imds-session-token' };
      })
      .register(route('GET', '/latest/meta-data/ram/security-credentials/'), (req) => ({
        status: 200,
        headers: {},
        body: req.headers['x-aliyun-ecs-metadata-token'] === 'imds-session-token' ? 'runner-role\n' : '',
      }))
      .register(route('GET', '/latest/meta-data/ram/security-credentials/runner-role'), json(creds(1, t0)));
    const p = await resolveProfile({ env: { VN_CONFIG_DIR: dir(), VN_ECS_METADATA_ENDPOINT: META }, http: { transport: http } });
    http.verify();
    expect(http.requests.every((r) => r.url.origin === META)).toBe(true);
    expect(http.requests.slice(1).every((r) => r.headers['x-aliyun-ecs-metadata-token'] === 'imds-session-token')).toBe(true);
    expect(p).toMatchObject({ source: 'ecs-ram-role', accessKeyId: 'STS.ecs-key-1' });
  });

  it('falls back to IMDSv1 when the token PUT fails, unless ALIBABA_CLOUD_IMDSV1_DISABLED', async () => {
    const t0 = Date.now();
    const http = new HttpMock()
      .register(route('PUT', '/latest/api/token'), status(403, 'forbidden'))
      .register(route('GET', '/latest/meta-data/ram/security-credentials/given-role'), (req) => {
        expect(req.headers['x-aliyun-ecs-metadata-token']).toBeUndefined();
        return json(creds(2, t0))(req);
      });
    const env = { VN_CONFIG_DIR: dir(), VN_ECS_METADATA_ENDPOINT: META, ALIBABA_CLOUD_ECS_METADATA: 'given-role' };
    expect((await resolveProfile({ env, http: { transport: http, retries: 0 } })).accessKeyId).toBe('STS.ecs-key-2');
    http.verify();

    const strict = new HttpMock().register(route('PUT', '/latest/api/token'), status(403, 'forbidden'));
    const err = await resolveProfile({
      env: { ...env, VN_CONFIG_DIR: dir(), ALIBABA_CLOUD_IMDSV1_DISABLED: 'true' },
      http: { transport: strict, retries: 0 },
    }).catch((e) => e);
    expect((err as Error).message).toMatch(/no IMDSv2 token .* ALIBABA_CLOUD_IMDSV1_DISABLED=true/);
    strict.verify();
  });

  it('is skipped, with its reason, unless asked for; ALIBABA_CLOUD_ECS_METADATA_DISABLED turns it off', async () => {
    const none = await resolveProfile({ env: { VN_CONFIG_DIR: dir() }, http: { transport: new HttpMock() } }).catch((e) => e);
    expect(none).toBeInstanceOf(CredentialsError);
    const p = await resolveProfile({
      env: { VN_CONFIG_DIR: dir(), ALIBABA_CLOUD_ACCESS_KEY_ID: 'A', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'B' },
      http: { transport: new HttpMock() },
    });
    expect(p.source).toBe('env');
    const { vnCredentialChain } = await import('../../../src/config/credentials/chain.js');
    const { chain } = vnCredentialChain({
      env: { VN_CONFIG_DIR: dir(), ALIBABA_CLOUD_ECS_METADATA: 'r', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
      http: { transport: new HttpMock() },
    });
    await chain.get().catch(() => undefined);
    expect(chain.skipped.find((s) => s.provider === 'ecs-ram-role')?.reason).toBe('ALIBABA_CLOUD_ECS_METADATA_DISABLED=true');
  });
});

describe('OIDC (ACK RRSA, GitHub Actions)', () => {
  it('exchanges the token file with AssumeRoleWithOIDC (unsigned) and reads the file again on each refresh', async () => {
    const d = dir();
    const tokenFile = join(d, 'token');
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.first-token.sig\n');
    const clock = { t: Date.parse('2026-12-05T10:00:00Z') };
    let n = 0;
    const seen: string[] = [];
    const http = new HttpMock().register(
      action('AssumeRoleWithOIDC', { RoleArn: ROLE, OIDCProviderArn: 'acs:ram::1234567890123456:oidc-provider/ack-rrsa', RoleSessionName: 'ci-run' }),
      (req: MockRequest) => {
        expect(req.params.AccessKeyId).toBeUndefined();
        expect(req.params.Signature).toBeUndefined();
        seen.push(req.params.OIDCToken ?? '');
        return json(assumed(++n, clock.t, 900))(req);
      },
      { times: 2 },
    );
    const env = {
      VN_CONFIG_DIR: d,
      ALIBABA_CLOUD_STS_ENDPOINT: STS,
      ALIBABA_CLOUD_ROLE_ARN: ROLE,
      ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1234567890123456:oidc-provider/ack-rrsa',
      ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
      ALIBABA_CLOUD_ROLE_SESSION_NAME: 'ci-run',
    };
    const p = await resolveProfile({ env, http: { transport: http }, now: () => clock.t });
    expect(p).toMatchObject({ source: 'oidc', accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez1' });
    // the platform rotates the token; the next exchange (after the margin) sends the new one
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.rotated-token.sig\n');
    clock.t += 12 * 60_000; // a 15-minute token is renewed 3m45s (a quarter of its life) before its expiry
    expect((await p.credentials.get()).accessKeyId).toBe('STS.NUgYrLnoC37mZZCNnAbez2');
    expect(seen).toEqual(['eyJhbGciOiJSUzI1NiJ9.first-token.sig', 'eyJhbGciOiJSUzI1NiJ9.rotated-token.sig']);
    http.verify();
  });

  it('half the variables set is skipped with the names of the missing ones', async () => {
    const { vnCredentialChain } = await import('../../../src/config/credentials/chain.js');
    const { chain } = vnCredentialChain({ env: { VN_CONFIG_DIR: dir(), ALIBABA_CLOUD_ROLE_ARN: ROLE } });
    await chain.get().catch(() => undefined);
    expect(chain.skipped.find((s) => s.provider === 'oidc')?.reason).toBe('ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set');
  });
});

describe('CredentialsURI', () => {
  it('reads {Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration}; a Code other than Success is an error', async () => {
    const t0 = Date.now();
    const body = {
      Code: 'Success',
      AccessKeyId: 'STS.uri-key',
      AccessKeySecret: 'uri-secret-abcdef',
      SecurityToken: 'uri-token-abcdef',
      Expiration: new Date(t0 + 3600_000).toISOString(),
    };
    const http = new HttpMock().register(route('GET', '/creds'), json(body));
    const env = { VN_CONFIG_DIR: dir(), ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:7/creds' };
    expect(await resolveProfile({ env, http: { transport: http } })).toMatchObject({ source: 'credentials-uri', accessKeyId: 'STS.uri-key' });
    http.verify();
    const bad = new HttpMock().register(route('GET', '/creds'), json({ ...body, Code: 'Expired' }));
    const err = await resolveProfile({ env: { ...env, VN_CONFIG_DIR: dir() }, http: { transport: bad } }).catch((e) => e);
    expect((err as Error).message).toMatch(/answered Code "Expired", not Success/);
  });
});

describe('CredentialsURI carrying a credential of its own', () => {
  it('its secret-like query values and password are never printed, not even by the --debug trace', async () => {
    const body = {
      Code: 'Success',
      AccessKeyId: 'STS.uri-key-2',
      AccessKeySecret: 'uri-secret-2-abcdef',
      SecurityToken: 'uri-token-2-abcdef',
      Expiration: new Date(Date.now() + 3600_000).toISOString(),
    };
    const http = new HttpMock()
      .register(route('GET', '/creds'), json(body))
      .register(action('ListInstances'), json({ RequestId: 'R', TotalCount: 0, PageNumber: 1, PageSize: 10, Instances: [] }));
    const r = await runVn(['--debug', 'instance', 'list', '--endpoint', 'http://127.0.0.1:8'], {
      env: { VN_CONFIG_DIR: dir(), ALIBABA_CLOUD_CREDENTIALS_URI: 'http://user:uri-pass-word-77@127.0.0.1:7/creds?access_token=uri-query-secret-42&role=ci' },
      transport: http,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[debug\] > GET http:\/\/.*127\.0\.0\.1:7\/creds\?access_token=<redacted>&role=ci/);
    for (const s of ['uri-query-secret-42', 'uri-pass-word-77', 'uri-secret-2-abcdef', 'uri-token-2-abcdef']) expect(r.stdout + r.stderr).not.toContain(s);
  });
});

describe('External', () => {
  it('runs the command without a shell and reads the aliyun CLI JSON; its output never reaches an error', async () => {
    const d = dir();
    const script = join(d, 'creds.js');
    writeFileSync(
      script,
      `process.stdout.write(JSON.stringify({ mode: 'StsToken', access_key_id: 'STS.ext-' + process.argv[2], access_key_secret: 'ext-secret-123456', sts_token: 'ext-token-123456', expiration: new Date(Date.now() + 3600e3).toISOString() }));`,
    );
    // `;` and `$(…)` are words given to the program, not shell syntax
    await storeWith(d, { ext: { mode: 'External', processCommand: `"${process.execPath}" ${script} 'a;b$(id)'` } });
    const p = await resolveProfile({ env: { VN_CONFIG_DIR: d }, profile: 'ext', http: {} });
    expect(p).toMatchObject({ accessKeyId: 'STS.ext-a;b$(id)', securityToken: 'ext-token-123456' });

    const noisy = join(d, 'bad.js');
    writeFileSync(noisy, `process.stdout.write('not json ext-secret-leak'); process.exit(0);`);
    await storeWith(d, { bad: { mode: 'External', processCommand: `${process.execPath} ${noisy}` } });
    const err = await resolveProfile({ env: { VN_CONFIG_DIR: d }, profile: 'bad', http: {} }).catch((e) => e);
    expect((err as Error).message).toMatch(/printed something that is not JSON/);
    expect((err as Error).message).not.toContain('leak');
  });

  it('splits words as a simple shell command would, with no expansion', () => {
    expect(splitCommand(`helper --profile "my prof" 'it''s' a\\ b $(x);y`)).toEqual(['helper', '--profile', 'my prof', 'its', 'a b', '$(x);y']);
    expect(() => splitCommand('helper "unclosed')).toThrow(/unclosed double quote/);
  });
});

describe('the official files', () => {
  it('the aliyun CLI profile (ALIBABA_CLOUD_PROFILE, else current) and ~/.alibabacloud/credentials, in that order', async () => {
    const home = dir();
    mkdirSync(join(home, '.aliyun'));
    mkdirSync(join(home, '.alibabacloud'));
    writeFileSync(
      join(home, '.aliyun', 'config.json'),
      JSON.stringify({
        current: 'main',
        profiles: [
          { name: 'main', mode: 'AK', access_key_id: 'LTAI-cli-main', access_key_secret: 'cli-secret-main' },
          { name: 'other', mode: 'AK', access_key_id: 'LTAI-cli-other', access_key_secret: 'cli-secret-other' },
          { name: 'sso', mode: 'CloudSSO' },
        ],
      }),
    );
    writeFileSync(
      join(home, '.alibabacloud', 'credentials'),
      '[default]\ntype = access_key\naccess_key_id = LTAI-file\naccess_key_secret = file-secret-1\n; a comment\n[sso]\ntype = access_key\naccess_key_id = LTAI-file-sso\naccess_key_secret = file-secret-2\n',
    );
    const base = { VN_CONFIG_DIR: dir(), HOME: home };
    expect(await resolveProfile({ env: base })).toMatchObject({
      source: 'aliyun-cli',
      accessKeyId: 'LTAI-cli-main',
      description: 'aliyun CLI profile "main" (AK)',
    });
    expect((await resolveProfile({ env: { ...base, ALIBABA_CLOUD_PROFILE: 'other' } })).accessKeyId).toBe('LTAI-cli-other');
    // a mode vn does not support is skipped; the credentials file's section of that name wins
    const sso = await resolveProfile({ env: { ...base, ALIBABA_CLOUD_PROFILE: 'sso' } });
    expect(sso).toMatchObject({ source: 'credentials-file', accessKeyId: 'LTAI-file-sso' });
    expect(sso.skipped.find((s) => s.provider === 'aliyun-cli')?.reason).toBe('aliyun CLI profile "sso" is of mode CloudSSO, which vn does not support');
    expect((await resolveProfile({ env: { ...base, ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' } })).accessKeyId).toBe('LTAI-file');
    // vn's own current profile comes before both
    await storeWith(base.VN_CONFIG_DIR, { mine: { accessKeyId: 'LTAI-vn', accessKeySecret: 'vn-secret-1' } }, 'mine');
    expect((await resolveProfile({ env: base })).accessKeyId).toBe('LTAI-vn');
  });
});

describe('the token cache', () => {
  it('eight concurrent resolutions make one AssumeRole; the file is 0600 and a cached token is not used inside its margin', async () => {
    const d = dir();
    await storeWith(d, { ops: { mode: 'RamRoleArn', accessKeyId: 'LTAI-source-key', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE } }, 'ops');
    const clock = { t: Date.parse('2026-12-05T10:00:00Z') };
    let n = 0;
    const http = new HttpMock().register(action('AssumeRole'), (req) => json(assumed(++n, clock.t, 3600))(req), { times: 2 });
    const env = { VN_CONFIG_DIR: d, ALIBABA_CLOUD_STS_ENDPOINT: STS };
    const all = await Promise.all(Array.from({ length: 8 }, () => resolveProfile({ env, http: { transport: http }, now: () => clock.t })));
    expect(new Set(all.map((p) => p.accessKeyId))).toEqual(new Set(['STS.NUgYrLnoC37mZZCNnAbez1']));
    expect(n).toBe(1);
    const file = join(d, TOKEN_CACHE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(ROLE);
    // 5 minutes before the expiry (the margin) the cached token is no longer handed out
    clock.t += 55 * 60_000;
    expect((await resolveProfile({ env, http: { transport: http }, now: () => clock.t })).accessKeyId).toBe('STS.NUgYrLnoC37mZZCNnAbez2');
    http.verify();
  });

  it('another key, session or policy is another entry', async () => {
    const d = dir();
    await storeWith(d, {
      a: { mode: 'RamRoleArn', accessKeyId: 'LTAI-1', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE },
      b: { mode: 'RamRoleArn', accessKeyId: 'LTAI-1', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE, roleSessionName: 'other' },
      c: { mode: 'RamRoleArn', accessKeyId: 'LTAI-1', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE, policy: '{}' },
      e: { mode: 'RamRoleArn', accessKeyId: 'LTAI-2', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE },
    });
    const t0 = Date.now();
    let n = 0;
    const http = new HttpMock().register(action('AssumeRole'), (req) => json(assumed(++n, t0))(req), { times: 4 });
    for (const profile of ['a', 'b', 'c', 'e', 'a'])
      await resolveProfile({ env: { VN_CONFIG_DIR: d, ALIBABA_CLOUD_STS_ENDPOINT: STS }, profile, http: { transport: http } });
    expect(n).toBe(4);
    http.verify();
  });

  it('a cache file that is not JSON is passed over and replaced', async () => {
    const d = dir();
    await storeWith(d, { a: { mode: 'RamRoleArn', accessKeyId: 'LTAI-1', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE } }, 'a');
    writeFileSync(join(d, TOKEN_CACHE_FILE), '{not json');
    chmodSync(join(d, TOKEN_CACHE_FILE), 0o644);
    const http = new HttpMock().register(action('AssumeRole'), json(assumed(1, Date.now())));
    expect((await resolveProfile({ env: { VN_CONFIG_DIR: d, ALIBABA_CLOUD_STS_ENDPOINT: STS }, http: { transport: http } })).accessKeyId).toBe(
      'STS.NUgYrLnoC37mZZCNnAbez1',
    );
    expect(statSync(join(d, TOKEN_CACHE_FILE)).mode & 0o777).toBe(0o600);
  });
});

describe('refresh of short-lived tokens', () => {
  it('renews a 60-second token after 45 s (a quarter of its life), not on every request', async () => {
    const clock = { t: 0 };
    let calls = 0;
    const r = new RefreshingProvider(
      { name: 'short', get: async () => ({ accessKeyId: `K${++calls}`, accessKeySecret: 'S', expiration: new Date(clock.t + 60_000) }) },
      { now: () => clock.t },
    );
    await r.get();
    clock.t = 44_000;
    expect((await r.get()).accessKeyId).toBe('K1');
    clock.t = 45_000;
    expect((await r.get()).accessKeyId).toBe('K2');
    expect(calls).toBe(2);
  });
});

describe('vn configure whoami', () => {
  it('names the source, the identity, the time left, the profile and region, and prints no secret', async () => {
    const d = dir();
    const t0 = Date.now();
    await storeWith(
      d,
      { ops: { mode: 'RamRoleArn', accessKeyId: 'LTAI-source-key', accessKeySecret: SOURCE_SECRET, ramRoleArn: ROLE, region: 'cn-hangzhou' } },
      'ops',
    );
    const http = new HttpMock()
      .register(action('AssumeRole'), json(assumed(1, t0)))
      .register(action('GetCallerIdentity', { AccessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez1', SecurityToken: 'CAIS-security-token-1-8gF1xQ3Zr8Vv' }), json(CALLER));
    const r = await runVn(['configure', 'whoami', '--debug'], {
      env: { VN_CONFIG_DIR: d, HOME: d, ALIBABA_CLOUD_STS_ENDPOINT: STS },
      transport: http,
      tty: { stdout: true },
    });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    http.verify();
    expect(r.stdout).toMatch(/source: +vn profile "ops" \(RamRoleArn\)/);
    expect(r.stdout).toMatch(/account: +1234567890123456/);
    expect(r.stdout).toMatch(/arn: +acs:ram::1234567890123456:assumed-role\/voice-ci\/vn-cli/);
    expect(r.stdout).toMatch(/type: +AssumedRoleUser/);
    expect(r.stdout).toMatch(/region: +cn-hangzhou/);
    expect(r.stdout).toMatch(/expires: .*\((59m \d\ds|1h 00m) left\)/);
    expect(r.stdout).toMatch(/skipped: +local: /);
    const all = r.stdout + r.stderr;
    for (const secret of [SOURCE_SECRET, 'assumed-secret-1-CVwjCkNzTMupZ8NbTCxC', 'CAIS-security-token-1-8gF1xQ3Zr8Vv']) expect(all).not.toContain(secret);
    // the --debug trace shows each request, redacted
    expect(r.stderr).toMatch(/\[debug\] > POST http:\/\/127\.0\.0\.1:1\/\?.*Action=AssumeRole/);

    const j = await runVn(['configure', 'whoami', '-o', 'json'], {
      env: { VN_CONFIG_DIR: d, HOME: d, ALIBABA_CLOUD_STS_ENDPOINT: STS },
      transport: new HttpMock().register(action('GetCallerIdentity'), json(CALLER)),
    });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ Profile: 'ops', Provider: 'profile-role', AccountId: '1234567890123456', IdentityType: 'AssumedRoleUser' });
  });

  it('a bad key exits 1 naming the STS error', async () => {
    const http = new HttpMock().register(action('GetCallerIdentity'), apiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404));
    const r = await runVn(['configure', 'whoami', '--retries', '0', '--sts-endpoint', STS], {
      env: { VN_CONFIG_DIR: dir(), ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-nope', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'nope-secret-123456' },
      transport: http,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/InvalidAccessKeyId\.NotFound/);
    expect(r.stderr).not.toContain('nope-secret-123456');
  });
});
