import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { stringToSignV1 } from '../../client/sign-v1.js';
import { ApiError } from '../errors.js';
import { type AccessKey, type Authentication, header, type IncomingSigned, requireParam, type SignatureScheme, same, signatureMismatch } from './types.js';

/**
 * Signature V1 (seed: 签名机制): the common parameters in the query or form, HMAC-SHA1 over the
 * client's own string to sign (client/sign-v1.ts), so the emulator verifies exactly what vn signs.
 */
export const v1: SignatureScheme = {
  name: 'v1',
  claims: (req) => !header(req.headers, 'authorization')?.startsWith('ACS3-'),
  parse(req: IncomingSigned): Authentication {
    const p = req.params;
    const action = requireParam(p, 'Action');
    const version = requireParam(p, 'Version');
    const accessKeyId = requireParam(p, 'AccessKeyId');
    const signature = requireParam(p, 'Signature');
    const method = p.SignatureMethod ?? '';
    if (method.toUpperCase() !== 'HMAC-SHA1') {
      throw new ApiError('InvalidSignatureMethod', `Specified signature method ${method || '(none)'} is not supported.`, 400);
    }
    const signatureVersion = requireParam(p, 'SignatureVersion');
    // seed: 签名机制 — SignatureVersion: 目前版本是 1.0 (docs/emulator.md: any other is refused)
    if (signatureVersion !== '1.0') {
      throw new ApiError('InvalidSignatureVersion', `Specified signature version ${signatureVersion} is not supported.`, 400);
    }
    const nonce = requireParam(p, 'SignatureNonce');
    // the seed's examples spell it TimeStamp; the table and the SDKs say Timestamp
    const time = p.Timestamp ?? p.TimeStamp;
    if (!time) throw new ApiError('MissingTimestamp', 'Timestamp is mandatory for this action.', 400);
    return { scheme: v1, accessKeyId, action, version, nonce, time, timeName: 'Timestamp', securityToken: p.SecurityToken, signature };
  },
  verify(req, auth, key) {
    const stringToSign = stringToSignV1(req.method, req.params);
    if (!same(signV1String(stringToSign, key), auth.signature)) throw signatureMismatch(stringToSign);
  },
};

/** Base64(HMAC-SHA1(secret + "&", StringToSign)), the HMAC key prepared once per access key. */
export function signatureV1(method: string, params: Record<string, string>, key: AccessKey): string {
  return signV1String(stringToSignV1(method, params), key);
}

function signV1String(stringToSign: string, key: AccessKey): string {
  return createHmac('sha1', hmacKeyOf(key)).update(stringToSign, 'utf8').digest('base64');
}

const hmacKeys = new WeakMap<AccessKey, KeyObject>();
function hmacKeyOf(key: AccessKey): KeyObject {
  let k = hmacKeys.get(key);
  if (!k) {
    k = createSecretKey(Buffer.from(`${key.secret}&`, 'utf8'));
    hmacKeys.set(key, k);
  }
  return k;
}
