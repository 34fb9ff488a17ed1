import { timingSafeEqual } from 'node:crypto';
import type { ActionSpec } from '../api/types.js';
import { signV1 } from '../client/sign-v1.js';
import { parseAuthorizationV3, signatureV3, V3_ALGORITHM } from '../client/sign-v3.js';
import type { Database } from './db.js';
import { ApiError } from './errors.js';

export type Policy = 'full' | 'readonly';

export interface AccessKey {
  id: string;
  secret: string;
  policy: Policy;
}

/** How far a request's clock may be from ours (the gateway's rule). */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;
export const NONCE_WINDOW_MS = 15 * 60 * 1000;

export interface IncomingSigned {
  method: string;
  /** Query + form parameters merged. */
  params: Record<string, string>;
  /** Query parameters only (what V3 signs). */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Hex SHA-256 of the raw body. */
  bodyHash: string;
}

export interface Verified {
  accessKeyId: string;
  policy: Policy;
  signatureVersion: 'v1' | 'v3';
  action: string;
  version: string;
  nonce: string;
}

function header(h: IncomingSigned['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Identifies the caller and checks the signature, the clock and replay, as the gateway does. */
export function verifyRequest(req: IncomingSigned, keys: Map<string, AccessKey>, db: Database, now: number): Verified {
  const authz = header(req.headers, 'authorization');
  if (authz?.startsWith('ACS3-')) return verifyV3(req, authz, keys, db, now);
  return verifyV1(req, keys, db, now);
}

function requireParam(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw new ApiError(`Missing${name}`, `${name} is mandatory for this action.`, 400);
  return v;
}

function checkTimestamp(ts: string, now: number, name: string): void {
  // seed: 公共参数 — YYYY-MM-DDThh:mm:ssZ in UTC
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(ts)) {
    throw new ApiError('InvalidTimeStamp.Format', `Specified ${name} or Date is not valid.`, 400);
  }
  const t = Date.parse(ts);
  if (!Number.isFinite(t)) throw new ApiError('InvalidTimeStamp.Format', `Specified ${name} or Date is not valid.`, 400);
  if (Math.abs(now - t) > CLOCK_SKEW_MS) {
    throw new ApiError('InvalidTimeStamp.Expired', `Specified time stamp or date value is expired.`, 400);
  }
}

function lookupKey(keys: Map<string, AccessKey>, id: string): AccessKey {
  const key = keys.get(id);
  if (!key) throw new ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
  return key;
}

/** Records a nonce; a second use within the window is a replay. Shared through the database. */
function useNonce(db: Database, nonce: string, now: number): void {
  db.prepare('DELETE FROM nonces WHERE seen_at < ?').run(now - NONCE_WINDOW_MS);
  const r = db.prepare('INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES (?, ?)').run(nonce, now);
  if (r.changes === 0) throw new ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
}

function verifyV1(req: IncomingSigned, keys: Map<string, AccessKey>, db: Database, now: number): Verified {
  const p = req.params;
  const action = requireParam(p, 'Action');
  const version = requireParam(p, 'Version');
  const accessKeyId = requireParam(p, 'AccessKeyId');
  const signature = requireParam(p, 'Signature');
  const method = p.SignatureMethod ?? '';
  if (method.toUpperCase() !== 'HMAC-SHA1') {
    throw new ApiError('InvalidSignatureMethod', `Specified signature method ${method || '(none)'} is not supported.`, 400);
  }
  requireParam(p, 'SignatureVersion');
  const nonce = requireParam(p, 'SignatureNonce');
  // the seed's examples spell it TimeStamp; the table and the SDKs say Timestamp
  const ts = p.Timestamp ?? p.TimeStamp;
  if (!ts) throw new ApiError('MissingTimestamp', 'Timestamp is mandatory for this action.', 400);
  const key = lookupKey(keys, accessKeyId);
  const expected = signV1(req.method, p, key.secret);
  if (!same(expected, signature)) {
    throw new ApiError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400);
  }
  checkTimestamp(ts, now, 'Timestamp');
  useNonce(db, nonce, now);
  return { accessKeyId, policy: key.policy, signatureVersion: 'v1', action, version, nonce };
}

function verifyV3(req: IncomingSigned, authz: string, keys: Map<string, AccessKey>, db: Database, now: number): Verified {
  const parsed = parseAuthorizationV3(authz);
  if (!parsed) throw new ApiError('InvalidAuthorization', 'The Authorization header is malformed.', 400);
  if (parsed.algorithm !== V3_ALGORITHM) {
    throw new ApiError('InvalidSignatureMethod', `Specified signature algorithm ${parsed.algorithm} is not supported.`, 400);
  }
  const h = (n: string) => header(req.headers, n);
  const action = h('x-acs-action') ?? req.params.Action;
  if (!action) throw new ApiError('MissingAction', 'Action is mandatory for this action.', 400);
  const version = h('x-acs-version') ?? req.params.Version;
  if (!version) throw new ApiError('MissingVersion', 'Version is mandatory for this action.', 400);
  const date = h('x-acs-date');
  if (!date) throw new ApiError('MissingDate', 'x-acs-date is mandatory for this action.', 400);
  const nonce = h('x-acs-signature-nonce');
  if (!nonce) throw new ApiError('MissingSignatureNonce', 'x-acs-signature-nonce is mandatory for this action.', 400);
  const contentHash = h('x-acs-content-sha256');
  if (contentHash && contentHash !== req.bodyHash) {
    throw new ApiError('SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the body.', 400);
  }
  for (const required of ['host', 'x-acs-date', 'x-acs-signature-nonce']) {
    if (!parsed.signedHeaders.includes(required)) {
      throw new ApiError('SignatureDoesNotMatch', `The header ${required} must be signed.`, 400);
    }
  }
  const key = lookupKey(keys, parsed.accessKeyId);
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) headers[name] = h(name) ?? '';
  const expected = signatureV3(
    { method: req.method, pathname: '/', query: req.query, headers, payloadHash: contentHash ?? req.bodyHash, signedHeaders: parsed.signedHeaders },
    key.secret,
  );
  if (!same(expected, parsed.signature)) {
    throw new ApiError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400);
  }
  checkTimestamp(date, now, 'x-acs-date');
  useNonce(db, nonce, now);
  return { accessKeyId: parsed.accessKeyId, policy: key.policy, signatureVersion: 'v3', action, version, nonce };
}

/**
 * seed: 授权 (RAM) — AliyunVoicebotReadOnlyAccess allows voicebot:List*, voicebot:Describe*,
 * voicebot:Query and voicebot:Export. "Query" and "Export" carry no wildcard in the seed; read
 * literally they name no action, so we take them as the prefixes they evidently mean (Query*,
 * Export*: exporting only reads data). Get* is added because GetAsrConfig and
 * GetRealTimeConcurrency only read; every other action needs AliyunVoicebotFullAccess.
 * CreateDownloadUrl only reads an export's file and is allowed too. (docs/emulator.md)
 */
export function allowedByPolicy(policy: Policy, action: ActionSpec): boolean {
  if (policy === 'full') return true;
  return /^(List|Describe|Query|Get|Export)/.test(action.name) || action.name === 'CreateDownloadUrl';
}
