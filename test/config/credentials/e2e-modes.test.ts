import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READONLY_KEY, TEST_KEY, type TestEmulator } from '../../helpers/emulator.js';
import { tempDir } from '../../helpers/run.js';
import { ACCOUNT, PROVIDER_ARN, pool, ROLE, requestLog, Sweep, startStsEmulator } from './e2e-helpers.js';

/**
 * Issue 20, "Done when", end to end: every credential mode, from spawned `vn` processes (the built
 * dist/), against one emulator on loopback playing Voice Navigator, STS, an OIDC provider and the
 * ECS metadata service. Each mode lists, describes and creates an instance, and `whoami` names its
 * source and identity; then every output (also under --debug) is grepped for every secret.
 */

const t = tempDir('vn-e2e-modes-');
let emu: TestEmulator & { md: string };
const sweep = new Sweep();
/** Where the stored profiles live (made by `vn configure set`), and a config dir with none. */
const CFG = join(t.dir, 'cfg');
const EMPTY_CFG = join(t.dir, 'cfg-empty');
const HOME = join(t.dir, 'home');
const HOME_ALIYUN = join(t.dir, 'home-aliyun');
const HOME_INI = join(t.dir, 'home-ini');
let oidcTokenFile = '';
/** A temporary key the metadata service issued: a fixed STS token for the StsToken profile and the environment. */
let fixed: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };

interface Case {
  name: string;
  /** Global flags before the command (`--profile NAME`), none for the environment's chain. */
  flags: string[];
  env: Record<string, string>;
  /** whoami: the source, the provider and the identity. */
  source: RegExp;
  provider: string;
  identity: 'RAMUser' | 'AssumedRoleUser';
  arn: string | RegExp;
  /** The key the emulator saw: a long-lived one, or an STS key it issued. */
  key: string | RegExp;
  /** A fixed STS token (its expiry is not known to vn). */
  fixed?: boolean;
}

const assumed = (role: string, session: string) => `acs:ram::${ACCOUNT}:assumed-role/${role}/${session}`;
const STS_KEY = /^STS\.[A-Za-z0-9]{25}$/;

let cases: Case[] = [];

beforeAll(async () => {
  emu = await startStsEmulator();
  for (const d of [CFG, EMPTY_CFG, HOME, join(HOME_ALIYUN, '.aliyun'), join(HOME_INI, '.alibabacloud')]) mkdirSync(d, { recursive: true });
  sweep.secret(TEST_KEY.secret, READONLY_KEY.secret);

  // an OIDC token from the emulator's test facility, as a platform writes it to a file
  const token = await (await fetch(`${emu.url}/_vn/oidc/token?sub=repo:acme/voice:ref:refs/heads/main`)).text();
  oidcTokenFile = join(t.dir, 'oidc-token');
  writeFileSync(oidcTokenFile, token);
  sweep.secret(token);
  const credsUri = `${emu.md}/latest/meta-data/ram/security-credentials/voice-ci`;
  fixed = (await (await fetch(credsUri)).json()) as typeof fixed;
  sweep.secret(fixed.AccessKeySecret, fixed.SecurityToken);

  // External: a helper printing the aliyun CLI's JSON (here: the metadata service's key)
  const helper = join(t.dir, 'helper.mjs');
  writeFileSync(
    helper,
    `const c = await (await fetch(process.argv[2])).json();
process.stdout.write(JSON.stringify({ mode: 'StsToken', access_key_id: c.AccessKeyId, access_key_secret: c.AccessKeySecret, sts_token: c.SecurityToken, expiration: c.Expiration }));
`,
  );

  // the aliyun CLI's config.json and the official credentials file, each in a home of its own
  writeFileSync(
    join(HOME_ALIYUN, '.aliyun', 'config.json'),
    JSON.stringify({
      current: 'ci',
      profiles: [
        {
          name: 'ci',
          mode: 'RamRoleArn',
          access_key_id: TEST_KEY.id,
          access_key_secret: TEST_KEY.secret,
          ram_role_arn: ROLE('deployer'),
          ram_session_name: 'e2e-aliyun',
          region_id: 'cn-shanghai',
        },
      ],
    }),
  );
  writeFileSync(
    join(HOME_INI, '.alibabacloud', 'credentials'),
    `[default]\ntype = ram_role_arn\naccess_key_id = ${TEST_KEY.id}\naccess_key_secret = ${TEST_KEY.secret}\nrole_arn = ${ROLE('voice-ci')}\nrole_session_name = e2e-ini\n`,
  );

  // profiles of every mode, made as a user makes them: `vn configure set --mode …`, secrets on stdin
  const env = { HOME, VN_CONFIG_DIR: CFG };
  const at = ['--endpoint', emu.url];
  const sts = ['--sts-endpoint', emu.url];
  const set = (name: string, args: string[], stdin?: string) => async () => {
    const r = await sweep.vn(['configure', 'set', '--profile', name, ...at, ...args], env, { stdin });
    expect(r.stderr).toContain(`saved profile "${name}"`);
    expect(r.code).toBe(0);
  };
  await pool([
    set('ak', ['--access-key-id', TEST_KEY.id], TEST_KEY.secret),
    set('sts', ['--mode', 'StsToken', '--access-key-id', fixed.AccessKeyId], `${fixed.AccessKeySecret}\n${fixed.SecurityToken}\n`),
    set(
      'ram',
      ['--mode', 'RamRoleArn', '--access-key-id', TEST_KEY.id, '--ram-role-arn', ROLE('voice-ci'), '--role-session-name', 'e2e-ram', ...sts],
      TEST_KEY.secret,
    ),
    set('ecs', ['--mode', 'EcsRamRole']),
    set('oidc', [
      '--mode',
      'OIDC',
      '--ram-role-arn',
      ROLE('voice-ci'),
      '--oidc-provider-arn',
      PROVIDER_ARN,
      '--oidc-token-file',
      oidcTokenFile,
      '--role-session-name',
      'e2e-oidc',
      ...sts,
    ]),
    set('uri', ['--mode', 'CredentialsURI', '--credentials-uri', credsUri]),
    set('ext', ['--mode', 'External', '--process-command', `${process.execPath} ${helper} ${credsUri}`]),
  ]);
  // its source profile must exist first
  await set('chain', [
    '--mode',
    'ChainableRamRoleArn',
    '--source-profile',
    'ram',
    '--ram-role-arn',
    ROLE('deployer'),
    '--role-session-name',
    'e2e-chain',
    ...sts,
  ])();
  // the aliyun CLI's profile, imported into vn's store
  const imported = await sweep.vn(['configure', 'import-aliyun', '--file', join(HOME_ALIYUN, '.aliyun', 'config.json')], env);
  expect(imported.code, imported.stderr).toBe(0);
  // `configure list` shows each profile's mode (and never a secret: the sweep below)
  const listed = await sweep.vn(['configure', 'list', '-o', 'json'], env);
  expect(listed.code, listed.stderr).toBe(0);
  const modes = Object.fromEntries((JSON.parse(listed.stdout) as { Profiles: { Name: string; Mode: string }[] }).Profiles.map((p) => [p.Name, p.Mode]));
  expect(modes).toEqual({
    ak: 'AK',
    sts: 'StsToken',
    ram: 'RamRoleArn',
    chain: 'ChainableRamRoleArn',
    ecs: 'EcsRamRole',
    oidc: 'OIDC',
    uri: 'CredentialsURI',
    ext: 'External',
    ci: 'RamRoleArn',
    local: 'local',
  });

  // whoami asks STS who the caller is: the profile's STS endpoint, else ALIBABA_CLOUD_STS_ENDPOINT
  const profile = (name: string, extra: Record<string, string> = {}) => ({
    flags: ['--profile', name],
    env: { HOME, VN_CONFIG_DIR: CFG, ALIBABA_CLOUD_STS_ENDPOINT: emu.url, ...extra },
  });
  // the environment's chain: no vn profile, no aliyun CLI or credentials file unless the case says
  const chain = (extra: Record<string, string>, home = HOME) => ({
    flags: [],
    env: { HOME: home, VN_CONFIG_DIR: EMPTY_CFG, VN_ENDPOINT: emu.url, ALIBABA_CLOUD_STS_ENDPOINT: emu.url, ...extra },
  });
  const metadataCase = { identity: 'AssumedRoleUser' as const, arn: assumed('voice-ci', 'ecs-instance'), key: STS_KEY };
  cases = [
    {
      name: 'AK',
      ...profile('ak'),
      source: /^vn profile "ak" \(AK\)$/,
      provider: 'profile-ak',
      identity: 'RAMUser',
      arn: `acs:ram::${ACCOUNT}:user/${TEST_KEY.id}`,
      key: TEST_KEY.id,
    },
    {
      name: 'StsToken',
      ...profile('sts'),
      source: /^vn profile "sts" \(StsToken\)$/,
      provider: 'profile-sts-token',
      ...metadataCase,
      key: fixed.AccessKeyId,
      fixed: true,
    },
    {
      name: 'RamRoleArn',
      ...profile('ram'),
      source: /^vn profile "ram" \(RamRoleArn\)$/,
      provider: 'profile-role',
      identity: 'AssumedRoleUser',
      arn: assumed('voice-ci', 'e2e-ram'),
      key: STS_KEY,
    },
    {
      name: 'ChainableRamRoleArn',
      ...profile('chain'),
      source: /^vn profile "chain" \(ChainableRamRoleArn\)$/,
      provider: 'profile-role',
      identity: 'AssumedRoleUser',
      arn: assumed('deployer', 'e2e-chain'),
      key: STS_KEY,
    },
    {
      name: 'EcsRamRole',
      ...profile('ecs', { VN_ECS_METADATA_ENDPOINT: emu.md }),
      source: /^vn profile "ecs" \(EcsRamRole\)$/,
      provider: 'profile-role',
      ...metadataCase,
    },
    {
      name: 'OIDC',
      ...profile('oidc'),
      source: /^vn profile "oidc" \(OIDC\)$/,
      provider: 'profile-role',
      identity: 'AssumedRoleUser',
      arn: assumed('voice-ci', 'e2e-oidc'),
      key: STS_KEY,
    },
    { name: 'CredentialsURI', ...profile('uri'), source: /^vn profile "uri" \(CredentialsURI\)$/, provider: 'profile-role', ...metadataCase },
    { name: 'External', ...profile('ext'), source: /^vn profile "ext" \(External\)$/, provider: 'profile-role', ...metadataCase },
    {
      name: 'aliyun CLI profile imported (configure import-aliyun)',
      ...profile('ci', { VN_ENDPOINT: emu.url }),
      source: /^vn profile "ci" \(RamRoleArn\)$/,
      provider: 'profile-role',
      identity: 'AssumedRoleUser',
      arn: assumed('deployer', 'e2e-aliyun'),
      key: STS_KEY,
    },
    {
      name: 'aliyun CLI profile',
      ...chain({}, HOME_ALIYUN),
      source: /aliyun CLI profile "ci" \(RamRoleArn\)/,
      provider: 'aliyun-cli',
      identity: 'AssumedRoleUser',
      arn: assumed('deployer', 'e2e-aliyun'),
      key: STS_KEY,
    },
    {
      name: '~/.alibabacloud/credentials',
      ...chain({}, HOME_INI),
      source: /^\[default\] of .*\.alibabacloud\/credentials \(RamRoleArn\)$/,
      provider: 'credentials-file',
      identity: 'AssumedRoleUser',
      arn: assumed('voice-ci', 'e2e-ini'),
      key: STS_KEY,
    },
    {
      name: 'env: AccessKey',
      ...chain({ ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret }),
      source: /^the environment \(ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET\)$/,
      provider: 'env',
      identity: 'RAMUser',
      arn: `acs:ram::${ACCOUNT}:user/${TEST_KEY.id}`,
      key: TEST_KEY.id,
    },
    {
      name: 'env: STS token',
      ...chain({
        ALIBABA_CLOUD_ACCESS_KEY_ID: fixed.AccessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: fixed.AccessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: fixed.SecurityToken,
      }),
      source: /^the environment \(ALIBABA_CLOUD_ACCESS_KEY_ID, _SECRET and _SECURITY_TOKEN\)$/,
      provider: 'env',
      ...metadataCase,
      key: fixed.AccessKeyId,
      fixed: true,
    },
    {
      name: 'env: OIDC (RRSA)',
      ...chain({
        ALIBABA_CLOUD_ROLE_ARN: ROLE('voice-ci'),
        ALIBABA_CLOUD_OIDC_PROVIDER_ARN: PROVIDER_ARN,
        ALIBABA_CLOUD_OIDC_TOKEN_FILE: oidcTokenFile,
        ALIBABA_CLOUD_ROLE_SESSION_NAME: 'e2e-env-oidc',
      }),
      source: /^OIDC from the environment \(role acs:ram::1000000000000000:role\/voice-ci\)$/,
      provider: 'oidc',
      identity: 'AssumedRoleUser',
      arn: assumed('voice-ci', 'e2e-env-oidc'),
      key: STS_KEY,
    },
    {
      name: 'env: ECS metadata',
      ...chain({ ALIBABA_CLOUD_ECS_METADATA: 'voice-ci', VN_ECS_METADATA_ENDPOINT: emu.md }),
      source: /^ECS instance metadata at http:\/\/127\.0\.0\.1:\d+ \(role voice-ci\)$/,
      provider: 'ecs-ram-role',
      ...metadataCase,
    },
    {
      name: 'env: credentials URI',
      ...chain({ ALIBABA_CLOUD_CREDENTIALS_URI: credsUri }),
      source: /^ALIBABA_CLOUD_CREDENTIALS_URI$/,
      provider: 'credentials-uri',
      ...metadataCase,
    },
  ];
}, 180_000);

afterAll(async () => {
  if (process.env.E2E_DUMP) writeFileSync(process.env.E2E_DUMP, JSON.stringify(sweep.runs, null, 1));
  await emu?.stop();
  t.cleanup();
});

describe('every credential mode, from spawned vn processes against the emulator', () => {
  it('each mode creates, lists and describes an instance, signed with its own key, and whoami names its source and identity', async () => {
    // one create per mode (a change: never more than once), then its reads and whoami, four processes at a time
    const created = await pool(
      cases.map((c) => () => sweep.vn([...c.flags, 'instance', 'create', '--name', `e2e ${c.name}`, '--concurrency', '1', '-o', 'json'], c.env)),
    );
    const failures: string[] = [];
    const ids = created.map((r, i) => {
      if (r.code !== 0) failures.push(`${cases[i]?.name}: create exited ${r.code}: ${r.stderr}`);
      return r.code === 0 ? (JSON.parse(r.stdout) as { InstanceId: string }).InstanceId : '';
    });
    expect(failures).toEqual([]);
    const reads = await pool(
      cases.flatMap((c, i) => [
        () => sweep.vn([...c.flags, '--debug', 'instance', 'list', '-o', 'json'], c.env),
        () => sweep.vn([...c.flags, 'instance', 'describe', ids[i] as string, '-o', 'json'], c.env),
        () => sweep.vn([...c.flags, '--debug', 'configure', 'whoami', '-o', 'json'], c.env),
      ]),
    );
    cases.forEach((c, i) => {
      const [list, one, whoami] = reads.slice(i * 3, i * 3 + 3) as [(typeof reads)[0], (typeof reads)[0], (typeof reads)[0]];
      for (const r of [list, one, whoami]) if (r.code !== 0) failures.push(`${c.name}: exited ${r.code}: ${r.stderr.split('\n').slice(-3).join(' | ')}`);
      if (failures.length) return;
      const listed = JSON.parse(list.stdout) as { Instances: { InstanceId: string }[] };
      expect(
        listed.Instances.map((x) => x.InstanceId),
        c.name,
      ).toContain(ids[i]);
      // the emulator writes who made a change: the key the mode yielded
      const described = JSON.parse(one.stdout) as { InstanceId: string; Name: string; ModifyUserName: string };
      expect(described, c.name).toMatchObject({ InstanceId: ids[i], Name: `e2e ${c.name}` });
      expect(described.ModifyUserName, c.name).toMatch(typeof c.key === 'string' ? new RegExp(`^${c.key.replace(/\./g, '\\.')}$`) : c.key);
      const who = JSON.parse(whoami.stdout) as Record<string, unknown>;
      expect(who.Source, c.name).toMatch(c.source);
      expect(who, c.name).toMatchObject({ Provider: c.provider, IdentityType: c.identity, AccountId: ACCOUNT });
      expect(who.Arn, c.name).toEqual(c.arn);
      // a temporary key says how long it has left; a long-lived one does not expire; a fixed token's expiry is not known
      expect(who.TimeLeft, c.name).toMatch(c.identity === 'RAMUser' ? /^does not expire$/ : c.fixed ? /^unknown$/ : /^\d+m \d{2}s$|^1h 00m$/);
    });
    expect(failures).toEqual([]);
    // the emulator refused none of these requests (the request log, over HTTP)
    expect(await requestLog(emu, { status: 'error' })).toEqual([]);
  }, 300_000);

  it('no output of any run (with or without --debug) holds an AccessKey secret, a security token or an OIDC token', () => {
    sweep.harvest(emu);
    sweep.harvestCaches(t.dir);
    // a secret for each temporary mode at least: the sweep looks for what was really used
    expect(sweep.secrets.size).toBeGreaterThan(14);
    expect(sweep.runs.some((r) => r.argv.includes('--debug') && r.result.stderr.includes('SecurityToken'))).toBe(true);
    sweep.check();
  });
});
