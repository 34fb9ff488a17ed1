import { CredentialsError, NetworkError, UsageError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import type { Credentials, FetchDeps } from './provider.js';

/**
 * Where STS calls go: --sts-endpoint, else the profile's, else ALIBABA_CLOUD_STS_ENDPOINT (vn's,
 * for an emulator or a private endpoint), else the official library's ALIBABA_CLOUD_STS_REGION
 * (with ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true: the VPC endpoint), else sts.aliyuncs.com.
 */
export function stsEndpoint(deps: Pick<FetchDeps, 'env' | 'stsEndpoint'>, configured?: { stsEndpoint?: string; stsRegion?: string }): string {
  const { env } = deps;
  const explicit = deps.stsEndpoint ?? configured?.stsEndpoint ?? (env.ALIBABA_CLOUD_STS_ENDPOINT || undefined);
  if (explicit) return normalizeStsEndpoint(explicit);
  const region = configured?.stsRegion ?? (env.ALIBABA_CLOUD_STS_REGION || undefined);
  if (region) {
    if (!/^[a-z0-9-]{1,40}$/.test(region)) throw new UsageError(`invalid STS region ${JSON.stringify(region)}: give a region id such as cn-shanghai`);
    const vpc = env.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED?.toLowerCase() === 'true';
    return `https://sts${vpc ? '-vpc' : ''}.${region}.aliyuncs.com`;
  }
  return 'https://sts.aliyuncs.com';
}

/** http(s)://host[:port]; a bare host means https. */
export function normalizeStsEndpoint(endpoint: string): string {
  const e = endpoint.trim();
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(e) ? e : `https://${e}`);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new UsageError(
      `invalid STS endpoint ${JSON.stringify(endpoint)}: give a host such as sts.cn-shanghai.aliyuncs.com, or a URL such as http://127.0.0.1:8080`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

/** One STS 2015-04-01 call, signed (V1) with `credentials`, through vn's client (retries, --debug, the transport). */
export async function callSts(
  deps: FetchDeps,
  endpoint: string,
  credentials: Credentials,
  action: 'AssumeRole' | 'AssumeRoleWithOIDC' | 'GetCallerIdentity',
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  const [{ Client }, { STS }] = await Promise.all([import('../../client/client.js'), import('../../client/products.js')]);
  const client = new Client<string>({ ...deps.http, endpoint, credentials, product: STS, signatureVersion: 'v1' });
  const res = await client.call(action, params);
  return res.data;
}

/**
 * AssumeRole's and AssumeRoleWithOIDC's `Credentials`: `{AccessKeyId, AccessKeySecret,
 * SecurityToken, Expiration}` (Expiration as 2015-04-09T11:52:19Z). An answer without them is refused.
 */
export function credentialsFromAnswer(answer: unknown, from: string): Credentials {
  const c = (answer as { Credentials?: Record<string, unknown> } | undefined)?.Credentials;
  const s = (k: string) => (typeof c?.[k] === 'string' && c[k] !== '' ? (c[k] as string) : undefined);
  const accessKeyId = s('AccessKeyId');
  const accessKeySecret = s('AccessKeySecret');
  const securityToken = s('SecurityToken');
  registerSecret(accessKeySecret);
  registerSecret(securityToken);
  if (!accessKeyId || !accessKeySecret || !securityToken)
    throw new NetworkError(`${from} answered without Credentials (AccessKeyId, AccessKeySecret, SecurityToken)`, true);
  return { accessKeyId, accessKeySecret, securityToken, expiration: parseExpiration(s('Expiration'), from) };
}

/** An ISO 8601 UTC time (`2015-04-09T11:52:19Z`); a temporary credential without a readable one is refused. */
export function parseExpiration(text: string | undefined, from: string): Date {
  const t = text === undefined ? Number.NaN : Date.parse(text);
  if (Number.isNaN(t))
    throw new NetworkError(`${from} answered with ${text === undefined ? 'no Expiration' : `an unreadable Expiration ${JSON.stringify(text)}`}`, true);
  return new Date(t);
}

/** Alibaba Cloud's own STS (sts.aliyuncs.com, sts[-vpc].REGION.aliyuncs.com), as opposed to one named elsewhere (an emulator). */
export function isAlibabaSts(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`).hostname;
  } catch {
    return true;
  }
  return /(^|\.)aliyuncs\.com$/i.test(host);
}

/** The least session duration vn asks `endpoint` for: Alibaba Cloud's STS takes 900 s and more; another STS (the emulator's --sts-min-duration) decides for itself. */
export function leastDuration(endpoint: string): number {
  return isAlibabaSts(endpoint) ? 900 : 1;
}

/** Session duration in seconds: STS takes 900 up to the role's maximum (at most 43200); an STS other than Alibaba Cloud's, from 1. */
export function checkDuration(seconds: number | undefined, what: string, endpoint: string): number {
  const d = seconds ?? 3600;
  const least = leastDuration(endpoint);
  if (!Number.isInteger(d) || d < least || d > 43200)
    throw new CredentialsError(`${what}: the session duration must be a whole number of seconds from ${least} to 43200 (got ${seconds})`);
  return d;
}

/**
 * A session name when none is given (STS requires one): ALIBABA_CLOUD_ROLE_SESSION_NAME, else
 * `vn-cli`. Stable, unlike the official library's `credentials-nodejs-<time>`: the session name is
 * part of the token cache's key, so parallel runs share one AssumeRole.
 */
export function defaultSessionName(env: NodeJS.ProcessEnv): string {
  return env.ALIBABA_CLOUD_ROLE_SESSION_NAME || 'vn-cli';
}

/**
 * An STS call that is not signed: AssumeRoleWithOIDC (the OIDC token is the proof). Sent as the
 * official library sends it: the common parameters in the query, the rest as a form body.
 */
export async function callStsUnsigned(
  deps: FetchDeps,
  endpoint: string,
  action: 'AssumeRoleWithOIDC',
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  const [{ HttpCaller }, { parseResponse }, { canonicalQuery }, { timestampV1 }] = await Promise.all([
    import('../../client/http.js'),
    import('../../client/client.js'),
    import('../../client/encode.js'),
    import('../../client/sign-v1.js'),
  ]);
  const caller = new HttpCaller(deps.http);
  return caller.withRetries(
    async (attempt) => {
      const query = canonicalQuery({ Action: action, Format: 'JSON', Version: '2015-04-01', Timestamp: timestampV1(new Date(deps.now())) });
      const res = await caller.send(
        {
          method: 'POST',
          url: `${endpoint}/?${query}`,
          headers: { 'user-agent': caller.userAgent, 'content-type': 'application/x-www-form-urlencoded' },
          body: canonicalQuery(params),
          timeoutMs: caller.timeoutMs,
        },
        attempt,
      );
      return parseResponse<Record<string, unknown>>(action, res, 'JSON').data;
    },
    // STS issues a token and changes nothing: a lost answer may be asked for again
    (err) =>
      err instanceof NetworkError
        ? true
        : (err as { httpStatus?: number }).httpStatus !== undefined &&
          ((err as { httpStatus: number }).httpStatus >= 500 || (err as { httpStatus: number }).httpStatus === 429),
  );
}
