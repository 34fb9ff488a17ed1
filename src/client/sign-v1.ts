import { createHmac } from 'node:crypto';
import { canonicalQuery, percentEncode } from './encode.js';

// seed: 签名机制 — StringToSign = HTTPMethod & percentEncode("/") & percentEncode(CanonicalizedQueryString)
// (the emulator's V1 check runs it on every request: no copy of the parameters, Signature skipped in place)
export function stringToSignV1(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&%2F&${percentEncode(canonicalQuery(params, 'Signature'))}`;
}

/** Base64(HMAC-SHA1(secret + "&", StringToSign)). */
export function signV1(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSignV1(method, params), 'utf8').digest('base64');
}

/** The same signature from an already canonical query string (which must not hold Signature). */
export function signCanonicalV1(method: string, canonical: string, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(canonicalStringToSignV1(method, canonical), 'utf8').digest('base64');
}

/** The string to sign of an already canonical query string. */
export function canonicalStringToSignV1(method: string, canonical: string): string {
  return `${method.toUpperCase()}&%2F&${percentEncode(canonical)}`;
}

let lastSecond = -1;
let lastStamp = '';

/** UTC ISO 8601 without milliseconds, as the Timestamp common parameter wants. */
export function timestampV1(date: Date): string {
  // many requests a second share one stamp: format it once per second
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastStamp;
}
