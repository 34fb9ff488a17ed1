import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../../src/client/client.js';
import { READONLY_KEY, TEST_KEY, type TestEmulator } from '../../helpers/emulator.js';
import { type RunResult, tempDir } from '../../helpers/run.js';
import { expectServiceError, PROVIDER_ARN, ROLE, requestLog, Sweep, startStsEmulator } from './e2e-helpers.js';

/**
 * Issue 20, "Done when", end to end from spawned `vn` processes against one emulator playing STS
 * (sessions from 1 s: `--sts-min-duration 1`), an OIDC provider and the metadata service: a
 * read-only role cannot write; eight processes make one AssumeRole; a run longer than its token's
 * life renews it, and an OIDC exchange reads the rotated token file; expired, made-up and foreign
 * tokens are refused with STS's codes; no output holds a secret. Every count comes from the
 * emulator's request log (`GET /_vn/requests`).
 */

const t = tempDir('vn-e2e-sts-');
let emu: TestEmulator & { md: string };
const sweep = new Sweep();
const HOME = join(t.dir, 'home');
const CFG = join(t.dir, 'cfg');
/**
 * A session this short makes a run outlive its token in seconds (Alibaba Cloud's STS: 900 s at
 * least). vn renews it a quarter of its life before its end (12 s in), so the runs are let go
 * between that and the next renewal (24 s in): room for a slow, shared machine.
 */
const SESSION_S = 16;
const ak = () => ({
  HOME,
  VN_CONFIG_DIR: join(t.dir, 'cfg-none'),
  VN_ENDPOINT: emu.url,
  ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
});
const inCfg = (dir = CFG) => ({ HOME, VN_CONFIG_DIR: dir });

beforeAll(async () => {
  emu = await startStsEmulator(1);
  mkdirSync(HOME, { recursive: true });
  sweep.secret(TEST_KEY.secret, READONLY_KEY.secret);
}, 60_000);

afterAll(async () => {
  await emu?.stop();
  t.cleanup();
});

/** `vn configure set` of a role profile, the secret on stdin. */
async function setProfile(dir: string, name: string, args: string[], stdin?: string): Promise<void> {
  const r = await sweep.vn(['configure', 'set', '--profile', name, '--endpoint', emu.url, '--sts-endpoint', emu.url, ...args], inCfg(dir), { stdin });
  expect(r.stderr).toContain(`saved profile "${name}"`);
  expect(r.code).toBe(0);
}

/** The request log's entries after `seq`, of one action. */
async function since(seq: number, action?: string) {
  return (await requestLog(emu, action ? { action } : {})).filter((r) => r.seq > seq);
}
async function lastSeq(): Promise<number> {
  return (await requestLog(emu, { limit: '1' })).at(-1)?.seq ?? 0;
}

async function createInstance(name: string): Promise<string> {
  const r = await sweep.vn(['instance', 'create', '--name', name, '--concurrency', '1', '-o', 'json'], ak());
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { InstanceId: string }).InstanceId;
}

async function until(what: string, test: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('temporary credentials from spawned vn processes, counted in the emulator’s request log', () => {
  it('a read-only role lists but cannot write: Forbidden.RAM, exit 1 naming the code and RequestId, nothing created', async () => {
    await setProfile(
      CFG,
      'viewer',
      ['--mode', 'RamRoleArn', '--access-key-id', TEST_KEY.id, '--ram-role-arn', ROLE('viewer'), '--role-session-name', 'e2e-viewer'],
      TEST_KEY.secret,
    );
    const before = await lastSeq();
    const [list, create] = await Promise.all([
      sweep.vn(['--profile', 'viewer', 'instance', 'list', '-o', 'json'], inCfg()),
      sweep.vn(['--profile', 'viewer', '--debug', 'instance', 'create', '--name', 'not allowed', '--concurrency', '1'], inCfg()),
    ]);
    expect(list.code, list.stderr).toBe(0);
    expectServiceError(create, 'Forbidden.RAM');
    expect(create.stderr).toMatch(/^error: Forbidden\.RAM: .*\(HTTP 403, RequestId: [0-9A-F-]{36}\)$/m);
    const creates = await since(before, 'CreateInstance');
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ status: 403, code: 'Forbidden.RAM', accessKeyId: expect.stringMatching(/^STS\./) });
    expect(JSON.parse(list.stdout).Instances).toEqual([]);
  }, 60_000);

  it('eight vn processes starting at once make exactly one AssumeRole call (the request log), and all eight are answered', async () => {
    const dir = join(t.dir, 'cfg-shards');
    await setProfile(
      dir,
      'ci',
      ['--mode', 'RamRoleArn', '--access-key-id', TEST_KEY.id, '--ram-role-arn', ROLE('voice-ci'), '--role-session-name', 'e2e-shards'],
      TEST_KEY.secret,
    );
    const before = await lastSeq();
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => sweep.vn(['--profile', 'ci', 'instance', 'list', '-o', 'json'], inCfg(dir), { timeoutMs: 60_000 })),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const log = await since(before);
    expect(log.filter((r) => r.action === 'AssumeRole')).toEqual([expect.objectContaining({ status: 200, accessKeyId: TEST_KEY.id })]);
    const lists = log.filter((r) => r.action === 'ListInstances');
    expect(lists).toHaveLength(8);
    // all eight signed with the one temporary key
    expect(new Set(lists.map((r) => r.accessKeyId)).size).toBe(1);
    expect(log.filter((r) => r.status !== 200)).toEqual([]);
  }, 90_000);

  it('one run longer than its token renews it (two AssumeRole calls), and an OIDC run reads its rotated token file again: nothing refused', async () => {
    const a = await createInstance('e2e refresh');
    const b = await createInstance('e2e rotate');
    const tokenFile = join(t.dir, 'rotating-token');
    const first = await (await fetch(`${emu.url}/_vn/oidc/token?sub=system:serviceaccount:ci:runner`)).text();
    writeFileSync(tokenFile, first);
    sweep.secret(first);
    const short = ['--duration-seconds', String(SESSION_S)];
    await Promise.all([
      setProfile(
        CFG,
        'refresh',
        ['--mode', 'RamRoleArn', '--access-key-id', TEST_KEY.id, '--ram-role-arn', ROLE('voice-ci'), '--role-session-name', 'e2e-refresh', ...short],
        TEST_KEY.secret,
      ),
      setProfile(CFG, 'rotate', [
        '--mode',
        'OIDC',
        '--ram-role-arn',
        ROLE('voice-ci'),
        '--oidc-provider-arn',
        PROVIDER_ARN,
        '--oidc-token-file',
        tokenFile,
        '--role-session-name',
        'e2e-rotate',
        ...short,
      ]),
    ]);
    const before = await lastSeq();
    // each run reads its instance every half second until the test disables it
    const wait = (profile: string, id: string) =>
      sweep.vn(
        [
          '--profile',
          profile,
          '--debug',
          'instance',
          'describe',
          id,
          '--wait-until',
          "Status == 'Disabled'",
          '--interval',
          '0.5',
          '--wait-timeout',
          '60',
          '-o',
          'json',
        ],
        inCfg(),
        {
          timeoutMs: 90_000,
        },
      );
    const runs = Promise.all([wait('refresh', a), wait('rotate', b)]);
    // each run is let go once it has renewed and its first session is over (and long before a
    // second renewal): an in-process client disables its instance, no process to start
    const admin = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0 });
    const letGo = async (action: string, id: string) => {
      await until(`two ${action} calls and the first session over`, async () => {
        const calls = await since(before, action);
        return calls.length >= 2 && Date.now() > Date.parse(calls[0]?.time ?? '') + SESSION_S * 1000 + 500;
      });
      await admin.call('DisableInstance', { InstanceId: id });
    };
    const rotated = (async () => {
      // the platform rotates the token once the first exchange has used it
      await until('the first AssumeRoleWithOIDC', async () => (await since(before, 'AssumeRoleWithOIDC')).length >= 1);
      const second = await (await fetch(`${emu.url}/_vn/oidc/token?sub=system:serviceaccount:ci:runner-rotated`)).text();
      writeFileSync(tokenFile, second);
      sweep.secret(second);
      await letGo('AssumeRoleWithOIDC', b);
    })();
    await Promise.all([letGo('AssumeRole', a), rotated]);
    const [refresh, rotate] = (await runs) as [RunResult, RunResult];
    expect(refresh.code, refresh.stderr.slice(-500)).toBe(0);
    expect(rotate.code, rotate.stderr.slice(-500)).toBe(0);
    expect(JSON.parse(refresh.stdout)).toMatchObject({ InstanceId: a, Status: 'Disabled' });
    expect(JSON.parse(rotate.stdout)).toMatchObject({ InstanceId: b, Status: 'Disabled' });

    const log = await since(before);
    // nothing refused, and exactly one renewal of each
    expect(log.filter((r) => r.status !== 200)).toEqual([]);
    const assumes = log.filter((r) => r.action === 'AssumeRole');
    const oidc = log.filter((r) => r.action === 'AssumeRoleWithOIDC');
    expect(assumes).toHaveLength(2);
    expect(oidc).toHaveLength(2);
    // each run's reads were signed with two temporary keys in turn, the second from after the first's session ended
    const reads = log.filter((r) => r.action === 'DescribeInstance' && r.accessKeyId?.startsWith('STS.'));
    expect(new Set(reads.map((r) => r.accessKeyId)).size).toBe(4);
    // the second exchange carried the rotated token: STS says whose it was (OIDCTokenInfo.Subject, in the run's --debug trace)
    expect([...rotate.stderr.matchAll(/"OIDCTokenInfo":\{"Subject":"([^"]+)"/g)].map((m) => m[1])).toEqual([
      'system:serviceaccount:ci:runner',
      'system:serviceaccount:ci:runner-rotated',
    ]);
    // the runs' --debug traces show the renewals
    expect(refresh.stderr.match(/Action=AssumeRole\b/g)?.length).toBe(2);
  }, 120_000);

  it('an expired, a made-up and another key’s security token are refused with STS’s codes (exit 1, code and RequestId)', async () => {
    const rows = emu.state.db
      .prepare("SELECT access_key_id, secret, security_token, expire_time FROM sts_keys WHERE session_name = 'e2e-refresh' ORDER BY create_time")
      .all() as {
      access_key_id: string;
      secret: string;
      security_token: string;
      expire_time: number;
    }[];
    const [old, current] = rows as [(typeof rows)[0], (typeof rows)[0]];
    await until('the first session to expire', async () => Date.now() > old.expire_time + 500);
    const other = emu.state.db.prepare("SELECT security_token FROM sts_keys WHERE session_name = 'e2e-shards'").get() as { security_token: string };
    const env = (id: string, secret: string, token: string) => ({
      HOME,
      VN_CONFIG_DIR: join(t.dir, 'cfg-none'),
      VN_ENDPOINT: emu.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: id,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
      ALIBABA_CLOUD_SECURITY_TOKEN: token,
    });
    const madeUp = `CAIS${Buffer.from('a token nobody issued, long enough to look like one').toString('base64')}`;
    sweep.secret(madeUp);
    const [expired, unknown, foreign] = await Promise.all([
      sweep.vn(['instance', 'list'], env(old.access_key_id, old.secret, old.security_token)),
      sweep.vn(['--debug', 'instance', 'list'], env(current.access_key_id, current.secret, madeUp)),
      sweep.vn(['instance', 'list'], env(current.access_key_id, current.secret, other.security_token)),
    ]);
    expectServiceError(expired, 'InvalidSecurityToken.Expired');
    expectServiceError(unknown, 'InvalidSecurityToken.Malformed');
    expectServiceError(foreign, 'InvalidSecurityToken.MismatchWithAccessKey');
  }, 60_000);

  it('an expired OIDC token is refused by STS with its code, and the chain stops there (an aliyun CLI key after it is not used)', async () => {
    const home = join(t.dir, 'home-oidc');
    mkdirSync(join(home, '.aliyun'), { recursive: true });
    writeFileSync(
      join(home, '.aliyun', 'config.json'),
      JSON.stringify({ current: 'k', profiles: [{ name: 'k', mode: 'AK', access_key_id: TEST_KEY.id, access_key_secret: TEST_KEY.secret }] }),
    );
    const stale = await (await fetch(`${emu.url}/_vn/oidc/token?ttl=-60`)).text();
    const file = join(t.dir, 'stale-token');
    writeFileSync(file, stale);
    sweep.secret(stale);
    const before = await lastSeq();
    const r = await sweep.vn(['--debug', 'instance', 'list'], {
      HOME: home,
      VN_CONFIG_DIR: join(t.dir, 'cfg-none'),
      VN_ENDPOINT: emu.url,
      ALIBABA_CLOUD_STS_ENDPOINT: emu.url,
      ALIBABA_CLOUD_ROLE_ARN: ROLE('voice-ci'),
      ALIBABA_CLOUD_OIDC_PROVIDER_ARN: PROVIDER_ARN,
      ALIBABA_CLOUD_OIDC_TOKEN_FILE: file,
    });
    expectServiceError(r, 'AuthenticationFail.OIDCToken.Expired');
    const log = await since(before);
    expect(log.map((e) => [e.action, e.code])).toEqual([['AssumeRoleWithOIDC', 'AuthenticationFail.OIDCToken.Expired']]);
  }, 60_000);

  it('whoami with a bad key exits 1 naming STS’s error (a wrong secret, an unknown key)', async () => {
    const env = (id: string, secret: string) => ({
      HOME,
      VN_CONFIG_DIR: join(t.dir, 'cfg-none'),
      ALIBABA_CLOUD_STS_ENDPOINT: emu.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: id,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
    });
    const [wrong, unknown] = await Promise.all([
      sweep.vn(['configure', 'whoami'], env(TEST_KEY.id, 'not-the-secret-0123')),
      sweep.vn(['configure', 'whoami'], env('no-such-key', 'not-the-secret-0123')),
    ]);
    expectServiceError(wrong, 'SignatureDoesNotMatch');
    expectServiceError(unknown, 'InvalidAccessKeyId.NotFound');
    expect(wrong.stdout + unknown.stdout).toBe('');
  }, 60_000);

  it('whoami with no credentials anywhere says why each source was skipped (exit 4), and never asks the metadata address', async () => {
    const home = join(t.dir, 'home-empty');
    mkdirSync(home, { recursive: true });
    const r = await sweep.vn(['--debug', 'configure', 'whoami'], { HOME: home, VN_CONFIG_DIR: join(home, 'cfg') });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe('');
    const tried = r.stderr.slice(r.stderr.indexOf('no source yielded credentials; each one tried:')).split('\n').slice(1, 11);
    expect(tried.map((l) => l.trim().split(':')[0])).toEqual([
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
    expect(r.stderr).toContain('  ecs-ram-role: ALIBABA_CLOUD_ECS_METADATA (the instance RAM role) and VN_ECS_METADATA_ENDPOINT are not set');
    expect(r.stderr).toMatch(/^error: no credentials: /m);
    // unasked, the metadata service is not probed (README, "The order"): --debug traces every request
    expect(r.stderr).not.toContain('100.100.100.200');
    expect(r.stderr).not.toContain('[debug] >');
  }, 30_000);

  it('no output of any run (with or without --debug) holds an AccessKey secret, a security token or an OIDC token', () => {
    sweep.harvest(emu);
    sweep.harvestCaches(t.dir);
    expect(sweep.runs.some((r) => r.argv.includes('--debug'))).toBe(true);
    sweep.check();
    // the sweep has teeth: a run that printed one of these secrets fails it
    const leaky = new Sweep();
    const [secret] = [...sweep.secrets].filter((x) => x.startsWith('CAIS'));
    leaky.secret(secret);
    leaky.runs.push({ argv: ['instance', 'list'], result: { code: 0, stdout: `{"SecurityToken":"${secret}"}`, stderr: '' } });
    expect(() => leaky.check()).toThrow();
  });
});
