import { CredentialsError, NetworkError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { type Credentials, type FetchDeps, type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';
import { parseExpiration } from './sts.js';
import { cachedCredentials } from './token-cache.js';

/** The ECS instance metadata service (a link-local address every ECS instance answers on). */
export const ECS_METADATA_HOST = 'http://100.100.100.200';
/** How long an IMDSv2 session token is asked for (the official libraries' 6 hours). */
const METADATA_TOKEN_TTL_S = 21600;
const CREDENTIALS_PATH = '/latest/meta-data/ram/security-credentials/';

/** VN_ECS_METADATA_ENDPOINT (vn's: an emulator's metadata service, or a proxy), else 100.100.100.200. */
export function metadataBase(env: NodeJS.ProcessEnv): string {
  const v = env.VN_ECS_METADATA_ENDPOINT;
  if (!v) return ECS_METADATA_HOST;
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CredentialsError(`VN_ECS_METADATA_ENDPOINT ${JSON.stringify(v)} is not an http(s) URL (such as http://127.0.0.1:8080)`);
  }
  return `${url.protocol}//${url.host}`;
}

/** ALIBABA_CLOUD_ECS_METADATA_DISABLED=true turns the metadata service off, as in the official library. */
export function metadataDisabled(env: NodeJS.ProcessEnv): boolean {
  return env.ALIBABA_CLOUD_ECS_METADATA_DISABLED?.toLowerCase() === 'true';
}

/**
 * EcsRamRole: the instance RAM role's credentials from the metadata service. IMDSv2 first (a PUT for
 * a session token, sent on each GET); when that fails, IMDSv1 (no token) unless
 * ALIBABA_CLOUD_IMDSV1_DISABLED=true. The role is the one given, or the one the service names.
 */
export function ecsCredentials(roleName: string | undefined, deps: FetchDeps): () => Promise<Credentials> {
  return async () => {
    if (metadataDisabled(deps.env)) throw new NotApplicable('ALIBABA_CLOUD_ECS_METADATA_DISABLED=true');
    const base = metadataBase(deps.env);
    const { HttpCaller } = await import('../../client/http.js');
    // a metadata service answers at once or is not there
    const http = new HttpCaller({ ...deps.http, timeoutMs: Math.min(deps.http.timeoutMs ?? 5000, 5000), retries: Math.min(deps.http.retries ?? 1, 1) });
    const v1Disabled = deps.env.ALIBABA_CLOUD_IMDSV1_DISABLED?.toLowerCase() === 'true';
    let token: string | undefined;
    try {
      const res = await http.request(
        { method: 'PUT', url: `${base}/latest/api/token`, headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': String(METADATA_TOKEN_TTL_S) } },
        { idempotent: true },
      );
      token = res.body.trim() || undefined;
    } catch (err) {
      if (v1Disabled)
        throw new CredentialsError(`ECS metadata: no IMDSv2 token from ${base} (${(err as Error).message}) and ALIBABA_CLOUD_IMDSV1_DISABLED=true`);
      http.trace('ECS metadata: no IMDSv2 token; falling back to IMDSv1');
    }
    const headers: Record<string, string> = token ? { 'x-aliyun-ecs-metadata-token': token } : {};
    const get = async (path: string) => (await http.request({ url: `${base}${path}`, headers })).body;
    let role = roleName;
    if (!role) {
      role = (await get(CREDENTIALS_PATH)).trim().split(/\s+/)[0];
      if (!role) throw new CredentialsError(`ECS metadata: ${base} names no RAM role for this instance (attach one, or set ALIBABA_CLOUD_ECS_METADATA)`);
    }
    if (!/^[A-Za-z0-9._@+=,-]{1,64}$/.test(role)) throw new CredentialsError(`ECS metadata: ${JSON.stringify(role.slice(0, 70))} is not a RAM role name`);
    const found = role;
    return cachedCredentials(
      { configDir: deps.configDir, now: deps.now, trace: deps.http.debug },
      { action: 'EcsRamRole', endpoint: base, role: found },
      async () => {
        const text = await get(`${CREDENTIALS_PATH}${encodeURIComponent(found)}`);
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(text);
        } catch {
          throw new NetworkError(`ECS metadata: the credentials of role ${found} are not JSON`, true);
        }
        return metadataCredentials(data, `ECS metadata (role ${found})`);
      },
    );
  };
}

/**
 * `{Code: "Success", AccessKeyId, AccessKeySecret, SecurityToken, Expiration}`: the metadata
 * service's and a credentials URI's answer.
 */
export function metadataCredentials(data: Record<string, unknown>, from: string): Credentials {
  const s = (k: string) => (typeof data[k] === 'string' && data[k] !== '' ? (data[k] as string) : undefined);
  registerSecret(s('AccessKeySecret'));
  registerSecret(s('SecurityToken'));
  if (data.Code !== undefined && data.Code !== 'Success')
    throw new CredentialsError(`${from} answered Code ${JSON.stringify(String(data.Code).slice(0, 60))}, not Success`);
  const accessKeyId = s('AccessKeyId');
  const accessKeySecret = s('AccessKeySecret');
  const securityToken = s('SecurityToken');
  if (!accessKeyId || !accessKeySecret || !securityToken) throw new CredentialsError(`${from} answered without AccessKeyId, AccessKeySecret and SecurityToken`);
  return { accessKeyId, accessKeySecret, securityToken, expiration: parseExpiration(s('Expiration'), from) };
}

/**
 * The chain's metadata step. It applies when ALIBABA_CLOUD_ECS_METADATA names the role or
 * VN_ECS_METADATA_ENDPOINT names the service. Unlike the official library, vn does not probe
 * 100.100.100.200 unasked: on every machine without credentials that would cost a timeout before
 * the "no credentials" message.
 */
export function ecsRamRoleProvider(input: ProviderInput): ModeProvider {
  const { env } = input;
  let fetch: (() => Promise<Credentials>) | undefined;
  return {
    name: 'ecs-ram-role',
    source: 'ecs-ram-role',
    profileName: () => 'ecs-ram-role',
    describe: () => `ECS instance metadata at ${metadataBase(env)}${env.ALIBABA_CLOUD_ECS_METADATA ? ` (role ${env.ALIBABA_CLOUD_ECS_METADATA})` : ''}`,
    async get() {
      if (metadataDisabled(env)) throw new NotApplicable('ALIBABA_CLOUD_ECS_METADATA_DISABLED=true');
      if (!env.ALIBABA_CLOUD_ECS_METADATA && !env.VN_ECS_METADATA_ENDPOINT) {
        throw new NotApplicable('ALIBABA_CLOUD_ECS_METADATA (the instance RAM role) and VN_ECS_METADATA_ENDPOINT are not set');
      }
      fetch ??= ecsCredentials(env.ALIBABA_CLOUD_ECS_METADATA || undefined, input.deps);
      return fetch();
    },
  };
}
