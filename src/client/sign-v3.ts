import { createHash, createHmac } from 'node:crypto';
import { percentEncode } from './encode.js';

export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Canonical query of V3: keys sorted, values RFC 3986-encoded; an empty value still gives `k=`. */
export function canonicalQueryV3(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(query[k] ?? '')}`)
    .join('&');
}

/** Only host, content-type and x-acs-* headers are signed, lower-cased, sorted, values trimmed. */
export function signedHeaderNames(headers: Record<string, string>): string[] {
  return Object.keys(headers)
    .map((h) => h.toLowerCase())
    .filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'))
    .sort();
}

export interface V3Input {
  method: string;
  pathname?: string;
  query: Record<string, string>;
  /** Header names in any case. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body (x-acs-content-sha256). */
  payloadHash: string;
  /** Which headers to sign; by default every signable header present. */
  signedHeaders?: string[];
}

export function canonicalRequestV3(input: V3Input): string {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) lower[k.toLowerCase()] = String(v).trim();
  const names = input.signedHeaders ?? signedHeaderNames(input.headers);
  const canonicalHeaders = names.map((n) => `${n}:${lower[n] ?? ''}\n`).join('');
  return [input.method.toUpperCase(), input.pathname || '/', canonicalQueryV3(input.query), canonicalHeaders, names.join(';'), input.payloadHash].join('\n');
}

export function signatureV3(input: V3Input, secret: string): string {
  const stringToSign = `${V3_ALGORITHM}\n${sha256Hex(canonicalRequestV3(input))}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export function authorizationV3(input: V3Input, accessKeyId: string, secret: string): string {
  const names = input.signedHeaders ?? signedHeaderNames(input.headers);
  const sig = signatureV3({ ...input, signedHeaders: names }, secret);
  return `${V3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${names.join(';')},Signature=${sig}`;
}

/** Parses `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`. */
export function parseAuthorizationV3(header: string): { algorithm: string; accessKeyId: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^(\S+)\s+(.*)$/.exec(header.trim());
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const part of (m[2] ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) return undefined;
  return {
    algorithm: m[1] ?? '',
    accessKeyId: fields.Credential,
    signedHeaders: fields.SignedHeaders.split(';').filter(Boolean),
    signature: fields.Signature,
  };
}
