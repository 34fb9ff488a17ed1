// STS security tokens (issue 18): the emulator verifies the SecurityToken a request carries (V1:
// the SecurityToken parameter; V3: the x-acs-security-token header) as the gateway does. It accepts
// the tokens it was started with, each bound to one access key id; a made-up token is
// InvalidSecurityToken.Malformed, one bound to another key InvalidSecurityToken.MismatchWithAccessKey,
// an expired one InvalidSecurityToken.Expired: each HTTP 400 with the gateway's message. Driven by
// vn itself (a profile with an STS token) and by the official TypeScript SDK, unmodified.
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READONLY_KEY, startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

const OpenApiClient = ((OpenApiModule as unknown as { default?: unknown }).default ?? OpenApiModule) as new (
  config: $OpenApiUtil.Config,
) => {
  callApi(
    params: $OpenApiUtil.Params,
    request: $OpenApiUtil.OpenApiRequest,
    runtime: RuntimeOptions,
  ): Promise<{ statusCode: number; body: Record<string, unknown> }>;
};

const GOOD = 'CAIS-good-token-for-test-ak';
const OLD = 'CAIS-expired-token-for-test-ak';
const FOR_RO = 'CAIS-token-for-ro-ak';
const MADE_UP = 'CAISmadeUpTokenNobodyIssued==';

const MESSAGES: Record<string, string> = {
  'InvalidSecurityToken.Malformed': 'Specified SecurityToken is malformed.',
  'InvalidSecurityToken.MismatchWithAccessKey': 'Specified SecurityToken mismatch with the AccessKey.',
  'InvalidSecurityToken.Expired': 'Specified SecurityToken is expired.',
};

let emu: TestEmulator;
const clock = Date.now();

beforeAll(async () => {
  emu = await startTestEmulator({
    now: () => clock,
    stsTokens: [
      { token: GOOD, accessKeyId: TEST_KEY.id },
      { token: OLD, accessKeyId: TEST_KEY.id, expiresAt: clock - 1000 },
      { token: FOR_RO, accessKeyId: READONLY_KEY.id },
    ],
  });
});
afterAll(async () => {
  await emu?.stop();
});

describe.each(['v1', 'v3'])('vn with an STS token (signature %s)', (signing) => {
  const list = (token: string) =>
    runVn(['instance', 'list', '-o', 'json', '--signature-version', signing, '--retries', '0'], { env: { ...emu.env, ALIBABA_CLOUD_SECURITY_TOKEN: token } });

  it('a token the emulator was started with, for this key, is accepted', async () => {
    const r = await list(GOOD);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toHaveProperty('Instances');
  });

  it.each([
    [MADE_UP, 'InvalidSecurityToken.Malformed'],
    [FOR_RO, 'InvalidSecurityToken.MismatchWithAccessKey'],
    [OLD, 'InvalidSecurityToken.Expired'],
  ])('%s is refused: %s (exit 1, naming the code and RequestId; the token never printed)', async (token, code) => {
    const r = await list(token);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(code);
    expect(r.stderr).toContain(MESSAGES[code]);
    expect(r.stderr).toMatch(/[0-9A-F]{8}-[0-9A-F]{4}-/);
    expect(r.stderr).not.toContain(token);
  });
});

function sdk(signing: 'v1' | 'v3', token: string, key = TEST_KEY) {
  const client = new OpenApiClient(
    new $OpenApiUtil.Config({
      accessKeyId: key.id,
      accessKeySecret: key.secret,
      securityToken: token,
      endpoint: emu.url.replace(/^http:\/\//, ''),
      protocol: 'http',
      // 'v2' makes callApi sign V1 (HMAC-SHA1, the token in the SecurityToken parameter)
      ...(signing === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  const params = new $OpenApiUtil.Params({
    action: 'ListInstances',
    version: '2018-06-12',
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
    new $OpenApiUtil.OpenApiRequest({ query: { PageNumber: '1', PageSize: '10' } }),
    new RuntimeOptions({ autoretry: false, maxAttempts: 1 }),
  );
}

describe.each<'v1' | 'v3'>(['v1', 'v3'])('@alicloud/openapi-core with an STS token (signature %s)', (signing) => {
  it('the configured token is accepted', async () => {
    const res = await sdk(signing, GOOD);
    expect(res.statusCode).toBe(200);
    expect(res.body).toHaveProperty('Instances');
  });

  it.each([
    [MADE_UP, 'InvalidSecurityToken.Malformed'],
    [FOR_RO, 'InvalidSecurityToken.MismatchWithAccessKey'],
    [OLD, 'InvalidSecurityToken.Expired'],
  ])('%s: %s, HTTP 400 with the gateway message', async (token, code) => {
    const err = await sdk(signing, token).then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: { code?: string; statusCode?: number; data?: Record<string, unknown> }) => e,
    );
    expect({ code: err.code, status: err.statusCode, message: err.data?.Message }).toEqual({ code, status: 400, message: MESSAGES[code] });
    expect(String(err.data?.RequestId)).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('the read-only key with its own token is accepted (for what its policy allows)', async () => {
    const res = await sdk(signing, FOR_RO, READONLY_KEY);
    expect(res.statusCode).toBe(200);
  });
});

describe('vn emulator start --sts-token', () => {
  it.each([
    [['--sts-token', 'nokey'], 'ID:TOKEN'],
    [['--sts-token', 'other-ak:tok'], 'none of the emulator'],
    [['--sts-token', 'test-ak:'], 'ID:TOKEN'],
  ])('%j is refused with exit 2 before anything starts', async (flags, message) => {
    const r = await runVn(['emulator', 'start', '--port', '0', '--data', ':memory:', '--access-key', `${TEST_KEY.id}:${TEST_KEY.secret}`, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
