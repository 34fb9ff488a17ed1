import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileStore, readProfiles } from '../../src/config/profiles.js';
import { normalizeEndpoint, resolveProfile } from '../../src/config/resolve.js';
import { CredentialsError } from '../../src/errors.js';
import { runVn, tempDir } from '../helpers/run.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('profile store', () => {
  it('writes the file with mode 0600 and keeps the first profile current', async () => {
    const d = dir();
    const store = await ProfileStore.open(d);
    await store.set('prod', { accessKeyId: 'AK1', accessKeySecret: 'S1' });
    await store.set('dev', { accessKeyId: 'AK2', accessKeySecret: 'S2', region: 'cn-hangzhou' });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(store.current).toBe('prod');
    expect(store.get('prod')?.region).toBe('cn-shanghai');
    await store.use('dev');
    expect((await ProfileStore.open(d)).current).toBe('dev');
  });

  it('narrows a wider file to 0600 when it opens it', async () => {
    const d = dir();
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'config.json'), JSON.stringify({ profiles: {} }), { mode: 0o644 });
    const store = await ProfileStore.open(d);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
  });
});

describe('reading the profiles without conf (every command that resolves credentials)', () => {
  it('reads what the store wrote, and narrows a wider file to 0600 as open() does', async () => {
    const d = dir();
    const store = await ProfileStore.open(d);
    await store.set('prod', { accessKeyId: 'AK1', accessKeySecret: 'S1', region: 'cn-hangzhou', output: 'json' });
    await store.set('dev', { accessKeyId: 'AK2', accessKeySecret: 'S2', endpoint: 'http://127.0.0.1:9' });
    await store.use('dev');
    chmodSync(store.path, 0o644);
    const view = await readProfiles(d);
    expect(view).not.toBeInstanceOf(ProfileStore);
    expect(view.current).toBe('dev');
    expect(view.names()).toEqual(['dev', 'prod']);
    expect(view.get('prod')).toEqual(store.get('prod'));
    expect(view.get('dev')).toEqual(store.get('dev'));
    expect(view.get('nope')).toBeUndefined();
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
  });

  it('reads no file as an empty store and creates nothing', async () => {
    const d = join(dir(), 'not-yet');
    const view = await readProfiles(d);
    expect(view.current).toBeUndefined();
    expect(view.names()).toEqual([]);
    expect(existsSync(d)).toBe(false);
    await expect(resolveProfile({ env: { VN_CONFIG_DIR: d } })).rejects.toBeInstanceOf(CredentialsError);
    expect(existsSync(d)).toBe(false);
  });

  it('leaves a file that is not a plain store to ProfileStore, for the same answer or the same error', async () => {
    const d = dir();
    const file = join(d, 'config.json');
    const seen = async (f: (s: Pick<ProfileStore, 'current' | 'names' | 'get'>) => unknown) => {
      const a = await ProfileStore.open(d).then(f, (e: Error) => `error: ${e.message}`);
      const b = await readProfiles(d).then(f, (e: Error) => `error: ${e.message}`);
      return [a, b];
    };
    const read = (v: Pick<ProfileStore, 'current' | 'names' | 'get'>) => {
      try {
        return { current: v.current, names: v.names() };
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    for (const text of ['[]', '{"current":"x"}', '{"profiles":{"a":1}}', '{"profiles":[]}', '{bad']) {
      writeFileSync(file, text);
      const [viaStore, viaRead] = await seen(read);
      expect(viaRead, text).toEqual(viaStore);
      expect(readFileSync(file, 'utf8'), text).toBe(text);
    }
    writeFileSync(file, '{"profiles":{"a":1}}');
    expect(JSON.stringify((await seen(read))[1])).toContain('is not a vn profile file');
    writeFileSync(file, '{bad');
    expect(JSON.stringify((await seen(read))[1])).toContain('is not valid JSON');
  });
});

describe('credential resolution', () => {
  it('takes --profile first, then the environment, then VN_PROFILE, then the current profile', async () => {
    const d = dir();
    const store = await ProfileStore.open(d);
    await store.set('a', { accessKeyId: 'AK-A', accessKeySecret: 'SA', region: 'cn-hangzhou' });
    await store.set('b', { accessKeyId: 'AK-B', accessKeySecret: 'SB', endpoint: 'http://127.0.0.1:9' });
    const base = { VN_CONFIG_DIR: d };
    expect((await resolveProfile({ env: base })).accessKeyId).toBe('AK-A');
    expect((await resolveProfile({ env: { ...base, VN_PROFILE: 'b' } })).accessKeyId).toBe('AK-B');
    expect((await resolveProfile({ env: { ...base, VN_PROFILE: 'b' }, profile: 'a' })).accessKeyId).toBe('AK-A');
    const keys = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ENV', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ES', ALIBABA_CLOUD_SECURITY_TOKEN: 'T' };
    // the environment's keys win over VN_PROFILE and the current profile…
    const env = await resolveProfile({ env: { ...base, ...keys, VN_PROFILE: 'b' } });
    expect(env).toMatchObject({ source: 'env', accessKeyId: 'ENV', securityToken: 'T', endpoint: 'http://127.0.0.1:9' });
    // …and an explicit --profile wins over them (issue #20)
    expect(await resolveProfile({ env: { ...base, ...keys }, profile: 'b' })).toMatchObject({ source: 'profile', accessKeyId: 'AK-B' });
    expect((await resolveProfile({ env: base, profile: 'local' })).source).toBe('local');
  });

  it('fails with the how-to-configure message when nothing is set', async () => {
    await expect(resolveProfile({ env: { VN_CONFIG_DIR: dir() } })).rejects.toThrow(CredentialsError);
    await expect(resolveProfile({ env: { VN_CONFIG_DIR: dir() } })).rejects.toThrow(/vn configure/);
  });

  it('normalises endpoints: a bare host means https', () => {
    expect(normalizeEndpoint('voicenavigator.cn-shanghai.aliyuncs.com')).toBe('https://voicenavigator.cn-shanghai.aliyuncs.com');
    expect(normalizeEndpoint('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(() => normalizeEndpoint('ftp://x')).toThrow(/only http and https/);
  });
});

describe('vn configure', () => {
  it('set reads the secret from stdin, list masks it, get prints settings, use and delete work', async () => {
    const d = dir();
    const env = { VN_CONFIG_DIR: d };
    const secret = 'Sup3r-Secret-Value-xyz';
    let r = await runVn(['configure', 'set', '--profile', 'prod', '--access-key-id', 'LTAI5tABCDEFGH1234', '--region', 'cn-hangzhou'], {
      env,
      stdin: `${secret}\n`,
    });
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, 'config.json'), 'utf8')).toContain(secret);
    r = await runVn(['configure', 'set', '--profile', 'dev', '--access-key-id', 'AKDEV', '--endpoint', '127.0.0.1:9'], { env, stdin: 'devsecret' });
    expect(r.code).toBe(0);
    r = await runVn(['configure', 'list', '-o', 'json'], { env });
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout).Profiles;
    expect(listed.map((p: { Name: string }) => p.Name)).toEqual(['dev', 'prod', 'local']);
    expect(listed[1]).toMatchObject({ Current: true, AccessKeyId: 'LTAI****1234', Region: 'cn-hangzhou' });
    r = await runVn(['configure', 'list', '-o', 'table'], { env });
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect((await runVn(['configure', 'get', 'region', '--profile', 'prod'], { env })).stdout.trim()).toBe('cn-hangzhou');
    expect((await runVn(['configure', 'get', 'access-key-secret', '--profile', 'prod'], { env })).stdout).not.toContain(secret);
    expect((await runVn(['configure', 'get', 'endpoint', '--profile', 'dev'], { env })).stdout.trim()).toBe('https://127.0.0.1:9');
    expect((await runVn(['configure', 'use', 'dev'], { env })).code).toBe(0);
    expect((await runVn(['configure', 'get', 'current'], { env })).stdout.trim()).toBe('dev');
    expect((await runVn(['configure', 'use', 'nope'], { env })).code).toBe(2);
    expect((await runVn(['configure', 'delete', 'prod'], { env })).code).toBe(2); // no --yes off a terminal
    expect((await runVn(['configure', 'delete', 'prod', '--yes'], { env })).code).toBe(0);
    expect((await runVn(['configure', 'get', 'region', '--profile', 'prod'], { env })).code).toBe(2);
  });

  it('set refuses an empty secret and the reserved name local', async () => {
    const env = { VN_CONFIG_DIR: dir() };
    expect((await runVn(['configure', 'set', '--profile', 'p', '--access-key-id', 'AK'], { env, stdin: '' })).code).toBe(2);
    expect((await runVn(['configure', 'set', '--profile', 'local', '--access-key-id', 'AK'], { env, stdin: 's' })).code).toBe(2);
  });

  it('import-aliyun takes AK and StsToken profiles and skips incomplete and unsupported ones', async () => {
    const d = dir();
    const file = join(d, 'aliyun.json');
    writeFileSync(
      file,
      JSON.stringify({
        current: 'main',
        profiles: [
          { name: 'main', mode: 'AK', access_key_id: 'AK1', access_key_secret: 'S1', region_id: 'cn-hangzhou' },
          { name: 'sts', mode: 'StsToken', access_key_id: 'AK2', access_key_secret: 'S2', sts_token: 'TOK' },
          { name: 'role', mode: 'RamRoleArn', access_key_id: 'AK3', access_key_secret: 'S3' },
          { name: 'sso', mode: 'CloudSSO', cloud_sso_sign_in_url: 'https://signin' },
        ],
      }),
    );
    const env = { VN_CONFIG_DIR: join(d, 'cfg') };
    const r = await runVn(['configure', 'import-aliyun', '--file', file, '-o', 'json'], { env });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).Imported;
    expect(rows.map((x: { Result: string }) => x.Result)).toEqual([
      'imported (AK)',
      'imported (StsToken)',
      'skipped: incomplete RamRoleArn profile',
      'skipped: mode CloudSSO is not supported',
    ]);
    const store = await ProfileStore.open(join(d, 'cfg'));
    expect(store.get('sts')?.securityToken).toBe('TOK');
    expect(store.get('main')?.region).toBe('cn-hangzhou');
    expect(store.current).toBe('main');
  });
});
