import { DEFAULT_REGION, regionHost } from '../api/catalog.js';
import type { CredentialProvider } from '../client/credentials.js';
import type { HttpPolicy } from '../client/http.js';
import { UsageError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { type Skip, vnCredentialChain } from './credentials/chain.js';
import { RefreshingProvider } from './credentials/refresh.js';

export { NO_CREDENTIALS_HELP } from './credentials/profile-selection.js';

export interface ResolvedProfile {
  /** Profile name, or "env" when the credentials came from the environment. */
  name: string;
  /** The mode that yielded the credentials (src/config/credentials/). */
  source: 'env' | 'profile' | 'local' | (string & {});
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  region: string;
  /** Explicit endpoint URL, or undefined to use the region's public endpoint (or the local emulator). */
  endpoint?: string;
  output?: string;
  /** What the client asks per request: the winning provider, renewed before its credentials expire. */
  credentials: CredentialProvider;
  /** For the `local` profile: what chose it (`--profile local`, `VN_PROFILE=local`, or the current profile). */
  localChosenBy?: string;
  /** The name of the provider that yielded, and why each one before it was skipped (for `whoami`). */
  provider: string;
  /** What the winner used, in words (`aliyun CLI profile "ci" (RamRoleArn)`), for whoami. */
  description: string;
  /** A stored profile's STS endpoint or region (where whoami sends GetCallerIdentity). */
  stsEndpoint?: string;
  stsRegion?: string;
  /** When the first credentials expire (temporary ones); the client's provider renews them. */
  expiration?: Date;
  skipped: Skip[];
}

export interface ResolveInput {
  env: NodeJS.ProcessEnv;
  profile?: string;
  region?: string;
  endpoint?: string;
  /** How STS, a metadata service or a credentials URI is reached: the transport, --debug, timeout, retries. */
  http?: HttpPolicy;
  /** --sts-endpoint. */
  stsEndpoint?: string;
  now?: () => number;
}

/**
 * The credential chain (src/config/credentials/chain.ts): the embedded `local` profile when named;
 * else ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (+ SECURITY_TOKEN) from the environment; else --profile /
 * VN_PROFILE; else the current profile. Region and endpoint: flag, then environment, then profile,
 * then the default region.
 */
export async function resolveProfile(input: ResolveInput): Promise<ResolvedProfile> {
  const { env } = input;
  const { chain, selection } = vnCredentialChain({ env, profile: input.profile, http: input.http, stsEndpoint: input.stsEndpoint, now: input.now });
  const credentials = await chain.get();
  // from here on these values are redacted from everything printed (src/redact.ts)
  registerSecret(credentials.accessKeySecret);
  registerSecret(credentials.securityToken);
  const winner = chain.winner;
  if (!winner) throw new Error('the credential chain yielded without a provider');
  const regionOverride = input.region ?? (env.ALIBABA_CLOUD_REGION_ID || undefined);
  const common = {
    name: winner.profileName(),
    source: winner.source,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    securityToken: credentials.securityToken,
    credentials: new RefreshingProvider(winner, { initial: credentials, now: input.now }),
    provider: winner.name,
    description: winner.describe?.() ?? winner.name,
    expiration: credentials.expiration,
    skipped: chain.skipped,
  };
  if (winner.source === 'local') {
    // the embedded emulator: the stored profiles play no part (nor VN_ENDPOINT)
    const localChosenBy = input.profile !== undefined ? '--profile local' : env.VN_PROFILE ? 'VN_PROFILE=local' : 'the current profile';
    return { ...common, region: regionOverride ?? DEFAULT_REGION, endpoint: input.endpoint, localChosenBy };
  }
  const stored = (await selection()).profile;
  return {
    ...common,
    region: regionOverride ?? stored?.region ?? DEFAULT_REGION,
    endpoint: input.endpoint ?? (env.VN_ENDPOINT || undefined) ?? stored?.endpoint,
    output: stored?.output,
    // the STS endpoint a stored profile names (whoami asks it who the caller is)
    ...(winner.source === 'profile' ? { stsEndpoint: stored?.stsEndpoint, stsRegion: stored?.stsRegion } : {}),
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
  const host = regionHost(region);
  if (!host) throw new UsageError(`unknown region "${region}" (known: cn-shanghai, cn-hangzhou); use --endpoint for another`);
  return `https://${host}`;
}
