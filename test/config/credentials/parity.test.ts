import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveProfile } from '../../../src/config/resolve.js';
import { json, startRecordingServer } from '../../helpers/http-server.js';
import { ROOT, tempDir } from '../../helpers/run.js';

/**
 * Parity with the official Node library (@alicloud/credentials 2.4, a dev dependency only): the same
 * environment and files give the same source and the same key id. Each case turns the metadata
 * service off for both (the official chain would otherwise probe 100.100.100.200); OIDC and
 * AssumeRole are left out here because the official library sends them to the real STS over https.
 */
const require = createRequire(import.meta.url);
type Official = new () => { getCredential(): Promise<{ accessKeyId: string; securityToken?: string; providerName: string }> };
const Credential = (require('@alicloud/credentials') as { default: Official }).default;

/** The official chain's provider names, in vn's words. */
const SOURCE: Record<string, string> = {
  env: 'env',
  cli_profile: 'aliyun-cli',
  profile: 'credentials-file',
  credential_uri: 'credentials-uri',
};

const t = tempDir('vn-parity-');
afterAll(() => t.cleanup());
let n = 0;

interface Setup {
  env?: Record<string, string>;
  cli?: unknown;
  ini?: string;
}

function prepare(setup: Setup): Record<string, string> {
  const home = join(t.dir, `home-${++n}`);
  mkdirSync(join(home, '.aliyun'), { recursive: true });
  mkdirSync(join(home, '.alibabacloud'), { recursive: true });
  if (setup.cli) writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify(setup.cli));
  if (setup.ini) writeFileSync(join(home, '.alibabacloud', 'credentials'), setup.ini);
  return { HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...setup.env };
}

/** The official library's answer with `env` as the whole of process.env's credential variables. */
async function official(env: Record<string, string>): Promise<{ source: string; keyId: string } | { error: string }> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('ALIBABA_CLOUD_') || k === 'HOME') delete process.env[k];
  Object.assign(process.env, env);
  try {
    const c = await new Credential().getCredential();
    const name = c.providerName.split('/')[1] ?? '';
    return { source: SOURCE[name] ?? name, keyId: c.accessKeyId };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

async function vn(env: Record<string, string>): Promise<{ source: string; keyId: string } | { error: string }> {
  try {
    const p = await resolveProfile({ env: { ...env, VN_CONFIG_DIR: join(t.dir, `vn-${++n}`) } });
    return { source: p.source, keyId: p.accessKeyId };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const ak = (name: string, id: string) => ({ name, mode: 'AK', access_key_id: id, access_key_secret: `${id}-secret` });
const KEYS = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-env', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-123456' };
const INI =
  '[default]\ntype = access_key\naccess_key_id = LTAI-ini-default\naccess_key_secret = s1\n[ci]\ntype = access_key\naccess_key_id = LTAI-ini-ci\naccess_key_secret = s2\n';

const CASES: [string, Setup, string | undefined][] = [
  ['the environment keys', { env: KEYS }, 'env'],
  ['the environment keys before the aliyun CLI profile', { env: KEYS, cli: { current: 'a', profiles: [ak('a', 'LTAI-cli-a')] } }, 'env'],
  ['the aliyun CLI current profile', { cli: { current: 'a', profiles: [ak('a', 'LTAI-cli-a'), ak('b', 'LTAI-cli-b')] } }, 'aliyun-cli'],
  [
    'ALIBABA_CLOUD_PROFILE picks the aliyun CLI profile',
    { env: { ALIBABA_CLOUD_PROFILE: 'b' }, cli: { current: 'a', profiles: [ak('a', 'LTAI-cli-a'), ak('b', 'LTAI-cli-b')] } },
    'aliyun-cli',
  ],
  [
    'an aliyun CLI StsToken profile',
    { cli: { current: 's', profiles: [{ name: 's', mode: 'StsToken', access_key_id: 'STS.cli', access_key_secret: 'x-secret', sts_token: 'tok-123456' }] } },
    'aliyun-cli',
  ],
  ['the aliyun CLI profile before the credentials file', { cli: { current: 'a', profiles: [ak('a', 'LTAI-cli-a')] }, ini: INI }, 'aliyun-cli'],
  ['the credentials file [default]', { ini: INI }, 'credentials-file'],
  [
    'ALIBABA_CLOUD_CLI_PROFILE_DISABLED leaves the credentials file',
    { env: { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' }, cli: { current: 'a', profiles: [ak('a', 'LTAI-cli-a')] }, ini: INI },
    'credentials-file',
  ],
  ['ALIBABA_CLOUD_PROFILE picks the credentials file section', { env: { ALIBABA_CLOUD_PROFILE: 'ci' }, ini: INI }, 'credentials-file'],
  ['nothing at all', {}, undefined],
];

describe('parity with @alicloud/credentials (the default chain)', () => {
  it.each(CASES)('%s', async (_name, setup, source) => {
    const env = prepare(setup);
    const [theirs, ours] = [await official(env), await vn(env)];
    if (source === undefined) {
      expect(theirs).toHaveProperty('error');
      expect(ours).toHaveProperty('error');
      return;
    }
    expect(theirs).toMatchObject({ source });
    expect(ours).toEqual(theirs);
  });

  it('ALIBABA_CLOUD_CREDENTIALS_FILE and ALIBABA_CLOUD_CREDENTIALS_URI (a loopback server) are read alike', async () => {
    const file = join(t.dir, 'custom-credentials');
    writeFileSync(file, INI);
    const env = prepare({ env: { ALIBABA_CLOUD_CREDENTIALS_FILE: file } });
    expect(await vn(env)).toEqual(await official(env));
    const server = await startRecordingServer((_req, res) =>
      json(res, 200, {
        Code: 'Success',
        AccessKeyId: 'STS.uri',
        AccessKeySecret: 'uri-secret-123456',
        SecurityToken: 'uri-token-123456',
        Expiration: new Date(Date.now() + 3600e3).toISOString(),
      }),
    );
    try {
      const uriEnv = prepare({ env: { ALIBABA_CLOUD_CREDENTIALS_URI: `${server.url}/creds` } });
      const theirs = await official(uriEnv);
      expect(theirs).toEqual({ source: 'credentials-uri', keyId: 'STS.uri' });
      expect(await vn(uriEnv)).toEqual(theirs);
    } finally {
      await server.close();
    }
  });

  it('vn never loads the official library at run time (a dev dependency for this test only)', () => {
    const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const loaders = files.filter((f) => readFileSync(join(ROOT, 'src', f), 'utf8').includes('@alicloud/credentials'));
    expect(loaders).toEqual([]);
  });
});
