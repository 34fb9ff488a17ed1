// How the emulated STS is set up (issue 20, item 6): `vn emulator start`'s role, OIDC and metadata
// flags (bad ones exit 2 with one line, before anything listens), the roles file's checks, the
// banner, and the embedded `local` profile's STS on its own URL.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { STS } from '../../src/client/products.js';
import { startLocalEmulator } from '../../src/emulator/local.js';
import { loadRolesFile, oidcProviderFromFlag, RoleConfigError, roleFromFlag } from '../../src/emulator/sts/roles.js';
import { TEST_KEY } from '../helpers/emulator.js';
import { BIN, runVn, tempDir } from '../helpers/run.js';

const ROLE = 'acs:ram::1000000000000000:role/dev';
const start = (flags: string[]) =>
  runVn(['emulator', 'start', '--port', '0', '--data', ':memory:', '--access-key', `${TEST_KEY.id}:${TEST_KEY.secret}`, ...flags]);

describe('vn emulator start: STS flags', () => {
  it.each([
    [['--role', 'dev'], 'is not a role ARN'],
    [['--role', `${ROLE}:admin`], 'is not a role ARN'],
    [['--oidc-provider', 'acs:ram::1:oidc-provider/gh'], 'issuer must be a URL'],
    [['--oidc-provider', 'acs:ram::1:oidc-provider/gh,issuer=https://x.example'], 'at least one audience'],
    [['--oidc-provider', 'acs:ram::1:oidc-provider/gh,issuer=https://x.example,audience=a,colour=red'], 'unknown field "colour"'],
    [['--metadata-port', '0'], '--metadata-port needs a role'],
    [['--role', ROLE, '--metadata-port', '0', '--metadata-role', 'other'], 'no role of that name'],
    [['--sts-min-duration', '0'], '--sts-min-duration must be between'],
    [['--roles', '/nonexistent/roles.yaml'], 'ENOENT'],
    [['--oidc-key', '/nonexistent/key.pem'], 'not a readable RSA private key'],
  ])('%j is refused with exit 2 and one line', async (flags, message) => {
    const r = await start(flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('the banner names the STS URL, the roles and the metadata port; the metadata port answers', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'emulator',
        'start',
        '--port',
        '0',
        '--data',
        ':memory:',
        '--access-key',
        'demo:demo-secret',
        '--role',
        `${ROLE}:readonly`,
        '--metadata-port',
        '0',
        '--imds-v2-only',
      ],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          if (/metadata: .*\n/.test(out)) resolve();
        });
        child.on('exit', () => reject(new Error(`ended early: ${out}`)));
      });
      expect(out).toMatch(
        /sts: {7}2015-04-01 on the same URL \(--sts-endpoint http:\/\/127\.0\.0\.1:\d+\); roles acs:ram::1000000000000000:role\/dev \(read-only\)/,
      );
      const md = /metadata: {2}(http:\/\/127\.0\.0\.1:\d+) \(ECS instance metadata: RAM role credentials, IMDSv2 only; vn: VN_ECS_METADATA_ENDPOINT\)/.exec(
        out,
      )?.[1];
      expect(md).toBeDefined();
      expect((await fetch(`${md}/latest/meta-data/ram/security-credentials/`)).status).toBe(401);
      expect(out).not.toContain('demo-secret');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('the roles file', () => {
  const write = (text: string) => {
    const { dir } = tempDir('vn-roles-');
    const file = join(dir, 'roles.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('reads roles, trust, session lengths and OIDC providers (YAML or JSON)', () => {
    const setup = loadRolesFile(
      write(`roles:
  - arn: ${ROLE}
    access: readonly
    maxSessionDuration: 7200
    minSessionDuration: 15
    trust: { accessKeys: [a], externalId: x-1 }
oidcProviders:
  - { arn: 'acs:ram::1:oidc-provider/gh', issuer: 'https://i.example', audiences: [sts.aliyuncs.com] }
metadataRole: dev
`),
    );
    expect(setup.roles[0]).toMatchObject({
      arn: ROLE,
      name: 'dev',
      policy: 'readonly',
      maxSessionDuration: 7200,
      minSessionDuration: 15,
      trust: { accessKeys: ['a'], roles: [], oidcProviders: [] },
      externalId: 'x-1',
    });
    expect(setup.roles[0]?.roleId).toMatch(/^3\d{17}$/);
    expect(setup.oidcProviders).toEqual([{ arn: 'acs:ram::1:oidc-provider/gh', issuer: 'https://i.example', audiences: ['sts.aliyuncs.com'] }]);
    expect(setup.metadataRole).toBe('dev');
    expect(loadRolesFile(write(JSON.stringify({ roles: [{ arn: ROLE }] }))).roles[0]?.trust.accessKeys).toEqual(['*']);
  });

  it.each([
    ['roles: [{ arn: nope }]', 'roles[0]: "nope" is not a role ARN'],
    [`roles: [{ arn: '${ROLE}', maxSessionDuration: 50000 }]`, 'maxSessionDuration must be'],
    [`roles: [{ arn: '${ROLE}', minSessionDuration: 5000 }]`, 'minSessionDuration must be'],
    [`roles: [{ arn: '${ROLE}', trust: { roles: [x] } }]`, 'trust.roles: "x" is not an ARN'],
    ['colour: red', 'unknown key "colour"'],
    ['roles: {', 'not YAML or JSON'],
  ])('%s is refused: %s', (text, message) => {
    expect(() => loadRolesFile(write(text))).toThrow(RoleConfigError);
    expect(() => loadRolesFile(write(text))).toThrow(message);
  });

  it('--role ARN:readonly and --oidc-provider with two audiences', () => {
    expect(roleFromFlag(`${ROLE}:readonly`, 15)).toMatchObject({ policy: 'readonly', minSessionDuration: 15, maxSessionDuration: 3600 });
    expect(oidcProviderFromFlag('acs:ram::1:oidc-provider/gh,issuer=https://i.example,audience=a,audience=b').audiences).toEqual(['a', 'b']);
  });
});

describe('the local profile', () => {
  it('serves STS on its own URL: GetCallerIdentity for its key; roles from VN_LOCAL_ROLES', async () => {
    const { dir, cleanup } = tempDir('vn-local-sts-');
    const roles = join(dir, 'roles.yaml');
    writeFileSync(roles, `roles: [{ arn: '${ROLE}' }]\n`);
    const emu = await startLocalEmulator({ configDir: dir, env: { VN_LOCAL_DATA: ':memory:', VN_LOCAL_ROLES: roles } });
    try {
      const sts = new Client<string>({
        endpoint: emu.url,
        product: STS,
        credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
        retries: 0,
      });
      const who = await sts.call<Record<string, string>>('GetCallerIdentity', {});
      expect(who.data).toMatchObject({ IdentityType: 'RAMUser', Arn: `acs:ram::1000000000000000:user/${emu.accessKeyId}` });
      const assumed = await sts.call<{ Credentials: { AccessKeyId: string } }>('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'me' });
      expect(assumed.data.Credentials.AccessKeyId).toMatch(/^STS\./);
    } finally {
      await emu.close();
      cleanup();
    }
  });

  it('a bad VN_LOCAL_ROLES file is a usage error naming the variable', async () => {
    const { dir, cleanup } = tempDir('vn-local-sts-');
    try {
      await expect(startLocalEmulator({ configDir: dir, env: { VN_LOCAL_DATA: ':memory:', VN_LOCAL_ROLES: join(dir, 'missing.yaml') } })).rejects.toThrow(
        /^VN_LOCAL_ROLES: .*missing\.yaml: ENOENT/,
      );
    } finally {
      cleanup();
    }
  });
});
