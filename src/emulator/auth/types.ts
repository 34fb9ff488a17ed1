import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors.js';

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

/** A temporary key the emulated STS issued (emulator/sts/), with the role it carries. */
export interface IssuedKey {
  accessKeyId: string;
  secret: string;
  securityToken: string;
  roleArn: string;
  sessionName: string;
  /** The role's access, narrowed by the session policy. */
  policy: Policy;
  /** Epoch ms after which it is refused as expired. */
  expiresAt: number;
}

/** Where the authenticators look up issued keys (the store, shared by every process on the file). */
export interface IssuedKeys {
  find(accessKeyId: string): IssuedKey | undefined;
  /** The key id a security token was issued with, if it was issued here. */
  ownerOfToken(token: string): string | undefined;
}

/** A request as the authenticators see it. */
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
  /** Epoch ms of the request (the emulator's clock: virtual with --virtual-clock). */
  now: number;
  /** The wall clock's epoch ms, when it differs from `now` (a virtual clock): signature time stamps and replay windows are the clients' wall time. */
  wallNow?: number;
  /** True when it runs inside a write transaction (a change): its nonce is recorded at once. */
  inWriteTransaction: boolean;
}

/** What the emulator authenticates with, long-lived. */
export interface Credentials {
  keys: Map<string, AccessKey>;
  tokens: Map<string, StsToken>;
  /** Temporary keys the emulated STS issued (none: only the keys and tokens above). */
  issued?: IssuedKeys;
  /** Replay protection (auth/nonces.ts NonceStore). */
  nonces: { use(nonce: string, now: number, inWriteTransaction: boolean): void };
}

/** What a signature scheme reads from a request, before any key is looked up; filled in by the chain. */
export interface Authentication {
  scheme: SignatureScheme;
  accessKeyId: string;
  action: string;
  version: string;
  nonce: string;
  /** The request's time as sent, and the name it was sent under (for the error message). */
  time: string;
  timeName: 'Timestamp' | 'x-acs-date';
  /** The STS security token it carries, if any. */
  securityToken: string | undefined;
  /** The signature it carries. */
  signature: string;
  /** V3: the headers it signed and the payload hash it signed. */
  signedHeaders?: string[];
  payloadHash?: string;
  /** The access key (set by the key look-up). */
  key?: AccessKey;
  /** Set when the key is a temporary one the emulated STS issued. */
  issued?: IssuedKey;
}

/** A signing scheme of the gateway (V1 parameters, V3 Authorization header). */
export interface SignatureScheme {
  readonly name: 'v1' | 'v3';
  /** Whether the request is signed with this scheme. */
  claims(req: IncomingSigned): boolean;
  /** Reads what the request claims; throws the gateway's error for what is missing or malformed. */
  parse(req: IncomingSigned): Authentication;
  /** Throws SignatureDoesNotMatch unless the signature is the key's over the request. */
  verify(req: IncomingSigned, auth: Authentication, key: AccessKey): void;
}

/** One step of authentication: throws the gateway's ApiError to refuse the request. */
export type Authenticator = (req: IncomingSigned, auth: Authentication, creds: Credentials) => void;

export function header(h: IncomingSigned['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Constant-time string comparison. */
export function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function requireParam(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw new ApiError(`Missing${name}`, `${name} is mandatory for this action.`, 400);
  return v;
}

/**
 * The gateway's answer to a signature that does not match: its message ends with the string to
 * sign the gateway computed, after "server string to sign is:" — the classic Python SDK
 * (aliyun-python-sdk-core) compares it with its own to tell a wrong secret (InvalidAccessKeySecret)
 * from a request changed on the way, and fails on a message without it. The string holds only what
 * the client sent (never a secret).
 */
export function signatureMismatch(stringToSign: string, canonicalRequest?: string): SignatureMismatch {
  return new SignatureMismatch(stringToSign, canonicalRequest);
}

/**
 * SignatureDoesNotMatch with what the emulator computed kept beside the message, for the request
 * log (inspect/request-log.ts): the string to sign, and for V3 the canonical request it hashes.
 * Only the message goes on the wire.
 */
export class SignatureMismatch extends ApiError {
  constructor(
    readonly stringToSign: string,
    readonly canonicalRequest?: string,
  ) {
    super('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`, 400);
  }
}
