import { ApiError } from '../errors.js';
import type { Authenticator } from './types.js';

/**
 * The access key the request names must be one the emulator was started with, or a temporary key
 * its STS issued (STS.…): that one carries its role's access and needs its security token (sts.ts).
 */
export const accessKey: Authenticator = (_req, auth, creds) => {
  const key = creds.keys.get(auth.accessKeyId);
  if (key) {
    auth.key = key;
    return;
  }
  const issued = creds.issued?.find(auth.accessKeyId);
  if (!issued) throw new ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
  auth.key = { id: issued.accessKeyId, secret: issued.secret, policy: issued.policy };
  auth.issued = issued;
};
