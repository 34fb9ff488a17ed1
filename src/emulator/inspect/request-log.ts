import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactorFor } from '../../redact.js';
import { SignatureMismatch } from '../auth/index.js';
import { ApiError } from '../errors.js';
import type { DispatchOutcome } from '../gateway.js';

/**
 * The emulator's recent API requests, for `GET /_vn/requests` and the inspector page
 * (inspect/routes.ts): a bounded ring buffer, filled by a request step (pipeline.ts) that watches
 * each API request until its answer has gone out (or its connection was dropped).
 *
 * Recording costs one listener and one small object per request; nothing is formatted or redacted
 * then. What leaves the log (`list`, `subscribe`) is redacted: the process's known secrets, the
 * secret-like parameter names, and the emulator's own access key secrets and STS tokens. The log
 * never holds a secret it was given: it keeps the access key id, never a key's secret, and no
 * parameter values beyond the conversation and instance ids.
 */

/** How many requests the log keeps (the oldest go first). */
export const REQUEST_LOG_SIZE = 500;

/** What the emulator can tell about a request refused with SignatureDoesNotMatch. */
export interface SignatureFailure {
  scheme: 'v1' | 'v3';
  /** The string to sign the emulator computed from the request as it arrived. */
  expected: string | undefined;
  /** V3: the canonical request whose SHA-256 is in `expected`. */
  expectedCanonicalRequest?: string;
  /**
   * The string the client says it signed: only when it sent one in the `x-vn-debug-string-to-sign`
   * header (percent-encoded). A signature (an HMAC) cannot be turned back into what was signed.
   */
  client?: string;
  /** Where `client` first differs from what it is compared with (`expected`, or for a V3 canonical request `expectedCanonicalRequest`). */
  firstDifference?: { comparedWith: 'expected' | 'expectedCanonicalRequest'; char: number; byte: number };
  /** The emulator's message, when it names another cause (a header left unsigned, a body hash). */
  message: string;
  /** The request as received: what every string to sign is computed from. */
  received: { method: string; path: string; query: [string, string][]; headers: [string, string][] };
}

/** One API request as the log shows it. */
export interface LoggedRequest {
  /** Increases by one per request, from 1. */
  seq: number;
  /** ISO 8601 UTC, the emulator's clock. */
  time: string;
  method: string;
  action: string | null;
  version: string | null;
  accessKeyId: string | null;
  /** HTTP status; 0 when the connection was dropped without an answer. */
  status: number;
  /** The error code answered (null: a success). */
  code: string | null;
  requestId: string;
  latencyMs: number;
  instanceId: string | null;
  conversationId: string | null;
  /** The chaos rule that fired for it (the admin API's), if any. */
  firedRule: string | null;
  signature?: SignatureFailure;
}

export interface RequestFilter {
  action?: string;
  /** An HTTP status (`403`), a class (`4xx`), `ok` (below 400) or `error` (400 and above, and dropped). */
  status?: string;
  conversation?: string;
  limit?: number;
}

/** What the log reads of a request on its way through the steps (pipeline.ts Exchange). */
export interface WatchedRequest {
  req: IncomingMessage;
  res: ServerResponse;
  now: number;
  params: Record<string, string>;
  requestId: string;
  outcome: DispatchOutcome | undefined;
  /** What a step threw (answered as an error by the pipeline). */
  error?: unknown;
  /** The chaos rule that fired, as the admin API's chaos step records it. */
  firedRule?: unknown;
}

/**
 * What is kept of a request, taken when its answer has gone out: a few strings (never the request,
 * its body or its parameters), formatted and redacted only when read.
 */
interface Kept {
  seq: number;
  at: number;
  latencyMs: number;
  status: number;
  method: string;
  action: string | undefined;
  version: string | undefined;
  accessKeyId: string | undefined;
  code: string | null;
  requestId: string;
  instanceId: string | undefined;
  conversationId: string | undefined;
  firedRule: unknown;
  signature?: KeptSignature;
}

/** A SignatureDoesNotMatch's material: what the emulator computed, and the request line and headers as received. */
interface KeptSignature {
  scheme: 'v1' | 'v3';
  stringToSign: string | undefined;
  canonicalRequest: string | undefined;
  message: string;
  url: string;
  rawHeaders: string[];
}

export const DEBUG_STRING_TO_SIGN_HEADER = 'x-vn-debug-string-to-sign';

export class RequestLog {
  private readonly ring: (Kept | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly listeners = new Set<(entry: LoggedRequest) => void>();
  /** The emulator's own secrets and the process's, in every encoding, then secret-like names. */
  readonly redact: (text: string) => string;

  constructor(
    ownSecrets: readonly string[],
    readonly size = REQUEST_LOG_SIZE,
  ) {
    this.ring = new Array(size);
    this.redact = redactorFor(ownSecrets);
  }

  /** Watches one API request; it is logged once its answer has gone out or its connection closed. */
  watch(x: WatchedRequest): void {
    const started = performance.now();
    x.res.once('close', () => {
      const kept = keep(x, ++this.seq, performance.now() - started);
      this.ring[this.next] = kept;
      this.next = (this.next + 1) % this.size;
      if (this.listeners.size === 0) return;
      const entry = this.entry(kept);
      for (const l of this.listeners) l(entry);
    });
  }

  /** The requests that match, newest first. */
  list(filter: RequestFilter = {}): LoggedRequest[] {
    const out: LoggedRequest[] = [];
    const limit = filter.limit ?? this.size;
    const status = statusTest(filter.status);
    for (let i = 1; i <= this.size && out.length < limit; i++) {
      const kept = this.ring[(this.next - i + this.size) % this.size];
      if (kept === undefined) break;
      if (!status(kept.status)) continue;
      if (filter.action !== undefined && kept.action !== filter.action) continue;
      if (filter.conversation !== undefined && kept.conversationId !== filter.conversation) continue;
      out.push(this.entry(kept));
    }
    return out;
  }

  /** Calls `listener` with each request logged from now on (server-sent events); returns the unsubscribe. */
  subscribe(listener: (entry: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private entry(k: Kept): LoggedRequest {
    const r = this.redact;
    const text = (v: string | undefined) => (v === undefined || v === '' ? null : r(v));
    const entry: LoggedRequest = {
      seq: k.seq,
      time: new Date(k.at).toISOString(),
      method: k.method,
      action: text(k.action),
      version: text(k.version),
      accessKeyId: text(k.accessKeyId),
      status: k.status,
      code: k.code === null ? null : r(k.code),
      requestId: r(k.requestId),
      latencyMs: Math.round(k.latencyMs * 10) / 10,
      instanceId: text(k.instanceId),
      conversationId: text(k.conversationId),
      firedRule: k.firedRule === undefined || k.firedRule === null ? null : r(ruleText(k.firedRule)),
    };
    if (k.signature) entry.signature = this.signatureFailure(k.method, k.signature);
    return entry;
  }

  private signatureFailure(method: string, s: KeptSignature): SignatureFailure {
    const r = this.redact;
    const url = new URL(s.url, 'http://emulator');
    const query = [...url.searchParams].sort(byName).map(([k, v]): [string, string] => [r(k), r(v)]);
    const headers: [string, string][] = [];
    let sent: string | undefined;
    for (let i = 0; i + 1 < s.rawHeaders.length; i += 2) {
      const name = (s.rawHeaders[i] as string).toLowerCase();
      const value = s.rawHeaders[i + 1] as string;
      if (name === DEBUG_STRING_TO_SIGN_HEADER) sent = value;
      headers.push([name, value]);
    }
    headers.sort(byName);
    const failure: SignatureFailure = {
      scheme: s.scheme,
      expected: s.stringToSign === undefined ? undefined : r(s.stringToSign),
      message: r(s.message),
      received: { method, path: r(url.pathname), query, headers: headers.map(([k, v]) => [r(k), r(v)]) },
    };
    if (s.canonicalRequest !== undefined) failure.expectedCanonicalRequest = r(s.canonicalRequest);
    if (sent !== undefined) {
      let client: string;
      try {
        client = decodeURIComponent(sent);
      } catch {
        client = sent;
      }
      failure.client = r(client);
      if (s.stringToSign !== undefined) {
        // a V3 client may send its canonical request (it has newlines) or its string to sign
        const againstCanonical = s.canonicalRequest !== undefined && !client.startsWith('ACS3-');
        const theirs = againstCanonical ? (s.canonicalRequest as string) : s.stringToSign;
        const at = firstDifference(client, theirs);
        if (at !== undefined) failure.firstDifference = { comparedWith: againstCanonical ? 'expectedCanonicalRequest' : 'expected', ...at };
      }
    }
    return failure;
  }
}

/** The few strings the log keeps of a request once answered. */
function keep(x: WatchedRequest, seq: number, latencyMs: number): Kept {
  const status = x.res.writableFinished ? x.res.statusCode : 0;
  const err = x.error instanceof ApiError ? x.error : x.outcome instanceof ApiError ? x.outcome : undefined;
  const v3 = headerOf(x.req, 'authorization')?.startsWith('ACS3-') === true;
  const kept: Kept = {
    seq,
    at: x.now,
    latencyMs,
    status,
    method: x.req.method ?? '',
    action: actionOf(x, v3),
    version: (v3 ? headerOf(x.req, 'x-acs-version') : undefined) ?? x.params.Version,
    accessKeyId: v3 ? /Credential=([^,\s]+)/.exec(headerOf(x.req, 'authorization') ?? '')?.[1] : x.params.AccessKeyId,
    code: err?.code ?? (status >= 400 ? `HTTP ${status}` : status === 0 ? 'ConnectionDropped' : null),
    requestId: x.requestId,
    instanceId: x.params.InstanceId,
    conversationId: conversationOf(x),
    firedRule: x.firedRule,
  };
  if (err?.code === 'SignatureDoesNotMatch') {
    kept.signature = {
      scheme: v3 ? 'v3' : 'v1',
      stringToSign: err instanceof SignatureMismatch ? err.stringToSign : undefined,
      canonicalRequest: err instanceof SignatureMismatch ? err.canonicalRequest : undefined,
      message: err.message,
      url: x.req.url ?? '/',
      rawHeaders: x.req.rawHeaders,
    };
  }
  return kept;
}

/** Where two strings first differ (undefined when equal): the UTF-16 index and the UTF-8 byte offset. */
export function firstDifference(a: string, b: string): { char: number; byte: number } | undefined {
  if (a === b) return undefined;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // not inside a surrogate pair: step back to its first half
  if (i > 0 && i < n && isHighSurrogate(a.charCodeAt(i - 1))) i--;
  return { char: i, byte: Buffer.byteLength(a.slice(0, i), 'utf8') };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function byName(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function actionOf(x: WatchedRequest, v3: boolean): string | undefined {
  if (x.outcome !== undefined && !(x.outcome instanceof ApiError)) return x.outcome.action;
  return (v3 ? headerOf(x.req, 'x-acs-action') : undefined) ?? x.params.Action;
}

/** The conversation a request names, or the one it began (BeginDialogue answers with its id). */
function conversationOf(x: WatchedRequest): string | undefined {
  if (x.params.ConversationId) return x.params.ConversationId;
  const body = x.outcome !== undefined && !(x.outcome instanceof ApiError) ? x.outcome.body : undefined;
  const id = body?.ConversationId;
  return typeof id === 'string' ? id : undefined;
}

function ruleText(rule: unknown): string {
  if (typeof rule === 'string') return rule;
  try {
    return JSON.stringify(rule);
  } catch {
    return String(rule);
  }
}

function statusTest(status: string | undefined): (s: number) => boolean {
  if (status === undefined || status === '') return () => true;
  const s = status.toLowerCase();
  if (s === 'ok') return (v) => v > 0 && v < 400;
  if (s === 'error') return (v) => v === 0 || v >= 400;
  if (/^[1-5]xx$/.test(s)) {
    const hundred = Number(s[0]) * 100;
    return (v) => v >= hundred && v < hundred + 100;
  }
  const n = Number(s);
  return (v) => v === n;
}

/** Checks a filter's values (from a query string); one message per problem. */
export function parseFilter(q: URLSearchParams): { filter: RequestFilter; problems: string[] } {
  const problems: string[] = [];
  const filter: RequestFilter = {};
  for (const key of q.keys())
    if (!['action', 'status', 'conversation', 'limit'].includes(key)) problems.push(`unknown parameter ${key} (use action, status, conversation, limit)`);
  const action = q.get('action');
  if (action) filter.action = action;
  const conversation = q.get('conversation');
  if (conversation) filter.conversation = conversation;
  const status = q.get('status');
  if (status) {
    if (/^(ok|error|[1-5]xx|0|[1-5]\d\d)$/i.test(status)) filter.status = status;
    else problems.push(`status must be an HTTP status (403), a class (4xx), ok or error; got ${JSON.stringify(status.slice(0, 40))}`);
  }
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (Number.isInteger(n) && n >= 1 && n <= REQUEST_LOG_SIZE) filter.limit = n;
    else problems.push(`limit must be a whole number from 1 to ${REQUEST_LOG_SIZE}; got ${JSON.stringify(limit.slice(0, 40))}`);
  }
  return { filter, problems };
}
