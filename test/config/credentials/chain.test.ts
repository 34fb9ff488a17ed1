import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CredentialProvider, staticCredentials } from '../../../src/client/credentials.js';
import { CredentialChain, vnCredentialChain } from '../../../src/config/credentials/chain.js';
import { NotApplicable } from '../../../src/config/credentials/provider.js';
import { ProfileStore } from '../../../src/config/profiles.js';
import { resolveProfile } from '../../../src/config/resolve.js';
import { CredentialsError } from '../../../src/errors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vn-chain-'));
  dirs.push(d);
  return d;
}

const skipping = (name: string, reason: string): CredentialProvider => ({
  name,
  get: () => Promise.reject(new NotApplicable(reason)),
});

describe('CredentialChain', () => {
  it('takes the first provider that yields and records why each earlier one was skipped', async () => {
    const asked: string[] = [];
    const track = (p: CredentialProvider): CredentialProvider => ({
      name: p.name,
      get: () => {
        asked.push(p.name);
        return p.get();
      },
    });
    const chain = new CredentialChain([
      track(skipping('a', 'A is not set')),
      track(skipping('b', 'no file')),
      track(staticCredentials({ accessKeyId: 'C', accessKeySecret: 'CS' }, 'c')),
      track(staticCredentials({ accessKeyId: 'D', accessKeySecret: 'DS' }, 'd')),
    ]);
    expect(await chain.get()).toEqual({ accessKeyId: 'C', accessKeySecret: 'CS' });
    expect(chain.winner?.name).toBe('c');
    expect(chain.skipped).toEqual([
      { provider: 'a', reason: 'A is not set' },
      { provider: 'b', reason: 'no file' },
    ]);
    expect(asked).toEqual(['a', 'b', 'c']);
  });

  it('stops at a provider that applies but fails (it is not passed over)', async () => {
    const chain = new CredentialChain([
      { name: 'broken', get: () => Promise.reject(new CredentialsError('half set')) },
      staticCredentials({ accessKeyId: 'X', accessKeySecret: 'Y' }, 'later'),
    ]);
    await expect(chain.get()).rejects.toThrow('half set');
    expect(chain.winner).toBeUndefined();
  });

  it('fails with every skip reason when none yields', async () => {
    const chain = new CredentialChain([skipping('a', 'not set'), skipping('b', 'missing')]);
    const err = await chain.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toBe('no credentials: a: not set; b: missing');
  });
});

describe("vn's chain (README: Credentials and profiles)", () => {
  async function store(): Promise<string> {
    const d = dir();
    const s = await ProfileStore.open(d);
    await s.set('ak', { accessKeyId: 'AK-1', accessKeySecret: 'SECRET-1', region: 'cn-hangzhou' });
    await s.set('sts', { accessKeyId: 'STS.AK', accessKeySecret: 'SECRET-2', securityToken: 'TOKEN-2' });
    return d;
  }
  const ENV = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ENV-ID', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ENV-SECRET' };

  it("is local, env, OIDC, vn's profile (temporary modes, StsToken, AK), the aliyun CLI, the credentials file, ECS metadata, a URI", () => {
    expect(vnCredentialChain({ env: {} }).chain.providers.map((p) => p.name)).toEqual([
      'local',
      'env',
      'oidc',
      'profile-role',
      'profile-sts-token',
      'profile-ak',
      'aliyun-cli',
      'credentials-file',
      'ecs-ram-role',
      'credentials-uri',
    ]);
  });

  it('an explicit --profile is the only stored source tried (after `local`)', () => {
    expect(vnCredentialChain({ env: {}, profile: 'x' }).chain.providers.map((p) => p.name)).toEqual([
      'local',
      'profile-role',
      'profile-sts-token',
      'profile-ak',
    ]);
  });

  it('the current AK profile wins after env and StsToken are skipped, with their reasons', async () => {
    const { chain } = vnCredentialChain({ env: { VN_CONFIG_DIR: await store() } });
    expect(await chain.get()).toEqual({ accessKeyId: 'AK-1', accessKeySecret: 'SECRET-1' });
    expect(chain.winner?.name).toBe('profile-ak');
    expect(chain.winner?.profileName()).toBe('ak');
    expect(chain.skipped).toEqual([
      { provider: 'local', reason: 'the current profile is "ak"' },
      { provider: 'env', reason: 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set' },
      { provider: 'oidc', reason: 'ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set' },
      { provider: 'profile-role', reason: 'profile "ak" is of mode AK' },
      { provider: 'profile-sts-token', reason: 'profile "ak" is of mode AK' },
    ]);
  });

  it('a named StsToken profile yields its token; the environment wins over a named profile', async () => {
    const d = await store();
    const sts = vnCredentialChain({ env: { VN_CONFIG_DIR: d }, profile: 'sts' });
    expect(await sts.chain.get()).toEqual({ accessKeyId: 'STS.AK', accessKeySecret: 'SECRET-2', securityToken: 'TOKEN-2' });
    expect(sts.chain.winner?.name).toBe('profile-sts-token');
    const env = vnCredentialChain({ env: { VN_CONFIG_DIR: d, VN_PROFILE: 'sts', ...ENV, ALIBABA_CLOUD_SECURITY_TOKEN: 'ENV-TOKEN' } });
    expect(await env.chain.get()).toEqual({ accessKeyId: 'ENV-ID', accessKeySecret: 'ENV-SECRET', securityToken: 'ENV-TOKEN' });
    expect(env.chain.skipped).toEqual([{ provider: 'local', reason: 'the profile asked for is "sts"' }]);
  });

  it('--profile local reads no store at all (a broken config.json does not matter) and wins over the environment', async () => {
    const { chain } = vnCredentialChain({ env: { VN_CONFIG_DIR: '/nonexistent/vn', ...ENV }, profile: 'local' });
    const c = await chain.get();
    expect(chain.winner?.name).toBe('local');
    expect(c.accessKeyId).toMatch(/^LTAIvnlocal[0-9a-f]{16}$/);
    // one key per run: asked again, the same
    expect(await chain.get()).toEqual(c);
  });

  it('keeps the messages and exit code 4 of the missing cases', async () => {
    const d = await store();
    const missing = await resolveProfile({ env: { VN_CONFIG_DIR: d }, profile: 'nope' }).catch((e: Error) => e);
    expect(missing).toBeInstanceOf(CredentialsError);
    expect((missing as CredentialsError).exitCode).toBe(4);
    expect((missing as Error).message).toMatch(/^no profile named "nope" \(profiles: ak, sts, local\); no credentials: run `vn configure`/);
    // only the secret set: the missing profile is named first, as before
    const secretOnly = await resolveProfile({ env: { VN_CONFIG_DIR: d, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'S' }, profile: 'nope' }).catch((e: Error) => e);
    expect((secretOnly as Error).message).toMatch(/^no profile named "nope"/);
    const half = await resolveProfile({ env: { VN_CONFIG_DIR: d, ALIBABA_CLOUD_ACCESS_KEY_ID: 'I' } }).catch((e: Error) => e);
    expect((half as Error).message).toBe('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together');
    const none = await resolveProfile({ env: { VN_CONFIG_DIR: dir() } }).catch((e: Error) => e);
    expect((none as Error).message).toMatch(/^no credentials: run `vn configure`/);
  });

  it('resolveProfile reports the winner, the skips and a provider for the client', async () => {
    const p = await resolveProfile({ env: { VN_CONFIG_DIR: await store() } });
    expect(p).toMatchObject({ name: 'ak', source: 'profile', provider: 'profile-ak', region: 'cn-hangzhou' });
    expect(p.skipped.map((s) => s.provider)).toEqual(['local', 'env', 'oidc', 'profile-role', 'profile-sts-token']);
    expect(await p.credentials.get()).toEqual({ accessKeyId: 'AK-1', accessKeySecret: 'SECRET-1' });
  });
});
