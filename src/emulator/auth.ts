import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { ActionSpec } from '../api/types.js';
import { canonicalRequestV3, parseAuthorizationV3, sha256Hex, signatureV3, V3_ALGORITHM, type V3Input } from '../client/sign-v3.js';
import type { Database } from './db.js';
import { ApiError } from './errors.js';

export type Policy = 'full' | 'readonly';

export interface AccessKey {
  id: string;
  secret: string;
  policy: Policy;
}

/**
 * An STS security token the emulator accepts, bound to the AccessKeyId it was issued with. Until
 * the emulator issues tokens itself, these are the ones it was started with (`--sts-token`).
 */
export interface StsToken {
  token: string;
  accessKeyId: string;
  /** Epoch ms after which the token is refused as expired (none: valid while the emulator runs). */
  expiresAt?: number;
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
  /** Hex SHA-256 of the raw body (computed only when a V3 request needs it). */
  bodyHash: () => string;
  /** Whether the request carried a body (its content type must then be signed, V3). */
  hasBody: boolean;
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
export function verifyRequest(
  req: IncomingSigned,
  keys: Map<string, AccessKey>,
  nonces: NonceStore,
  now: number,
  opts: { inWriteTransaction: boolean; tokens?: Map<string, StsToken> },
): Verified {
  const authz = header(req.headers, 'authorization');
  const tokens = opts.tokens ?? NO_TOKENS;
  const who = authz?.startsWith('ACS3-') ? verifyV3(req, authz, keys, tokens, now) : verifyV1(req, keys, tokens, now);
  nonces.use(who.nonce, now, opts.inWriteTransaction);
  return who;
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

const NO_TOKENS = new Map<string, StsToken>();

/**
 * The gateway's check of an STS security token (V1: the SecurityToken parameter; V3: the
 * x-acs-security-token header), made once the AccessKeyId is known and before the signature: a
 * token it did not issue is malformed, one issued with another AccessKeyId a mismatch, one past
 * its expiration expired — each 400, with the gateway's code and message (docs/emulator.md). A
 * request without a token is not affected.
 */
function checkSecurityToken(token: string | undefined, accessKeyId: string, tokens: Map<string, StsToken>, now: number): void {
  if (token === undefined || token === '') return;
  const known = tokens.get(token);
  if (!known) throw new ApiError('InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.', 400);
  if (known.accessKeyId !== accessKeyId)
    throw new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.', 400);
  if (known.expiresAt !== undefined && now >= known.expiresAt) throw new ApiError('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.', 400);
}

function lookupKey(keys: Map<string, AccessKey>, id: string): AccessKey {
  const key = keys.get(id);
  if (!key) throw new ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
  return key;
}

/**
 * stringToSignV1 (client/sign-v1.ts) for a request being verified, with less work per request: no
 * copy of the parameters, and percent-encoding's second pass only when needed (bench/emulator).
 * test/emulator/gateway.test.ts checks the two agree.
 */
export function stringToSignV1(method: string, params: Record<string, string>): string {
  const names = Object.keys(params);
  // sorted by code unit, like canonicalQuery
  names.sort();
  let canonical = '';
  for (const name of names) {
    if (name === 'Signature') continue;
    if (canonical !== '') canonical += '&';
    canonical += `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`;
  }
  // seed: 签名机制 — StringToSign = HTTPMethod & percentEncode("/") & percentEncode(CanonicalizedQueryString)
  return `${method.toUpperCase()}&%2F&${percentEncode(canonical)}`;
}

/** Base64(HMAC-SHA1(secret + "&", StringToSign)), the HMAC key prepared once per access key. */
export function signatureV1(method: string, params: Record<string, string>, key: AccessKey): string {
  return signV1String(stringToSignV1(method, params), key);
}

function signV1String(stringToSign: string, key: AccessKey): string {
  return createHmac('sha1', hmacKeyOf(key)).update(stringToSign, 'utf8').digest('base64');
}

/**
 * The gateway's answer to a signature that does not match: its message ends with the string to
 * sign the gateway computed, after "server string to sign is:" — the classic Python SDK
 * (aliyun-python-sdk-core) compares it with its own to tell a wrong secret (InvalidAccessKeySecret)
 * from a request changed on the way, and fails on a message without it. The string holds only what
 * the client sent (never a secret).
 */
export function signatureMismatch(stringToSign: string): ApiError {
  return new ApiError('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`, 400);
}

const SUB_DELIMS = /[!'()*]/;
const SUB_DELIMS_ALL = /[!'()*]/g;

/** client/encode.ts percentEncode: encodeURIComponent leaves ! ' ( ) * as they are; RFC 3986 wants them encoded. */
function percentEncode(value: string): string {
  const encoded = encodeURIComponent(value);
  return SUB_DELIMS.test(encoded) ? encoded.replace(SUB_DELIMS_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
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

/** How often the nonces this process has seen are written to the database. */
const NONCE_FLUSH_EVERY_MS = 100;
/** How often expired nonces are swept out; the sweep scans the table, so not on every request. */
const NONCE_PRUNE_EVERY_MS = 60 * 1000;

/**
 * Replay protection, shared through the database by every process that opens the file.
 *
 * A request that changes state records its nonce in the database inside its own write
 * transaction, so a replayed change is refused exactly, by any process. A read-only request's
 * nonce is kept in memory and written in a batch every 100 ms: a read then costs no commit of its
 * own (bench/emulator), and another process sees that nonce at most 100 ms late — a replayed read
 * changes nothing. Within one process every replay is refused.
 */
export class NonceStore {
  private readonly pending = new Map<string, number>();
  private readonly seen: BetterSqlite3.Statement;
  private readonly record: BetterSqlite3.Statement;
  private readonly prune: BetterSqlite3.Statement;
  private readonly flushAll: () => void;
  private lastPrune = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Database) {
    this.seen = db.prepare('SELECT 1 FROM nonces WHERE nonce = ? AND seen_at >= ?');
    // a row older than the window is taken over in place, so the check stays exact between sweeps
    this.record = db.prepare(
      'INSERT INTO nonces (nonce, seen_at) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET seen_at = excluded.seen_at WHERE nonces.seen_at < ?',
    );
    this.prune = db.prepare('DELETE FROM nonces WHERE seen_at < ?');
    this.flushAll = db.transaction(() => this.writePending());
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch {
        // kept in memory and tried again; a database that cannot be written fails the next change loudly
      }
    }, NONCE_FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Marks a nonce used, or throws SignatureNonceUsed. With `inWriteTransaction` it goes straight
   * to the database (the caller's transaction commits it); otherwise it waits for the next flush.
   */
  use(nonce: string, now: number, inWriteTransaction: boolean): void {
    const windowStart = now - NONCE_WINDOW_MS;
    const pendingAt = this.pending.get(nonce);
    if (pendingAt !== undefined && pendingAt >= windowStart) {
      throw new ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
    }
    if (!inWriteTransaction) {
      if (this.seen.get(nonce, windowStart)) throw new ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
      this.pending.set(nonce, now);
      return;
    }
    // the insert is the look-up: it changes no row when the nonce is already there and fresh, also
    // when another process recorded it a moment ago. The reads' nonces kept in memory are left to
    // the flush: written here they would be lost if this change rolled back.
    if (this.record.run(nonce, now, windowStart).changes === 0) {
      throw new ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
    }
    if (now - this.lastPrune > NONCE_PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.prune.run(windowStart);
    }
  }

  /** Writes the nonces kept in memory; on failure they stay in memory for the next try. */
  flush(): void {
    if (this.pending.size === 0 || !this.db.open) return;
    this.flushAll();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private writePending(): void {
    for (const [nonce, at] of this.pending) this.record.run(nonce, at, at - NONCE_WINDOW_MS);
    // cleared only once every row went in (a throw above leaves them for the next try)
    this.pending.clear();
  }
}

/** The action a request names (before it is verified): the V3 header, else the Action parameter. */
export function claimedAction(params: Record<string, string>, headers: IncomingSigned['headers']): string | undefined {
  const authz = header(headers, 'authorization');
  return (authz?.startsWith('ACS3-') ? header(headers, 'x-acs-action') : undefined) ?? params.Action;
}

function verifyV1(req: IncomingSigned, keys: Map<string, AccessKey>, tokens: Map<string, StsToken>, now: number): Verified {
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
  const ts = p.Timestamp ?? p.TimeStamp;
  if (!ts) throw new ApiError('MissingTimestamp', 'Timestamp is mandatory for this action.', 400);
  const key = lookupKey(keys, accessKeyId);
  checkSecurityToken(p.SecurityToken, accessKeyId, tokens, now);
  const stringToSign = stringToSignV1(req.method, p);
  if (!same(signV1String(stringToSign, key), signature)) throw signatureMismatch(stringToSign);
  checkTimestamp(ts, now, 'Timestamp');
  return { accessKeyId, policy: key.policy, signatureVersion: 'v1', action, version, nonce };
}

/** ACS3-HMAC-SHA256's string to sign: the algorithm and the hex SHA-256 of the canonical request. */
function stringToSignV3(input: V3Input): string {
  return `${V3_ALGORITHM}\n${sha256Hex(canonicalRequestV3(input))}`;
}

function verifyV3(req: IncomingSigned, authz: string, keys: Map<string, AccessKey>, tokens: Map<string, StsToken>, now: number): Verified {
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
  if (contentHash && contentHash !== req.bodyHash()) {
    throw new ApiError('SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the body.', 400);
  }
  // "除Authorization外的所有公共请求头，只要存在必须被加入签名": every x-acs-* header sent, host,
  // and the content type of a body must be signed, so none of them can be changed on the way
  const signed = new Set(parsed.signedHeaders);
  const mustSign = ['host', 'x-acs-date', 'x-acs-signature-nonce'];
  for (const name of Object.keys(req.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-acs-') || (lower === 'content-type' && req.hasBody)) mustSign.push(lower);
  }
  for (const required of mustSign) {
    if (!signed.has(required)) {
      throw new ApiError('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. The header ${required} must be signed.`, 400);
    }
  }
  const key = lookupKey(keys, parsed.accessKeyId);
  checkSecurityToken(h('x-acs-security-token'), parsed.accessKeyId, tokens, now);
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) headers[name] = h(name) ?? '';
  const input = {
    method: req.method,
    pathname: '/',
    query: req.query,
    headers,
    payloadHash: contentHash ?? req.bodyHash(),
    signedHeaders: parsed.signedHeaders,
  };
  if (!same(signatureV3(input, key.secret), parsed.signature)) throw signatureMismatch(stringToSignV3(input));
  checkTimestamp(date, now, 'x-acs-date');
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
