import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ActionSpec, API_VERSION, findAction } from '../api/catalog.js';
import { type ParamIssue, validateParams } from '../api/validate.js';
import { toXml } from '../output/xml.js';
import type { ActionContext, ActionHandler, EmulatorState, FileRoute } from './actions/types.js';
import { type AccessKey, allowedByPolicy, claimedAction, NonceStore, verifyRequest } from './auth.js';
import { type Database, openDatabase } from './db.js';
import { ApiError } from './errors.js';
import { checkFileUrl } from './files.js';
import { Params } from './params.js';

export interface EmulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** SQLite file (':memory:' for a throw-away state). */
  dataFile: string;
  accessKeys: AccessKey[];
  /** YAML or JSON file of chatbot definitions; the built-in demo bank bot when absent. */
  chatbotsFile?: string;
  latencyMs?: number;
  /** Share of requests (0..1) answered with a random fault. */
  faultRate?: number;
  /** Clock (tests move it). */
  now?: () => number;
  /** Base URL to put in the URLs it hands out, when it differs from the listening address. */
  publicUrl?: string;
}

export interface EmulatorHandle {
  url: string;
  port: number;
  state: EmulatorState;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

/** seed: every action's error table, InternalServerError (500). */
const SEED_INTERNAL_ERROR = 'An error occurred while processing your request. Please try again later. Submit a ticket if the error still exists.';

interface RequestInput {
  method: string;
  /** Query and form parameters merged. */
  params: Record<string, string>;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  now: number;
  requestId: string;
  /** True when the request runs inside a write transaction (a change): its nonce is recorded at once. */
  inWriteTransaction: boolean;
}

export async function startEmulator(opts: EmulatorOptions): Promise<EmulatorHandle> {
  const db = await openDatabase(opts.dataFile);
  const { handlers, fileRoutes } = await (await import('./actions/index.js')).loadHandlers();
  const keys = new Map(opts.accessKeys.map((k) => [k.id, k]));
  const now = opts.now ?? Date.now;
  const state: EmulatorState = { db, baseUrl: '', fileKey: fileKeyOf(db), options: opts, extras: new Map() };
  if (opts.chatbotsFile) {
    // a broken chatbots file is refused at start, not at the first dialogue
    try {
      (await import('./chatbots.js')).chatbotCatalog(state);
    } catch (err) {
      db.close();
      throw err;
    }
  }
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let idleResolve: (() => void) | undefined;

  // built once: creating a better-sqlite3 transaction function costs more than running one
  const nonces = new NonceStore(db);
  const inSavepoint = db.transaction((handler: ActionHandler, ctx: ActionContext) => handler(ctx));
  const changes = groupCommit(db, answer);

  const server: Server = createServer((req, res) => {
    void serve(req, res);
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight++;
    try {
      await handle(req, res);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const apiError =
        err instanceof ApiError
          ? err
          : new ApiError('InternalError', `The request processing has failed due to some unknown error. ${(err as Error).message}`, 500);
      sendError(res, 'JSON', apiError, randomRequestId());
    } finally {
      inFlight--;
      if (inFlight === 0) idleResolve?.();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const t = now();
    let query: Record<string, string>;
    if (target === '/' || (target.startsWith('/?') && !target.includes('#'))) {
      // an API call (always to "/"): its query read without building a URL (bench/emulator)
      query = target.length > 2 ? paramsOf(new URLSearchParams(target.slice(2))) : {};
    } else {
      const url = new URL(target, 'http://emulator');
      if (req.method === 'GET' && url.pathname !== '/' && url.pathname !== '') {
        return serveFile(res, url, t);
      }
      query = Object.fromEntries(url.searchParams);
    }
    const raw = hasBody(req) ? await readBody(req) : NO_BODY;
    const form: Record<string, string> = {};
    const ctype = String(req.headers['content-type'] ?? '');
    if (raw.length > 0 && (ctype.includes('application/x-www-form-urlencoded') || ctype === '')) {
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) form[k] = v;
    }
    const params: Record<string, string> = { ...query, ...form };
    const format = String(params.Format ?? 'JSON').toUpperCase() === 'XML' ? 'XML' : 'JSON';
    const requestId = randomRequestId();
    if (opts.latencyMs) await sleep(opts.latencyMs);
    if (opts.faultRate && Math.random() < opts.faultRate) return injectFault(res, format, requestId);
    if (req.method !== 'GET' && req.method !== 'POST') {
      return sendError(res, format, new ApiError('UnsupportedHTTPMethod', `HTTP method ${req.method} is not supported.`, 405), requestId);
    }
    let outcome: { body: Record<string, unknown>; action: string } | ApiError;
    try {
      const input: RequestInput = { method: req.method as string, params, query, headers: req.headers, raw, now: t, requestId, inWriteTransaction: false };
      // a change runs in an IMMEDIATE transaction (shared by a group commit) with its nonce; a read needs no write lock
      const named = findAction(claimedAction(params, req.headers) ?? '');
      outcome = named && !named.readOnly ? await changes.submit({ ...input, inWriteTransaction: true }) : answer(input);
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, format, err, requestId);
      throw err;
    }
    if (outcome instanceof ApiError) return sendError(res, format, outcome, requestId);
    sendOk(res, format, outcome.action, { RequestId: requestId, ...outcome.body });
  }

  /**
   * Verifies and runs one request (a change inside its own savepoint of a group commit). A refusal
   * before the nonce is recorded (bad signature, unknown key, clock) is thrown, rolling all of the
   * request back; any error after it is returned, so the nonce stays used, as at the gateway.
   */
  function answer(input: RequestInput): { body: Record<string, unknown>; action: string } | ApiError {
    const { method, params, query, headers, raw, now: t, requestId } = input;
    const bodyHash = () => createHash('sha256').update(raw).digest('hex');
    const who = verifyRequest({ method, params, query, headers, bodyHash }, keys, nonces, t, {
      inWriteTransaction: input.inWriteTransaction,
    });
    try {
      if (who.version !== API_VERSION) {
        throw new ApiError('InvalidVersion', `Specified parameter Version is not valid. Supported: ${API_VERSION}.`, 400);
      }
      const action = findAction(who.action);
      const handler = action ? (handlers[action.name] as ActionHandler | undefined) : undefined;
      if (!action || !handler) throw new ApiError('InvalidAction.NotFound', `Specified api is not found, please check your url and method.`, 404);
      if (!allowedByPolicy(who.policy, action)) {
        throw new ApiError(
          'Forbidden.RAM',
          `User not authorized to operate on the specified resource, or this API doesn't support RAM. (voicebot:${action.name})`,
          403,
        );
      }
      const actionParams = pickActionParams(params, actionParamNames(action));
      const issues = validateParams(action, actionParams, { allowUnknown: true });
      const refusal = paramRefusal(issues);
      if (refusal) {
        // the SDK-envelope actions (GetAsrConfig, …) answer even a refusal inside their envelope
        if (action.envelope)
          return { body: { Code: refusal.code, Success: false, HttpStatusCode: refusal.httpStatus, ErrorMsg: refusal.message }, action: action.name };
        throw refusal;
      }
      const ctx = { state, db, action, params: new Params(actionParams), now: t, requestId, accessKeyId: who.accessKeyId };
      // a change that fails half-way is undone to a savepoint; the recorded nonce stays
      const body = action.readOnly ? handler(ctx) : inSavepoint(handler, ctx);
      return { body, action: action.name };
    } catch (err) {
      if (err instanceof ApiError) return err;
      throw err;
    }
  }

  function serveFile(res: ServerResponse, url: URL, t: number): void {
    const verdict = checkFileUrl(state, url, t);
    if (verdict !== 'ok') {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${verdict === 'expired' ? 'AccessDenied' : 'SignatureDoesNotMatch'}</Code><Message>${verdict === 'expired' ? 'Request has expired.' : 'The request signature we calculated does not match the signature you provided.'}</Message></Error>`,
      );
      return;
    }
    for (const route of fileRoutes as FileRoute[]) {
      const file = route(state, url, t);
      if (file) {
        const headers: Record<string, string | number> = { 'content-type': file.contentType, 'content-length': file.body.length };
        if (file.fileName) headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`;
        res.writeHead(file.status, headers);
        res.end(file.body);
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
  }

  function injectFault(res: ServerResponse, format: 'JSON' | 'XML', requestId: string): void {
    const pick = Math.floor(Math.random() * 3);
    // the service's own 500 as the seed lists it for 27 actions
    if (pick === 0) sendError(res, format, new ApiError('InternalServerError', SEED_INTERNAL_ERROR, 500), requestId);
    else if (pick === 1) sendError(res, format, new ApiError('Throttling.User', 'Request was denied due to user flow control.', 503), requestId);
    else res.socket?.destroy();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  state.baseUrl = opts.publicUrl ?? url;
  let closed = false;
  return {
    url,
    port: addr.port,
    state,
    async close() {
      if (closed) return;
      closed = true;
      // stop accepting; let in-flight requests finish; then drop idle keep-alive sockets
      const done = new Promise<void>((r) => server.close(() => r()));
      if (inFlight > 0) await new Promise<void>((r) => (idleResolve = r));
      for (const s of sockets) s.destroy();
      await done;
      try {
        nonces.close();
      } finally {
        db.close();
      }
    },
  };
}

/** At most this many changes share one commit, so a batch stays short and its answers leave soon. */
const MAX_BATCH = 64;

interface PendingChange<T> {
  input: RequestInput;
  resolve(outcome: T): void;
  reject(err: unknown): void;
}

/**
 * Group commit: the changes that arrive in one turn of the event loop (up to MAX_BATCH) run in ONE
 * `BEGIN IMMEDIATE` transaction, each inside its own savepoint, and share its COMMIT — the commit
 * (WAL writes and file locks) was the largest part of a change's cost (bench/emulator). A request
 * that throws rolls back to its savepoint only (its nonce included, as in a transaction of its
 * own); the others stay. No answer leaves before the COMMIT has succeeded, and when the batch's
 * transaction fails every request that wrote in it gets the error the lone transaction would have
 * given. Other processes see the whole batch or none of it.
 */
function groupCommit<T>(db: Database, run: (input: RequestInput) => T): { submit(input: RequestInput): Promise<T> } {
  let queue: PendingChange<T>[] = [];
  let scheduled = false;
  const inOwnSavepoint = db.transaction((input: RequestInput) => run(input));
  const runBatch = db.transaction((batch: PendingChange<T>[], results: ({ ok: T } | { thrown: unknown })[]) => {
    for (const change of batch) {
      // a savepoint outside a transaction would begin and commit one of its own, out of the batch
      if (!db.inTransaction) throw new Error('The batch transaction was rolled back by the database.');
      try {
        results.push({ ok: inOwnSavepoint(change.input) });
      } catch (err) {
        results.push({ thrown: err });
      }
    }
  });

  function runQueued(): void {
    const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
    queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
    // the rest waits for the next turn, so this batch's answers leave first
    if (queue.length > 0) setImmediate(runQueued);
    else scheduled = false;
    const results: ({ ok: T } | { thrown: unknown })[] = [];
    let failure: { err: unknown } | undefined;
    try {
      runBatch.immediate(batch, results);
    } catch (err) {
      failure = { err };
    }
    batch.forEach((change, i) => {
      const result = results[i];
      // a request that threw was rolled back to its savepoint: its answer needs no commit
      if (result && 'thrown' in result) change.reject(result.thrown);
      else if (failure || !result) change.reject(failure?.err);
      else change.resolve(result.ok);
    });
  }

  return {
    submit(input) {
      return new Promise<T>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(runQueued);
        }
      });
    },
  };
}

const paramNames = new WeakMap<ActionSpec, Set<string>>();
function actionParamNames(action: ActionSpec): Set<string> {
  let names = paramNames.get(action);
  if (!names) {
    names = new Set(action.params.map((p) => p.name));
    paramNames.set(action, names);
  }
  return names;
}

/** The request's parameters that belong to the action (repeat-list Name.N included), without the common ones. */
function pickActionParams(all: Record<string, string>, names: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in all) {
    const last = k.charCodeAt(k.length - 1);
    // only a name ending in a digit can be a repeat-list Name.N
    if (names.has(k) || (last >= 48 && last <= 57 && names.has(k.replace(/\.\d+$/, '')))) out[k] = all[k] as string;
  }
  return out;
}

/** Object.fromEntries(params): the last of a repeated name wins. */
function paramsOf(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of search) out[k] = v;
  return out;
}

const NO_BODY = Buffer.alloc(0);

/** A request has a body only with Content-Length (not 0) or Transfer-Encoding (RFC 9112 6.3); none is waited for otherwise. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function fileKeyOf(db: Database): Buffer {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'file_key'").get() as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'hex');
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('file_key', ?)").run(randomBytes(32).toString('hex'));
  return fileKeyOf(db);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // past the limit the rest is read and dropped, so the client still gets an answer
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () =>
      size > MAX_BODY
        ? reject(new ApiError('RequestTooLarge', 'The request body is too large.', 413))
        : resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

export function randomRequestId(): string {
  return randomUUID().toUpperCase();
}

/** The seed's codes for what the shared validator found: MissingX, else InvalidParameter (HTTP 400). */
function paramRefusal(issues: ParamIssue[]): ApiError | undefined {
  const missing = issues.find((i) => i.kind === 'missing');
  if (missing) return new ApiError(`Missing${missing.param}`, `${missing.param} is mandatory for this action.`, 400);
  const invalid = issues.find((i) => i.kind === 'invalid');
  if (invalid) return new ApiError('InvalidParameter', `The specified parameter ${invalid.param} is invalid. ${invalid.reason}.`, 400);
  return undefined;
}

function sendOk(res: ServerResponse, format: 'JSON' | 'XML', action: string, body: Record<string, unknown>): void {
  if (format === 'XML') send(res, 200, 'text/xml;charset=utf-8', toXml(body, `${action}Response`));
  else send(res, 200, 'application/json;charset=utf-8', JSON.stringify(body));
}

function sendError(res: ServerResponse, format: 'JSON' | 'XML', err: ApiError, requestId: string): void {
  const body = { RequestId: requestId, HostId: 'voicenavigator.emulator', Code: err.code, Message: err.message, Recommend: '' };
  if (format === 'XML') send(res, err.httpStatus, 'text/xml;charset=utf-8', toXml(body, 'Error'));
  else send(res, err.httpStatus, 'application/json;charset=utf-8', JSON.stringify(body));
}

/** With its Content-Length, as the gateway answers: headers and body leave in one write, not as chunks. */
function send(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
