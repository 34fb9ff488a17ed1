import { clock } from './clock.js';
import { accessKey } from './keys.js';
import { replay } from './nonces.js';
import { securityToken } from './sts.js';
import {
  type AccessKey,
  type Authentication,
  type Authenticator,
  type Credentials,
  header,
  type IncomingSigned,
  type IssuedKey,
  type Policy,
  type SignatureScheme,
} from './types.js';
import { v1 } from './v1.js';
import { v3 } from './v3.js';

/**
 * Authentication as the gateway does it: a list of authenticators run in order, each a small
 * module of its own. The request's signature scheme (v3 when it carries an ACS3 Authorization
 * header, else v1) reads what it claims; then the access key is looked up, an STS token checked,
 * the signature verified with the key, the clock checked, and last the nonce used up — so a request
 * refused on the way uses no nonce. The policy (RAM) comes once the action is known (gateway.ts).
 */

/** The schemes, tried in order: the first that claims the request reads it. */
export const SCHEMES: readonly SignatureScheme[] = [v3, v1];

const signature: Authenticator = (req, auth) => auth.scheme.verify(req, auth, auth.key as AccessKey);

/** After the scheme has read the request: each step throws the gateway's error to refuse it. */
export const AUTHENTICATORS: readonly Authenticator[] = [accessKey, securityToken, signature, clock, replay];

export interface Verified {
  accessKeyId: string;
  /** Set when the caller used a temporary key the emulated STS issued. */
  issued?: IssuedKey;
  policy: Policy;
  signatureVersion: 'v1' | 'v3';
  action: string;
  version: string;
  nonce: string;
}

/** Identifies the caller and checks the signature, the clock and replay, as the gateway does. */
export function authenticate(req: IncomingSigned, creds: Credentials): Verified {
  let scheme = v1;
  for (const s of SCHEMES) {
    if (s.claims(req)) {
      scheme = s;
      break;
    }
  }
  const auth: Authentication = scheme.parse(req);
  for (const step of AUTHENTICATORS) step(req, auth, creds);
  const key = auth.key as AccessKey;
  return {
    accessKeyId: auth.accessKeyId,
    ...(auth.issued ? { issued: auth.issued } : {}),
    policy: key.policy,
    signatureVersion: scheme.name,
    action: auth.action,
    version: auth.version,
    nonce: auth.nonce,
  };
}

/** The action a request names (before it is verified): the V3 header, else the Action parameter. */
export function claimedAction(params: Record<string, string>, headers: IncomingSigned['headers']): string | undefined {
  const authz = header(headers, 'authorization');
  return (authz?.startsWith('ACS3-') ? header(headers, 'x-acs-action') : undefined) ?? params.Action;
}

export { CLOCK_SKEW_MS } from './clock.js';
export { NONCE_WINDOW_MS, NonceStore } from './nonces.js';
export { allowedByPolicy, checkPolicy, EMULATOR_ACCOUNT_ID, forbidden } from './policy.js';
export type { AccessKey, Credentials, IncomingSigned, IssuedKey, IssuedKeys, Policy, StsToken } from './types.js';
export { SignatureMismatch, signatureMismatch } from './types.js';
export { signatureV1 } from './v1.js';
