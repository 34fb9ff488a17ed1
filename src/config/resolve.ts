import { DEFAULT_REGION, endpointFor } from '../api/catalog.js';
import { CredentialsError, UsageError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { configDir } from './paths.js';
import { LOCAL_PROFILE, PROFILE_NAME_RE, type Profile, readProfiles, shownName } from './profiles.js';

export interface ResolvedProfile {
  /** Profile name, or "env" when the credentials came from the environment. */
  name: string;
  source: 'env' | 'profile' | 'local';
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  region: string;
  /** Explicit endpoint URL, or undefined to use the region's public endpoint (or the local emulator). */
  endpoint?: string;
  output?: string;
}

export interface ResolveInput {
  env: NodeJS.ProcessEnv;
  profile?: string;
  region?: string;
  endpoint?: string;
}

export const NO_CREDENTIALS_HELP =
  'no credentials: run `vn configure` (or `vn configure set --profile NAME --access-key-id ID` with the secret on stdin), ' +
  'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or try the offline emulator with `--profile local`';

/**
 * Credential chain: the embedded `local` profile when named; else ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET
 * (+ SECURITY_TOKEN) from the environment; else --profile / VN_PROFILE; else the current profile.
 * Region and endpoint: flag, then environment, then profile, then the default region.
 */
export async function resolveProfile(input: ResolveInput): Promise<ResolvedProfile> {
  const p = await resolveCredentials(input);
  // from here on these values are redacted from everything printed (src/redact.ts)
  registerSecret(p.accessKeySecret);
  registerSecret(p.securityToken);
  return p;
}

async function resolveCredentials(input: ResolveInput): Promise<ResolvedProfile> {
  const { env } = input;
  const named = input.profile ?? (env.VN_PROFILE || undefined);
  const regionOverride = input.region ?? (env.ALIBABA_CLOUD_REGION_ID || undefined);
  if (named === LOCAL_PROFILE) {
    return {
      name: LOCAL_PROFILE,
      source: 'local',
      accessKeyId: '',
      accessKeySecret: '',
      region: regionOverride ?? DEFAULT_REGION,
      endpoint: input.endpoint,
    };
  }
  let stored: Profile | undefined;
  let storedName: string | undefined;
  const store = await readProfiles(configDir(env));
  if (named) {
    stored = store.get(named);
    storedName = named;
    // a name no profile could have (`vn configure set` refuses it) is bad input, whatever its length
    if (!stored && !PROFILE_NAME_RE.test(named)) {
      throw new UsageError(
        `invalid profile name ${shownName(named)}${input.profile === undefined ? ' (from VN_PROFILE)' : ''}: use letters, digits, dot, dash and underscore, at most 64`,
      );
    }
    if (!stored && !env.ALIBABA_CLOUD_ACCESS_KEY_ID) {
      throw new CredentialsError(
        `no profile named ${shownName(named)} (profiles: ${store.names().join(', ') || 'none'}, ${LOCAL_PROFILE}); ${NO_CREDENTIALS_HELP}`,
      );
    }
  } else if (store.current) {
    storedName = store.current;
    if (storedName === LOCAL_PROFILE) return resolveCredentials({ ...input, profile: LOCAL_PROFILE });
    stored = store.get(storedName);
  }
  const region = regionOverride ?? stored?.region ?? DEFAULT_REGION;
  const endpoint = input.endpoint ?? (env.VN_ENDPOINT || undefined) ?? stored?.endpoint;
  if (env.ALIBABA_CLOUD_ACCESS_KEY_ID || env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
    if (!env.ALIBABA_CLOUD_ACCESS_KEY_ID || !env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
      throw new CredentialsError('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together');
    }
    return {
      name: 'env',
      source: 'env',
      accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined,
      region,
      endpoint,
      output: stored?.output,
    };
  }
  if (!stored || !storedName) throw new CredentialsError(NO_CREDENTIALS_HELP);
  return {
    name: storedName,
    source: 'profile',
    accessKeyId: stored.accessKeyId,
    accessKeySecret: stored.accessKeySecret,
    securityToken: stored.securityToken,
    region,
    endpoint,
    output: stored.output,
  };
}

/** A full URL for the endpoint: http(s)://host[:port]; a bare host means https. */
export function normalizeEndpoint(endpoint: string): string {
  const e = endpoint.trim();
  if (e === '') throw new UsageError('--endpoint is empty: give a URL such as https://voicenavigator.cn-shanghai.aliyuncs.com or http://127.0.0.1:8080');
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(e) ? e : `https://${e}`);
  } catch {
    throw new UsageError(`invalid --endpoint "${endpoint}": give a URL such as https://voicenavigator.cn-shanghai.aliyuncs.com or http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`invalid --endpoint "${endpoint}": only http and https are supported`);
  if (!url.hostname) throw new UsageError(`invalid --endpoint "${endpoint}": no host`);
  return `${url.protocol}//${url.host}`;
}

export function regionEndpoint(region: string): string {
  const host = endpointFor(region);
  if (!host) throw new UsageError(`unknown region "${region}" (known: cn-shanghai, cn-hangzhou); use --endpoint for another`);
  return `https://${host}`;
}
