import { createHmac } from 'node:crypto';
import { canonicalQuery, percentEncode } from './encode.js';

// seed: 签名机制 — StringToSign = HTTPMethod & percentEncode("/") & percentEncode(CanonicalizedQueryString)
export function stringToSignV1(method: string, params: Record<string, string>): string {
  const rest = { ...params };
  delete rest.Signature;
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(rest))}`;
}

/** Base64(HMAC-SHA1(secret + "&", StringToSign)). */
export function signV1(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSignV1(method, params), 'utf8').digest('base64');
}

/** UTC ISO 8601 without milliseconds, as the Timestamp common parameter wants. */
export function timestampV1(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
