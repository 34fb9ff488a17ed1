import type { Exchange, Step } from '../pipeline.js';
import { mintJwt, type SigningKey } from './jwt.js';
import type { OidcProvider } from './roles.js';
import { answerSts, isStsRequest, type StsEnv } from './service.js';

/**
 * The emulated STS's places on the request path (pipeline.ts): its API on the emulator's port,
 * told apart by its version, and the test facility that mints OIDC tokens.
 */

/** An API call whose Version is 2015-04-01 is answered by the emulated STS, not Voice Navigator's gateway. */
export function stsService(env: StsEnv): Step {
  return (x) => {
    if (!isStsRequest(x.params, x.req.headers)) return false;
    x.outcome = answerSts({ method: x.req.method as string, params: x.params, query: x.query, headers: x.req.headers, raw: x.raw, now: x.now }, env);
    return false;
  };
}

export const OIDC_TOKEN_PATH = '/_vn/oidc/token';

/** Claims a minted token gets unless asked otherwise: the first provider's issuer and audience, one hour. */
export function mintOidcToken(
  key: SigningKey,
  providers: OidcProvider[],
  now: number,
  ask: { sub?: string; aud?: string; iss?: string; ttlSeconds?: number; provider?: string } = {},
): string {
  const provider = (ask.provider ? providers.find((p) => p.arn === ask.provider) : undefined) ?? providers[0];
  const iat = Math.floor(now / 1000);
  return mintJwt(key, {
    iss: ask.iss ?? provider?.issuer ?? 'https://oidc.vn-emulator.invalid',
    sub: ask.sub ?? 'system:serviceaccount:default:vn',
    aud: ask.aud ?? provider?.audiences[0] ?? 'sts.aliyuncs.com',
    iat,
    exp: iat + (ask.ttlSeconds ?? 3600),
  });
}

/**
 * A TEST FACILITY, not part of any Alibaba Cloud API: `GET|POST /_vn/oidc/token?sub=…&aud=…&iss=…&ttl=…&provider=ARN`
 * answers a JWT (text/plain) signed with the emulator's test OIDC key, from loopback callers only.
 * ttl may be negative (an expired token).
 */
export function oidcTokenRoute(env: StsEnv, now: () => number): Step {
  return (x: Exchange) => {
    const target = x.req.url ?? '/';
    if (!target.startsWith(OIDC_TOKEN_PATH) || (target.length > OIDC_TOKEN_PATH.length && target[OIDC_TOKEN_PATH.length] !== '?')) return false;
    const { res } = x;
    const answer = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    };
    if (!isLoopback(x.req.socket.remoteAddress)) return answer(403, 'the OIDC test token endpoint answers loopback callers only\n');
    const q = new URL(target, 'http://emulator').searchParams;
    const ttlText = q.get('ttl');
    const ttlSeconds = ttlText === null ? undefined : Number(ttlText);
    if (ttlSeconds !== undefined && !Number.isInteger(ttlSeconds)) return answer(400, 'ttl must be a whole number of seconds\n');
    const ask = {
      ...(q.get('sub') !== null ? { sub: q.get('sub') as string } : {}),
      ...(q.get('aud') !== null ? { aud: q.get('aud') as string } : {}),
      ...(q.get('iss') !== null ? { iss: q.get('iss') as string } : {}),
      ...(q.get('provider') !== null ? { provider: q.get('provider') as string } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    };
    env.log.record('oidc:mint');
    return answer(200, mintOidcToken(env.signingKey(), env.setup.oidcProviders, now(), ask));
  };
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.'));
}
