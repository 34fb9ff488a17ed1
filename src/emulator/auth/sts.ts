import { ApiError } from '../errors.js';
import type { Authenticator } from './types.js';

/**
 * The gateway's check of an STS security token (V1: the SecurityToken parameter; V3: the
 * x-acs-security-token header), made once the AccessKeyId is known and before the signature: a
 * token it did not issue is malformed, one issued with another AccessKeyId a mismatch, one past
 * its expiration expired — each 400, with the gateway's code and message (docs/emulator.md). A
 * request without a token is not affected.
 */
export const securityToken: Authenticator = (req, auth, creds) => {
  const token = auth.securityToken;
  if (token === undefined || token === '') return;
  const known = creds.tokens.get(token);
  if (!known) throw new ApiError('InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.', 400);
  if (known.accessKeyId !== auth.accessKeyId)
    throw new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.', 400);
  if (known.expiresAt !== undefined && req.now >= known.expiresAt)
    throw new ApiError('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.', 400);
};
