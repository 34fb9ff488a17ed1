import { ApiError } from '../errors.js';
import type { Authenticator } from './types.js';

/** The access key the request names must be one the emulator was started with. */
export const accessKey: Authenticator = (_req, auth, creds) => {
  const key = creds.keys.get(auth.accessKeyId);
  if (!key) throw new ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
  auth.key = key;
};
