import { ApiError } from '../errors.js';
import { type Authenticator, same } from './types.js';

const malformed = () => new ApiError('InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.', 400);
const mismatch = () => new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.', 400);
const expired = () => new ApiError('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.', 400);

/**
 * The gateway's check of an STS security token (V1: the SecurityToken parameter; V3: the
 * x-acs-security-token header), made once the AccessKeyId is known and before the signature: a
 * token it did not issue is malformed, one issued with another AccessKeyId a mismatch, one past
 * its expiration expired — each 400, with the gateway's code and message (docs/emulator.md).
 * A temporary key the emulated STS issued needs its token (MissingSecurityToken without one);
 * a long-lived key without a token is not affected.
 */
export const securityToken: Authenticator = (req, auth, creds) => {
  const token = auth.securityToken;
  const issued = auth.issued;
  if (issued) {
    if (token === undefined || token === '') throw new ApiError('MissingSecurityToken', 'SecurityToken is mandatory for this action.', 400);
    if (!same(token, issued.securityToken)) throw ownerOf(token, creds) === undefined ? malformed() : mismatch();
    if (req.now >= issued.expiresAt) throw expired();
    return;
  }
  if (token === undefined || token === '') return;
  const known = creds.tokens.get(token);
  if (!known) throw creds.issued?.ownerOfToken(token) === undefined ? malformed() : mismatch();
  if (known.accessKeyId !== auth.accessKeyId) throw mismatch();
  if (known.expiresAt !== undefined && req.now >= known.expiresAt) throw expired();
};

function ownerOf(token: string, creds: Parameters<Authenticator>[2]): string | undefined {
  return creds.tokens.get(token)?.accessKeyId ?? creds.issued?.ownerOfToken(token);
}
