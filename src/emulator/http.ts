import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FileRoute } from './actions/types.js';
import { NonceStore } from './auth.js';
import { type Database, openDatabase } from './db.js';
import { ApiError } from './errors.js';
import { checkFileUrl } from './files.js';
import { createGateway, type Outcome, type RequestInput } from './gateway.js';
import { groupCommit } from './group-commit.js';
import type { EmulatorOptions } from './options.js';
import type { EmulatorState } from './state.js';
import { checkUploadStart, MAX_FORM_FIELDS_BYTES, MAX_UPLOAD_BYTES, receiveUpload, UPLOAD_PATH, type UploadAnswer } from './uploads.js';
import { serviceXml } from './xml.js';

/**
 * The emulator's HTTP side and its lifecycle: it listens, reads each request into the gateway's
 * input (gateway.ts), runs a change through the group commit (group-commit.ts), writes the answer
 * as the service would (JSON or XML), serves the signed file URLs it hands out, and closes cleanly.
 */

export type { EmulatorOptions } from './options.js';

export interface EmulatorHandle {
  url: string;
  port: number;
  state: EmulatorState;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
/**
 * The request line and headers may take this much: the SDKs put every action parameter in the
 * query (POST included), so a long one (a JSON VoiceSliceRecordingList, an utterance) makes a long
 * URL. Node's default, 16 KiB, refused those with a bare 431. Beyond this limit the answer is
 * an API error (RequestTooLarge, 414) that clients can parse. (docs/emulator.md)
 */
export const MAX_HEAD = 1 << 20;
/**
 * The header fields alone (the request line aside) may take Node's default maxHeaderSize, 16 KiB:
 * no client needs more, and beyond it the answer is Node's own, a bare 431 that closes the
 * connection. (Node's parser counts the request line too, so its limit is set to MAX_HEAD above
 * and this one is checked here.)
 */
export const MAX_HEADER_FIELDS = 16 << 10;

/** Whether the header fields, as they came (`Name: value` CRLF each), take more than MAX_HEADER_FIELDS. */
function headerFieldsTooLarge(raw: string[]): boolean {
  let size = 0;
  for (let i = 0; i < raw.length; i++) size += (raw[i] as string).length + 2;
  return size > MAX_HEADER_FIELDS;
}

/** seed: every action's error table, InternalServerError (500). */
const SEED_INTERNAL_ERROR = 'An error occurred while processing your request. Please try again later. Submit a ticket if the error still exists.';

export async function startEmulator(opts: EmulatorOptions): Promise<EmulatorHandle> {
  const db = await openDatabase(opts.dataFile);
  const { handlers, fileRoutes } = await (await import('./actions/index.js')).loadHandlers();
  const keys = new Map(opts.accessKeys.map((k) => [k.id, k]));
  const now = opts.now ?? Date.now;
  const state: EmulatorState = { db, baseUrl: '', fileKey: fileKeyOf(db), options: opts, extras: new Map() };
  if (opts.chatbotsFile) {
    // a broken chatbots file is refused at start, not at the first dialogue
    try {
      (await import('./chatbots/load.js')).chatbotCatalog(state);
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
  const tokens = new Map((opts.stsTokens ?? []).map((t) => [t.token, t]));
  const gateway = createGateway({ state, db, handlers, keys, nonces, tokens });
  const changes = groupCommit<RequestInput, Outcome>(db, gateway.answer);

  const server: Server = createServer({ maxHeaderSize: MAX_HEAD }, (req, res) => {
    void serve(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
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
    if (headerFieldsTooLarge(req.rawHeaders)) {
      // what Node answers to a head over its default maxHeaderSize, before any of the body is read
      res.writeHead(431, { connection: 'close' });
      res.end();
      return;
    }
    const target = req.url ?? '/';
    const t = now();
    let query: Record<string, string>;
    if (target === '/' || (target.startsWith('/?') && !target.includes('#'))) {
      // an API call (always to "/"): its query read without building a URL (bench/emulator)
      query = target.length > 2 ? paramsOf(new URLSearchParams(target.slice(2))) : {};
    } else {
      const url = new URL(target, 'http://emulator');
      if (url.pathname === UPLOAD_PATH) return serveUpload(req, res, t);
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
    let outcome: Outcome;
    try {
      const input: RequestInput = { method: req.method as string, params, query, headers: req.headers, raw, now: t, requestId, inWriteTransaction: false };
      // a change runs in an IMMEDIATE transaction (shared by a group commit) with its nonce; a read needs no write lock
      outcome = gateway.isChange(params, req.headers) ? await changes.submit({ ...input, inWriteTransaction: true }) : gateway.answer(input);
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, format, err, requestId);
      throw err;
    }
    if (outcome instanceof ApiError) return sendError(res, format, outcome, requestId);
    sendOk(res, format, outcome.action, { RequestId: requestId, ...outcome.body });
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

  /** The bucket side of GenerateUploadUrl: a PostObject form posted to Data.Host (emulator/uploads.ts). */
  async function serveUpload(req: IncomingMessage, res: ServerResponse, t: number): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'application/xml', allow: 'POST' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>MethodNotAllowed</Code><Message>The specified method is not allowed against this resource.</Message></Error>',
      );
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > UPLOAD_BODY_LIMIT) {
      // refused on its Content-Length alone: nothing of it is read, and the connection closes
      return writeUploadAnswer(res, entityTooLarge(), true);
    }
    const read = hasBody(req) ? await readUploadBody(req, (start, complete) => checkUploadStart(state, contentType, start, t, complete)) : { raw: NO_BODY };
    if ('refused' in read) return writeUploadAnswer(res, read.refused, read.close);
    writeUploadAnswer(res, await receiveUpload(state, contentType, read.raw, t), false);
  }

  function writeUploadAnswer(res: ServerResponse, answer: UploadAnswer, close: boolean): void {
    const headers: Record<string, string | number> = { 'content-type': answer.contentType, 'content-length': answer.body.length };
    if (answer.etag) headers.etag = answer.etag;
    if (close) headers.connection = 'close';
    res.writeHead(answer.status, headers);
    res.end(answer.body);
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

function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // past the limit the rest is read and dropped, so the client still gets an answer
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () =>
      size > limit
        ? reject(new ApiError('RequestTooLarge', 'The request body is too large.', 413))
        : resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

/** A PostObject body may hold the largest file and the form's fields before it. */
const UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + MAX_FORM_FIELDS_BYTES;

function entityTooLarge(): UploadAnswer {
  return {
    status: 400,
    contentType: 'application/xml',
    body: Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size.</Message></Error>',
    ),
  };
}

/**
 * Reads a PostObject body, asking `check` about what has arrived until the form's fields are in
 * (emulator/uploads.ts checkUploadStart): an upload that is not allowed is answered after its
 * first few KiB, and only an allowed one is kept in memory, up to UPLOAD_BODY_LIMIT. The rest of
 * a refused body is read and dropped (so the client, still sending, gets the answer), up to the
 * same limit; past it the connection closes.
 */
function readUploadBody(
  req: IncomingMessage,
  check: (start: Buffer, complete: boolean) => 'wait' | 'ok' | UploadAnswer,
): Promise<{ raw: Buffer } | { refused: UploadAnswer; close: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let verdict: 'wait' | 'ok' | UploadAnswer = 'wait';
    let settled = false;
    const refuse = (answer: UploadAnswer, close: boolean) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      resolve({ refused: answer, close });
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (settled) {
        // a refused body is dropped as it comes; past the limit the connection is closed
        if (size > UPLOAD_BODY_LIMIT) req.socket.destroy();
        return;
      }
      if (size > UPLOAD_BODY_LIMIT) return refuse(entityTooLarge(), true);
      chunks.push(c);
      if (verdict === 'wait') {
        verdict = check(chunks.length === 1 ? c : Buffer.concat(chunks), false);
        if (typeof verdict === 'object') refuse(verdict, false);
      }
    });
    req.on('end', () => {
      if (settled) return;
      const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      if (verdict === 'wait') verdict = check(raw, true);
      if (typeof verdict === 'object') return refuse(verdict, false);
      settled = true;
      resolve({ raw });
    });
    req.on('error', (err) => {
      if (!settled) reject(err);
    });
  });
}

/**
 * A request Node's parser refused before it reached us. A head over MAX_HEAD gets the API error a
 * client can parse (JSON: the URL, and so Format, was not read); anything else malformed the 400
 * Node would send. Either way the connection closes, as the parser cannot find the next request.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const text = JSON.stringify({
      RequestId: randomRequestId(),
      HostId: 'voicenavigator.emulator',
      Code: 'RequestTooLarge',
      Message: `The request line and headers are too large (over ${MAX_HEAD} bytes); send the parameters in a form body.`,
      Recommend: '',
    });
    socket.end(
      `HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
    return;
  }
  socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
}

export function randomRequestId(): string {
  return randomUUID().toUpperCase();
}

function sendOk(res: ServerResponse, format: 'JSON' | 'XML', action: string, body: Record<string, unknown>): void {
  if (format === 'XML') send(res, 200, 'text/xml;charset=utf-8', serviceXml(body, `${action}Response`));
  else send(res, 200, 'application/json;charset=utf-8', JSON.stringify(body));
}

function sendError(res: ServerResponse, format: 'JSON' | 'XML', err: ApiError, requestId: string): void {
  const body = { RequestId: requestId, HostId: 'voicenavigator.emulator', Code: err.code, Message: err.message, Recommend: '', ...err.extra };
  if (format === 'XML') send(res, err.httpStatus, 'text/xml;charset=utf-8', serviceXml(body, 'Error'));
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
