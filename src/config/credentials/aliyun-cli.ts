import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialProvider } from '../../client/credentials.js';
import { PROFILE_MODES, type Profile, type ProfileMode } from '../profiles.js';
import { providerForProfile } from './modes.js';
import { type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/** One profile of the aliyun CLI's ~/.aliyun/config.json (the fields vn reads). */
export interface AliyunProfile {
  name?: string;
  mode?: string;
  access_key_id?: string;
  access_key_secret?: string;
  sts_token?: string;
  ram_role_name?: string;
  ram_role_arn?: string;
  ram_session_name?: string;
  external_id?: string;
  policy?: string;
  expired_seconds?: number;
  duration_seconds?: number;
  sts_region?: string;
  sts_endpoint?: string;
  source_profile?: string;
  oidc_provider_arn?: string;
  oidc_token_file?: string;
  credentials_uri?: string;
  process_command?: string;
  region_id?: string;
  output_format?: string;
}

export interface AliyunConfig {
  current?: string;
  profiles?: AliyunProfile[];
}

/** ~/.aliyun/config.json: the home directory is $HOME (%USERPROFILE% on Windows); none, no file. */
export function aliyunConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  const home = env.HOME || env.USERPROFILE;
  return home ? join(home, '.aliyun', 'config.json') : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/** A profile's mode when vn supports it; undefined for CloudSSO, OAuth and the rest. */
export function supportedMode(mode: unknown): ProfileMode | undefined {
  return (PROFILE_MODES as readonly string[]).includes(mode as string) ? (mode as ProfileMode) : undefined;
}

/**
 * An aliyun CLI profile in vn's shape (credentials only: the region and output are the caller's
 * to take or not). The aliyun CLI writes its duration as expired_seconds; 0 means the default.
 */
export function fromAliyunProfile(p: AliyunProfile, mode: ProfileMode): Profile {
  const out: Profile = { mode };
  const set = <K extends keyof Profile>(k: K, v: Profile[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  if (mode === 'AK' || mode === 'StsToken' || mode === 'RamRoleArn') {
    set('accessKeyId', str(p.access_key_id));
    set('accessKeySecret', str(p.access_key_secret));
  }
  if (mode === 'StsToken') set('securityToken', str(p.sts_token));
  if (mode === 'RamRoleArn' || mode === 'ChainableRamRoleArn' || mode === 'OIDC') {
    set('ramRoleArn', str(p.ram_role_arn));
    set('roleSessionName', str(p.ram_session_name));
    set('policy', str(p.policy));
    set('durationSeconds', num(p.duration_seconds) ?? num(p.expired_seconds));
    set('stsRegion', str(p.sts_region));
    set('stsEndpoint', str(p.sts_endpoint));
  }
  if (mode === 'RamRoleArn' || mode === 'ChainableRamRoleArn') set('externalId', str(p.external_id));
  if (mode === 'ChainableRamRoleArn') set('sourceProfile', str(p.source_profile));
  if (mode === 'EcsRamRole') set('ramRoleName', str(p.ram_role_name));
  if (mode === 'OIDC') {
    set('oidcProviderArn', str(p.oidc_provider_arn));
    set('oidcTokenFile', str(p.oidc_token_file));
  }
  if (mode === 'CredentialsURI') set('credentialsUri', str(p.credentials_uri));
  if (mode === 'External') set('processCommand', str(p.process_command));
  return out;
}

/**
 * The chain's aliyun CLI step, as the official library takes it: the profile ALIBABA_CLOUD_PROFILE
 * names, else the file's current one; ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true turns it off. A
 * missing or unreadable file, or a profile of a mode vn does not support, is skipped with the reason.
 */
export function aliyunCliProvider(input: ProviderInput): ModeProvider {
  let name = '';
  let mode = '';
  let inner: CredentialProvider | undefined;
  return {
    name: 'aliyun-cli',
    source: 'aliyun-cli',
    profileName: () => name,
    describe: () => `aliyun CLI profile "${name}" (${mode})`,
    async get() {
      if (!inner) {
        const { env } = input;
        if (env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED?.toLowerCase() === 'true') throw new NotApplicable('ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true');
        const file = aliyunConfigPath(env);
        if (!file) throw new NotApplicable('HOME is not set');
        let conf: AliyunConfig;
        try {
          conf = JSON.parse(await readFile(file, 'utf8'));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new NotApplicable(code === 'ENOENT' ? `no ${file}` : code ? `cannot read ${file} (${code})` : `${file} is not valid JSON`);
        }
        const profiles = Array.isArray(conf?.profiles) ? conf.profiles.filter((p) => p && typeof p === 'object') : [];
        if (profiles.length === 0) throw new NotApplicable(`${file} holds no profiles`);
        const wanted = env.ALIBABA_CLOUD_PROFILE || (typeof conf.current === 'string' ? conf.current : undefined);
        if (!wanted) throw new NotApplicable(`${file} has no current profile and ALIBABA_CLOUD_PROFILE is not set`);
        const p = profiles.find((x) => x.name === wanted);
        if (!p) throw new NotApplicable(`${file} has no profile "${wanted}"`);
        const m = supportedMode(p.mode);
        if (!m) throw new NotApplicable(`aliyun CLI profile "${wanted}" is of mode ${String(p.mode)}, which vn does not support`);
        const lookup = (n: string) => {
          const q = profiles.find((x) => x.name === n);
          const qm = q && supportedMode(q.mode);
          return q && qm ? fromAliyunProfile(q, qm) : undefined;
        };
        inner = await providerForProfile(`aliyun CLI profile "${wanted}"`, fromAliyunProfile(p, m), input.deps, lookup, [wanted]);
        name = wanted;
        mode = m;
      }
      return inner.get();
    },
  };
}
