import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/config/profiles.js';
import { runVn, tempDir } from '../helpers/run.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir('vn-cfg-modes-');
  cleanups.push(t.cleanup);
  return t.dir;
}
const ROLE = 'acs:ram::1234567890123456:role/voice';
const SECRET = 'stdin-secret-0123456789';

describe('vn configure set --mode', () => {
  it('stores each mode with its flags; the secret comes from stdin only where the mode has one', async () => {
    const d = dir();
    const env = { VN_CONFIG_DIR: d };
    const set = (args: string[], stdin = '') => runVn(['configure', 'set', ...args], { env, stdin });
    expect(
      (
        await set(
          [
            '--profile',
            'ops',
            '--mode',
            'RamRoleArn',
            '--access-key-id',
            'LTAI-ops',
            '--ram-role-arn',
            ROLE,
            '--role-session-name',
            'alice',
            '--external-id',
            'ext',
            '--duration-seconds',
            '1800',
          ],
          SECRET,
        )
      ).code,
    ).toBe(0);
    expect((await set(['--profile', 'cross', '--mode', 'ChainableRamRoleArn', '--source-profile', 'ops', '--ram-role-arn', ROLE])).code).toBe(0);
    expect((await set(['--profile', 'ecs', '--mode', 'EcsRamRole'])).code).toBe(0);
    expect(
      (
        await set([
          '--profile',
          'rrsa',
          '--mode',
          'OIDC',
          '--ram-role-arn',
          ROLE,
          '--oidc-provider-arn',
          'acs:ram::1234567890123456:oidc-provider/ack',
          '--oidc-token-file',
          '/var/run/token',
        ])
      ).code,
    ).toBe(0);
    expect((await set(['--profile', 'uri', '--mode', 'CredentialsURI', '--credentials-uri', 'http://127.0.0.1:8080/creds?key=hidden'])).code).toBe(0);
    expect((await set(['--profile', 'ext', '--mode', 'External', '--process-command', 'cred-helper --token s3cr3t-arg'])).code).toBe(0);
    const store = await ProfileStore.open(d);
    expect(store.get('ops')).toMatchObject({
      mode: 'RamRoleArn',
      accessKeyId: 'LTAI-ops',
      accessKeySecret: SECRET,
      ramRoleArn: ROLE,
      roleSessionName: 'alice',
      externalId: 'ext',
      durationSeconds: 1800,
    });
    expect(store.get('cross')).toMatchObject({ mode: 'ChainableRamRoleArn', sourceProfile: 'ops' });
    expect(store.get('cross')?.accessKeySecret).toBeUndefined();
    expect(store.get('ecs')).toMatchObject({ mode: 'EcsRamRole' });

    const list = await runVn(['configure', 'list', '-o', 'json'], { env });
    const rows = JSON.parse(list.stdout).Profiles as { Name: string; Mode: string; Role: string }[];
    expect(Object.fromEntries(rows.map((r) => [r.Name, `${r.Mode} ${r.Role}`]))).toMatchObject({
      ops: `RamRoleArn ${ROLE}`,
      cross: `ChainableRamRoleArn ${ROLE} (from ops)`,
      ecs: 'EcsRamRole (discovered)',
      rrsa: `OIDC ${ROLE}`,
      uri: 'CredentialsURI http://127.0.0.1:8080/creds',
      ext: 'External cred-helper',
    });
    const table = await runVn(['configure', 'list'], { env, tty: { stdout: true } });
    for (const out of [list.stdout, table.stdout]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain('hidden');
      expect(out).not.toContain('s3cr3t-arg');
    }
    expect(table.stdout).toMatch(/MODE/);
    expect((await runVn(['configure', 'get', 'mode', '--profile', 'cross'], { env })).stdout).toBe('ChainableRamRoleArn\n');
  });

  it('refuses, before writing, what a mode does not take or needs, and malformed settings (exit 2)', async () => {
    const d = dir();
    const env = { VN_CONFIG_DIR: d };
    const cases: [string[], RegExp][] = [
      [['--mode', 'EcsRamRole', '--ram-role-arn', ROLE], /--ram-role-arn does not apply to mode EcsRamRole/],
      [['--mode', 'RamRoleArn', '--access-key-id', 'K'], /missing required option --ram-role-arn \(mode RamRoleArn\)/],
      [
        ['--mode', 'OIDC', '--ram-role-arn', 'arn:aws:iam::1:role/x', '--oidc-provider-arn', 'p', '--oidc-token-file', 'f'],
        /is not a role ARN.*is not an OIDC provider ARN/,
      ],
      [['--mode', 'ChainableRamRoleArn', '--source-profile', 'nope', '--ram-role-arn', ROLE], /--source-profile: no profile named "nope"/],
      [['--mode', 'RamRoleArn', '--access-key-id', 'K', '--ram-role-arn', ROLE, '--policy', '{not json'], /--policy is not JSON/],
      [['--mode', 'RamRoleArn', '--access-key-id', 'K', '--ram-role-arn', ROLE, '--duration-seconds', '60'], /from 900 to 43200/],
      [
        ['--mode', 'RamRoleArn', '--access-key-id', 'K', '--ram-role-arn', ROLE, '--duration-seconds', '60', '--sts-endpoint', 'sts.cn-hangzhou.aliyuncs.com'],
        /from 900 to 43200/,
      ],
      [
        ['--mode', 'RamRoleArn', '--access-key-id', 'K', '--ram-role-arn', ROLE, '--duration-seconds', '0', '--sts-endpoint', 'http://127.0.0.1:9'],
        /from 1 to 43200/,
      ],
      [['--mode', 'CredentialsURI', '--credentials-uri', 'file:///etc/passwd'], /not an http\(s\) URL/],
    ];
    for (const [args, message] of cases) {
      const r = await runVn(['configure', 'set', '--profile', 'p', ...args], { env, stdin: SECRET });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect((await ProfileStore.open(d)).names()).toEqual([]);
  });

  it('a session shorter than STS allows (900 s) is for another STS: an emulator named with --sts-endpoint (its --sts-min-duration)', async () => {
    const d = dir();
    const env = { VN_CONFIG_DIR: d };
    const r = await runVn(
      [
        'configure',
        'set',
        '--profile',
        'short',
        '--mode',
        'RamRoleArn',
        '--access-key-id',
        'K',
        '--ram-role-arn',
        ROLE,
        '--duration-seconds',
        '15',
        '--sts-endpoint',
        'http://127.0.0.1:9',
      ],
      { env, stdin: SECRET },
    );
    expect(r.stderr).toContain('saved profile "short" (RamRoleArn)');
    expect(r.code).toBe(0);
    expect((await ProfileStore.open(d)).get('short')).toMatchObject({ durationSeconds: 15, stsEndpoint: 'http://127.0.0.1:9' });
  });

  it('an AK profile set as before is written as before (no mode field), and an StsToken one keeps reading as StsToken', async () => {
    const d = dir();
    const env = { VN_CONFIG_DIR: d };
    expect((await runVn(['configure', 'set', '--profile', 'old', '--access-key-id', 'LTAI-old'], { env, stdin: SECRET })).code).toBe(0);
    expect(
      (await runVn(['configure', 'set', '--profile', 'tok', '--access-key-id', 'LTAI-tok', '--sts-token'], { env, stdin: `${SECRET}\ntoken-0123456789` })).code,
    ).toBe(0);
    const file = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    expect(file.profiles.old).toEqual({ accessKeyId: 'LTAI-old', accessKeySecret: SECRET });
    expect(file.profiles.tok.mode).toBeUndefined();
    expect((await runVn(['configure', 'get', 'mode', '--profile', 'tok'], { env })).stdout).toBe('StsToken\n');
  });
});

describe('vn configure import-aliyun', () => {
  it('round-trips an aliyun CLI config holding every mode', async () => {
    const d = dir();
    const file = join(d, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        current: 'ak',
        profiles: [
          { name: 'ak', mode: 'AK', access_key_id: 'LTAI-ak', access_key_secret: 'ak-secret-123456', region_id: 'cn-hangzhou', output_format: 'json' },
          { name: 'sts', mode: 'StsToken', access_key_id: 'STS.k', access_key_secret: 'sts-secret-123456', sts_token: 'sts-token-123456' },
          {
            name: 'role',
            mode: 'RamRoleArn',
            access_key_id: 'LTAI-r',
            access_key_secret: 'role-secret-123456',
            ram_role_arn: ROLE,
            ram_session_name: 'alice',
            expired_seconds: 1800,
            sts_region: 'cn-shanghai',
            external_id: 'x',
          },
          { name: 'chain', mode: 'ChainableRamRoleArn', source_profile: 'role', ram_role_arn: ROLE, ram_session_name: 'bob' },
          { name: 'ecs', mode: 'EcsRamRole', ram_role_name: 'runner' },
          {
            name: 'oidc',
            mode: 'OIDC',
            ram_role_arn: ROLE,
            oidc_provider_arn: 'acs:ram::1:oidc-provider/gh',
            oidc_token_file: '/tmp/t',
            ram_session_name: 'gh',
          },
          { name: 'uri', mode: 'CredentialsURI', credentials_uri: 'http://127.0.0.1:9/creds' },
          { name: 'ext', mode: 'External', process_command: 'helper --json' },
          { name: 'sso', mode: 'CloudSSO', cloud_sso_sign_in_url: 'https://signin.example' },
          { name: 'oauth', mode: 'OAuth', oauth_site_type: 'CN' },
        ],
      }),
    );
    const env = { VN_CONFIG_DIR: join(d, 'vn') };
    const r = await runVn(['configure', 'import-aliyun', '--file', file, '-o', 'json'], { env });
    expect(r.code).toBe(0);
    expect(Object.fromEntries(JSON.parse(r.stdout).Imported.map((x: { Name: string; Result: string }) => [x.Name, x.Result]))).toEqual({
      ak: 'imported (AK)',
      sts: 'imported (StsToken)',
      role: 'imported (RamRoleArn)',
      chain: 'imported (ChainableRamRoleArn)',
      ecs: 'imported (EcsRamRole)',
      oidc: 'imported (OIDC)',
      uri: 'imported (CredentialsURI)',
      ext: 'imported (External)',
      sso: 'skipped: mode CloudSSO is not supported',
      oauth: 'skipped: mode OAuth is not supported',
    });
    for (const s of ['ak-secret-123456', 'sts-secret-123456', 'sts-token-123456', 'role-secret-123456']) expect(r.stdout + r.stderr).not.toContain(s);
    const store = await ProfileStore.open(env.VN_CONFIG_DIR);
    expect(store.get('ak')).toEqual({ accessKeyId: 'LTAI-ak', accessKeySecret: 'ak-secret-123456', region: 'cn-hangzhou', output: 'json' });
    expect(store.get('sts')).toMatchObject({ securityToken: 'sts-token-123456' });
    expect(store.get('role')).toMatchObject({
      mode: 'RamRoleArn',
      ramRoleArn: ROLE,
      roleSessionName: 'alice',
      durationSeconds: 1800,
      stsRegion: 'cn-shanghai',
      externalId: 'x',
    });
    expect(store.get('chain')).toMatchObject({ mode: 'ChainableRamRoleArn', sourceProfile: 'role', roleSessionName: 'bob' });
    expect(store.get('ecs')).toMatchObject({ mode: 'EcsRamRole', ramRoleName: 'runner' });
    expect(store.get('oidc')).toMatchObject({ mode: 'OIDC', oidcProviderArn: 'acs:ram::1:oidc-provider/gh', oidcTokenFile: '/tmp/t' });
    expect(store.get('uri')).toMatchObject({ mode: 'CredentialsURI', credentialsUri: 'http://127.0.0.1:9/creds' });
    expect(store.get('ext')).toMatchObject({ mode: 'External', processCommand: 'helper --json' });
    expect(store.current).toBe('ak');
  });
});
