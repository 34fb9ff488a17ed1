import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { ApiError } from '../errors.js';

/**
 * The OIDC side of the emulated STS: RS256 JWTs checked with node:crypto against the emulator's
 * test signing key, and minted with it for tests (the `/_vn/oidc/token` endpoint). Each refusal is
 * STS's own code and message (HTTP 401). (docs/emulator.md)
 */

export interface OidcClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  [claim: string]: unknown;
}

/** A fresh RSA key pair's private half as a PKCS#8 PEM. */
export function generateSigningKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

export function signingKeyFrom(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = Buffer.from(der).toString('base64url').slice(-16);
  return { privateKey, publicKey, kid };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function mintJwt(key: SigningKey, claims: OidcClaims): string {
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

const invalid = (message: string) => new ApiError('AuthenticationFail.OIDCToken.Invalid', message, 401);

/**
 * The token's claims once its form, algorithm, signature and lifetime check out (issuer and
 * audience are the caller's to check against the provider).
 */
export function verifyJwt(token: string, key: SigningKey, nowMs: number): OidcClaims {
  if (token === '') throw invalid('The OIDCToken can not empty.');
  const parts = token.split('.');
  if (parts.length !== 3) throw invalid("The number of Jwt field should be divided into 3 parts with '.' .");
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw invalid('Cannot decode base64 encoded response(format invalided).');
  }
  if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null)
    throw invalid('The Jwt content is invalid that cannot be recognized.');
  if (header.alg !== 'RS256') throw invalid(`The algorithm ${String(header.alg)} that be specified in Jwt header is unknown.`);
  if (!verify('sha256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url'))) {
    throw new ApiError('AuthenticationFail.OIDCToken.InvalidSignature', 'OIDC token validate failed: invalid signature.', 401);
  }
  if (typeof claims.exp !== 'number' || typeof claims.iss !== 'string' || typeof claims.sub !== 'string' || claims.aud === undefined) {
    throw invalid('The Jwt content is invalid that cannot be recognized.');
  }
  if (claims.exp * 1000 <= nowMs) throw new ApiError('AuthenticationFail.OIDCToken.Expired', 'This JsonWebToken is expired.', 401);
  return claims as OidcClaims;
}
