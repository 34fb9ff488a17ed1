// The emulator plays STS 2015-04-01 and the ECS metadata service (issue 20, item 6): AssumeRole,
// AssumeRoleWithOIDC and GetCallerIdentity on the emulator's own port (told apart by Version),
// temporary STS.… keys kept in the store and checked on every Voice Navigator call with their
// role's access, OIDC tokens checked against a registered provider and the emulator's test key,
// and IMDSv2 on a loopback port of its own. Signed calls go through vn's own client and the
// official @alicloud/openapi-core; AssumeRoleWithOIDC is posted unsigned, as the official
// credentials library posts it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { STS } from '../../src/client/products.js';
import { makeRole, oidcProviderFromFlag, roleFromFlag } from '../../src/emulator/sts/roles.js';
import { ServiceError } from '../../src/errors.js';
import { READONLY_KEY, startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';

const ACCOUNT = '1000000000000000';
const DEPLOYER = `acs:ram::${ACCOUNT}:role/Deployer`;
const AUDITOR = `acs:ram::${ACCOUNT}:role/auditor`;
const ONLY_TEST_AK = `acs:ram::${ACCOUNT}:role/only-test-ak`;
const WITH_EXTERNAL_ID = `acs:ram::${ACCOUNT}:role/partner`;
const SHORT = `acs:ram::${ACCOUNT}:role/short`;
const CI = `acs:ram::${ACCOUNT}:role/ci`;
const GITHUB = `acs:ram::${ACCOUNT}:oidc-provider/github`;
const ISSUER = 'https://token.actions.githubusercontent.com';

interface Issued {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  Expiration: string;
}

let emu: TestEmulator;
const clock = { offset: 0 };

beforeAll(async () => {
  emu = await startTestEmulator({
    now: () => Date.now() + clock.offset,
    sts: {
      roles: [
        roleFromFlag(DEPLOYER),
        roleFromFlag(`${AUDITOR}:readonly`),
        makeRole({ arn: ONLY_TEST_AK, trust: { accessKeys: [TEST_KEY.id] } }, 'test'),
        makeRole({ arn: WITH_EXTERNAL_ID, trust: { accessKeys: ['*'], externalId: 'abc-123' } }, 'test'),
        makeRole({ arn: SHORT, minSessionDuration: 15 }, 'test'),
        makeRole({ arn: CI, trust: { oidcProviders: [GITHUB] } }, 'test'),
      ],
      oidcProviders: [oidcProviderFromFlag(`${GITHUB},issuer=${ISSUER},audience=sts.aliyuncs.com`)],
      metadataPort: 0,
      metadataRole: 'Deployer',
    },
  });
});
afterAll(async () => {
  await emu?.stop();
});

function sts(key: { id: string; secret: string; token?: string } = TEST_KEY) {
  return new Client<string>({
    endpoint: emu.url,
    product: STS,
    credentials: { accessKeyId: key.id, accessKeySecret: key.secret, ...(key.token ? { securityToken: key.token } : {}) },
    retries: 0,
  });
}

async function assume(roleArn: string, extra: Record<string, string> = {}, key?: Parameters<typeof sts>[0]): Promise<Issued> {
  const r = await sts(key).call<{ Credentials: Issued }>('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'alice', ...extra });
  return r.data.Credentials;
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; status?: number }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  const e = err as ServiceError;
  return { code: e.code as string, status: e.httpStatus };
}

/** vn run with an issued key (the env provider: ALIBABA_CLOUD_* with a security token). */
function vnWith(c: Issued, argv: string[]) {
  return runVn([...argv, '--retries', '0'], {
    env: {
      ...emu.env,
      ALIBABA_CLOUD_ACCESS_KEY_ID: c.AccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: c.AccessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: c.SecurityToken,
    },
  });
}

describe('AssumeRole', () => {
  it('issues an STS.… key with an expiry that lists, creates and describes', async () => {
    const before = emu.sts.log.count('AssumeRole');
    const c = await assume(DEPLOYER, { DurationSeconds: '1200' });
    expect(emu.sts.log.count('AssumeRole')).toBe(before + 1);
    expect(c.AccessKeyId).toMatch(/^STS\.[A-Za-z0-9]{25}$/);
    expect(c.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(c.Expiration) - (Date.now() + clock.offset + 1200_000))).toBeLessThan(5000);
    const created = await vnWith(c, ['instance', 'create', '--name', 'sts-made', '--concurrency', '2', '-o', 'json']);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const id = JSON.parse(created.stdout).InstanceId as string;
    const described = await vnWith(c, ['instance', 'describe', id, '-o', 'json']);
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout).Name).toBe('sts-made');
    const listed = await vnWith(c, ['instance', 'list', '-o', 'json']);
    expect(listed.code).toBe(0);
    // nothing printed holds the secret or the token
    for (const out of [created, described, listed]) expect(out.stdout + out.stderr).not.toContain(c.SecurityToken);
  });

  it('answers the assumed role and its id, as STS does', async () => {
    const r = await sts().call<Record<string, Record<string, string>>>('AssumeRole', { RoleArn: DEPLOYER, RoleSessionName: 'ci-job.7' });
    expect(r.data.AssumedRoleUser?.Arn).toBe(`acs:ram::${ACCOUNT}:role/deployer/ci-job.7`);
    expect(r.data.AssumedRoleUser?.AssumedRoleId).toMatch(/^3\d{17}:ci-job\.7$/);
    expect(r.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('a read-only role cannot write: Forbidden.RAM, and can read', async () => {
    const c = await assume(AUDITOR);
    expect((await vnWith(c, ['instance', 'list', '-o', 'json'])).code).toBe(0);
    const r = await vnWith(c, ['instance', 'create', '--name', 'not-allowed', '--concurrency', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Forbidden.RAM');
    // the denial names the role session, not a RAM user
    const vn = new Client({
      endpoint: emu.url,
      credentials: { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken },
      retries: 0,
    });
    const err = (await vn.call('CreateInstance', { Name: 'no', Concurrency: 1 }).catch((e: unknown) => e)) as ServiceError;
    expect(JSON.parse(err.body as string).AccessDeniedDetail).toMatchObject({
      AuthPrincipalType: 'AssumedRoleUser',
      AuthPrincipalDisplayName: 'auditor:alice',
    });
  });

  it('a session policy that allows only reads makes the key read-only', async () => {
    const policy = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['voicebot:List*', 'voicebot:Describe*'], Resource: '*' }] });
    const c = await assume(DEPLOYER, { Policy: policy });
    expect((await vnWith(c, ['instance', 'create', '--name', 'narrowed', '--concurrency', '1'])).stderr).toContain('Forbidden.RAM');
  });

  it.each([
    [{ RoleArn: `acs:ram::${ACCOUNT}:role/nobody` }, 'EntityNotExist.Role', 404],
    [{ RoleArn: 'arn:aws:iam::1:role/x' }, 'InvalidParameter.RoleArn', 400],
    [{ RoleSessionName: 'a' }, 'InvalidParameter.RoleSessionName', 400],
    [{ RoleSessionName: 'abc*abc' }, 'InvalidParameter.RoleSessionName', 400],
    [{ DurationSeconds: '899' }, 'InvalidParameter.DurationSeconds', 400],
    [{ DurationSeconds: '3601' }, 'InvalidParameter.DurationSeconds', 400],
    [{ Policy: '{not json' }, 'InvalidParameter.PolicyGrammar', 400],
    [{ RoleArn: WITH_EXTERNAL_ID, ExternalId: 'wrong-id' }, 'NoPermission', 403],
    [{ RoleArn: WITH_EXTERNAL_ID }, 'NoPermission', 403],
  ])('%j is refused with %s', async (params, code, status) => {
    expect(await refusal(sts().call('AssumeRole', { RoleArn: DEPLOYER, RoleSessionName: 'alice', ...params }))).toEqual({ code, status });
  });

  it('the role trusts only the keys its trust names (NoPermission for another)', async () => {
    expect((await assume(ONLY_TEST_AK)).AccessKeyId).toMatch(/^STS\./);
    expect(await refusal(assume(ONLY_TEST_AK, {}, READONLY_KEY))).toEqual({ code: 'NoPermission', status: 403 });
  });

  it('the right ExternalId is accepted', async () => {
    expect((await assume(WITH_EXTERNAL_ID, { ExternalId: 'abc-123' })).AccessKeyId).toMatch(/^STS\./);
  });

  it('a bad signature is refused as at the gateway', async () => {
    expect(await refusal(assume(DEPLOYER, {}, { id: TEST_KEY.id, secret: 'wrong' }))).toEqual({ code: 'SignatureDoesNotMatch', status: 400 });
  });

  it('an assumed role can assume another that trusts it (chaining)', async () => {
    const first = await assume(DEPLOYER);
    const second = await assume(AUDITOR, {}, { id: first.AccessKeyId, secret: first.AccessKeySecret, token: first.SecurityToken });
    expect(second.AccessKeyId).toMatch(/^STS\./);
  });

  it('the official @alicloud/openapi-core signs AssumeRole (V1 and V3) and gets credentials', async () => {
    for (const signing of ['v1', 'v3'] as const) {
      const res = await officialAssumeRole(signing);
      expect(res.statusCode).toBe(200);
      expect((res.body.Credentials as Issued).AccessKeyId).toMatch(/^STS\./);
    }
  });
});

describe('SecurityToken of an issued key on a Voice Navigator call', () => {
  it.each([
    ['a made-up token', (_c: Issued, _o: Issued) => 'CAISmadeUpTokenNobodyIssued==', 'InvalidSecurityToken.Malformed'],
    ["another issued key's token", (_c: Issued, o: Issued) => o.SecurityToken, 'InvalidSecurityToken.MismatchWithAccessKey'],
    ['no token at all', () => '', 'MissingSecurityToken'],
  ])('%s is refused with %s', async (_what, tokenOf, code) => {
    const c = await assume(DEPLOYER);
    const other = await assume(DEPLOYER);
    const r = await vnWith({ ...c, SecurityToken: tokenOf(c, other) }, ['instance', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(code);
  });

  it('a short-lived key works until it expires, then InvalidSecurityToken.Expired', async () => {
    const c = await assume(SHORT, { DurationSeconds: '15' });
    expect(Date.parse(c.Expiration) - (Date.now() + clock.offset)).toBeLessThanOrEqual(15_000);
    expect((await vnWith(c, ['instance', 'list'])).code).toBe(0);
    clock.offset += 16_000;
    try {
      const r = await vnWith(c, ['instance', 'list']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('InvalidSecurityToken.Expired');
    } finally {
      clock.offset -= 16_000;
    }
  });

  it('a key nobody issued is InvalidAccessKeyId.NotFound', async () => {
    const r = await vnWith({ AccessKeyId: 'STS.madeUpKeyId', AccessKeySecret: 'x', SecurityToken: 'CAISx', Expiration: '' }, ['instance', 'list']);
    expect(r.stderr).toContain('InvalidAccessKeyId.NotFound');
  });
});

describe('GetCallerIdentity', () => {
  it('for an access key: a RAM user of the emulated account', async () => {
    const r = await sts().call<Record<string, string>>('GetCallerIdentity', {});
    expect(r.data).toMatchObject({ IdentityType: 'RAMUser', AccountId: ACCOUNT, Arn: `acs:ram::${ACCOUNT}:user/${TEST_KEY.id}` });
    expect(r.data.UserId).toMatch(/^\d{16}$/);
  });

  it('for an assumed role: the assumed-role ARN with the session name', async () => {
    const c = await assume(DEPLOYER);
    const r = await sts({ id: c.AccessKeyId, secret: c.AccessKeySecret, token: c.SecurityToken }).call<Record<string, string>>('GetCallerIdentity', {});
    expect(r.data).toMatchObject({ IdentityType: 'AssumedRoleUser', AccountId: ACCOUNT, Arn: `acs:ram::${ACCOUNT}:assumed-role/Deployer/alice` });
    expect(r.data.PrincipalId).toBe(`${r.data.RoleId}:alice`);
  });

  it('an unknown action of STS is InvalidAction.NotFound', async () => {
    expect(await refusal(sts().call('GetFederationToken', {}))).toEqual({ code: 'InvalidAction.NotFound', status: 404 });
  });
});

/** AssumeRoleWithOIDC as the official credentials library sends it: unsigned, a form body. */
async function assumeWithOidc(token: string, extra: Record<string, string> = {}) {
  const form = new URLSearchParams({ OIDCProviderArn: GITHUB, RoleArn: CI, OIDCToken: token, RoleSessionName: 'gha-run', DurationSeconds: '900', ...extra });
  const qs = new URLSearchParams({ Version: '2015-04-01', Action: 'AssumeRoleWithOIDC', Format: 'JSON', Timestamp: new Date().toISOString() });
  const res = await fetch(`${emu.url}/?${qs}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('AssumeRoleWithOIDC', () => {
  it('a valid token (minted at /_vn/oidc/token) gets a key of the role, with the token info', async () => {
    const mint = await fetch(`${emu.url}/_vn/oidc/token?sub=repo:acme/app:ref:refs/heads/main`);
    expect(mint.status).toBe(200);
    const token = await mint.text();
    const r = await assumeWithOidc(token);
    expect(r.status).toBe(200);
    expect((r.body.Credentials as Issued).AccessKeyId).toMatch(/^STS\./);
    expect(r.body.OIDCTokenInfo).toMatchObject({ Subject: 'repo:acme/app:ref:refs/heads/main', Issuer: ISSUER, ClientIds: 'sts.aliyuncs.com' });
    expect(r.body.AssumedRoleUser).toMatchObject({ Arn: `acs:ram::${ACCOUNT}:role/ci/gha-run` });
    const listed = await vnWith(r.body.Credentials as Issued, ['instance', 'list']);
    expect(listed.code).toBe(0);
  });

  it.each([
    ['an expired token', () => emu.sts.mintOidcToken({ ttlSeconds: -60 }), 'AuthenticationFail.OIDCToken.Expired'],
    ['another audience', () => emu.sts.mintOidcToken({ aud: 'someone-else' }), 'AuthenticationFail.OIDCToken.AudienceNotMatch'],
    ['another issuer', () => emu.sts.mintOidcToken({ iss: 'https://evil.example' }), 'AuthenticationFail.OIDCToken.IssuerNotMatch'],
    ['a changed payload', () => tamper(emu.sts.mintOidcToken()), 'AuthenticationFail.OIDCToken.InvalidSignature'],
    ['not a JWT', () => 'abc.def', 'AuthenticationFail.OIDCToken.Invalid'],
  ])('%s is refused (401): %s', async (_what, token, code) => {
    const r = await assumeWithOidc(token());
    expect({ status: r.status, code: r.body.Code }).toEqual({ status: 401, code });
  });

  it('an unregistered provider: AuthenticationFail.NoPermission; a role that does not trust it: the same', async () => {
    const r = await assumeWithOidc(emu.sts.mintOidcToken(), { OIDCProviderArn: `acs:ram::${ACCOUNT}:oidc-provider/other` });
    expect({ status: r.status, code: r.body.Code }).toEqual({ status: 401, code: 'AuthenticationFail.NoPermission' });
    const untrusted = await assumeWithOidc(emu.sts.mintOidcToken(), { RoleArn: ONLY_TEST_AK });
    expect(untrusted.body.Code).toBe('AuthenticationFail.NoPermission');
  });
});

function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  claims.sub = 'someone-else';
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}

describe('the ECS metadata service', () => {
  const md = (path: string, init?: RequestInit) => fetch(`${emu.sts.metadataUrl}${path}`, init);

  it('IMDSv2: a session token, the role name, then its credentials, which the API accepts', async () => {
    expect(emu.sts.metadataUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const t = await md('/latest/api/token', { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '21600' } });
    expect(t.status).toBe(200);
    const token = await t.text();
    const name = await md('/latest/meta-data/ram/security-credentials/', { headers: { 'X-aliyun-ecs-metadata-token': token } });
    expect(await name.text()).toBe('Deployer');
    const res = await md('/latest/meta-data/ram/security-credentials/Deployer', { headers: { 'X-aliyun-ecs-metadata-token': token } });
    const body = (await res.json()) as Issued & { Code: string; LastUpdated: string };
    expect(body).toMatchObject({ Code: 'Success', AccessKeyId: expect.stringMatching(/^STS\./) });
    expect(body.LastUpdated).toMatch(/Z$/);
    expect((await vnWith(body, ['instance', 'list'])).code).toBe(0);
  });

  it('v1 (no token) is answered when v2 is not enforced; a bad token or TTL is refused', async () => {
    expect((await md('/latest/meta-data/ram/security-credentials/')).status).toBe(200);
    expect((await md('/latest/meta-data/ram/security-credentials/', { headers: { 'X-aliyun-ecs-metadata-token': 'nope' } })).status).toBe(401);
    expect((await md('/latest/api/token', { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '0' } })).status).toBe(400);
    expect((await md('/latest/meta-data/ram/security-credentials/Other')).status).toBe(404);
  });

  it('with imdsV2Only, a request without a session token is refused (401)', async () => {
    const strict = await startTestEmulator({ sts: { roles: [roleFromFlag(DEPLOYER)], metadataPort: 0, imdsV2Only: true } });
    try {
      const url = strict.sts.metadataUrl as string;
      expect((await fetch(`${url}/latest/meta-data/ram/security-credentials/`)).status).toBe(401);
      const token = await (await fetch(`${url}/latest/api/token`, { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text();
      const ok = await fetch(`${url}/latest/meta-data/ram/security-credentials/Deployer`, { headers: { 'X-aliyun-ecs-metadata-token': token } });
      expect(ok.status).toBe(200);
      expect(strict.sts.log.count('metadata:refused')).toBe(1);
    } finally {
      await strict.stop();
    }
  });
});

function officialAssumeRole(signing: 'v1' | 'v3') {
  const OpenApiClient = ((OpenApiModule as unknown as { default?: unknown }).default ?? OpenApiModule) as new (
    config: $OpenApiUtil.Config,
  ) => {
    callApi(p: $OpenApiUtil.Params, r: $OpenApiUtil.OpenApiRequest, o: RuntimeOptions): Promise<{ statusCode: number; body: Record<string, unknown> }>;
  };
  const client = new OpenApiClient(
    new $OpenApiUtil.Config({
      accessKeyId: TEST_KEY.id,
      accessKeySecret: TEST_KEY.secret,
      endpoint: emu.url.replace(/^http:\/\//, ''),
      protocol: 'http',
      ...(signing === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  const params = new $OpenApiUtil.Params({
    action: 'AssumeRole',
    version: '2015-04-01',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  return client.callApi(
    params,
    new $OpenApiUtil.OpenApiRequest({ query: { RoleArn: DEPLOYER, RoleSessionName: 'sdk' } }),
    new RuntimeOptions({ autoretry: false, maxAttempts: 1 }),
  );
}

describe("vn's own credential providers against the emulated STS and metadata service", () => {
  const base = () => ({ VN_ENDPOINT: emu.url, VN_CONFIG_DIR: emu.env.VN_CONFIG_DIR as string, ALIBABA_CLOUD_STS_ENDPOINT: emu.url, VN_RETRY_BASE_MS: '5' });

  it('OIDC from the environment: whoami names the assumed role; the call goes through AssumeRoleWithOIDC', async () => {
    const { dir, cleanup } = tempDir('vn-oidc-');
    try {
      const file = join(dir, 'token');
      writeFileSync(file, emu.sts.mintOidcToken({ sub: 'repo:acme/app' }));
      const before = emu.sts.log.count('AssumeRoleWithOIDC');
      const r = await runVn(['configure', 'whoami', '-o', 'json'], {
        env: {
          ...base(),
          ALIBABA_CLOUD_ROLE_ARN: CI,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: GITHUB,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: file,
          ALIBABA_CLOUD_ROLE_SESSION_NAME: 'gha-1',
        },
      });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toMatchObject({ IdentityType: 'AssumedRoleUser', Arn: `acs:ram::${ACCOUNT}:assumed-role/ci/gha-1` });
      expect(emu.sts.log.count('AssumeRoleWithOIDC')).toBe(before + 1);
    } finally {
      cleanup();
    }
  });

  it('EcsRamRole through VN_ECS_METADATA_ENDPOINT: lists with the instance role', async () => {
    const before = emu.sts.log.count('metadata:credentials');
    const r = await runVn(['instance', 'list', '-o', 'json'], {
      env: { ...base(), VN_ECS_METADATA_ENDPOINT: emu.sts.metadataUrl as string, ALIBABA_CLOUD_ECS_METADATA: 'Deployer' },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toHaveProperty('Instances');
    expect(emu.sts.log.count('metadata:credentials')).toBe(before + 1);
  });
});
