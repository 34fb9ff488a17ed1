import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileRoute } from './actions/types.js';
import { ApiError } from './errors.js';
import { checkFileUrl } from './files.js';
import type { DispatchOutcome, Gateway, RequestInput } from './gateway.js';
import type { GroupCommit } from './group-commit.js';
import type { EmulatorOptions } from './options.js';
import type { EmulatorState } from './state.js';
import { checkUploadStart, MAX_FORM_FIELDS_BYTES, MAX_UPLOAD_BYTES, receiveUpload, UPLOAD_PATH, type UploadAnswer } from './uploads.js';
import { serviceXml } from './xml.js';

/**
 * The request path: an ordered list of steps (as LocalStack's handler chain and Azurite's
 * listeners are), each taking the request one stage further — bound the head → route (the upload
 * bucket, signed files, the API) → read the parameters (body bounded) → simulate (latency, faults)
 * → allow the method → dispatch (the gateway: authenticate, policy, validate, run; gateway.ts) →
 * serialise. A step that has answered the request returns true, and the ones after it do not run.
 */

/** One request on its way through the steps. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Epoch ms of the request (read once it is routed). */
  now: number;
  /** An API call's query parameters, and its query and form parameters merged. */
  query: Record<string, string>;
  params: Record<string, string>;
  raw: Buffer;
  /** How the answer is written (the Format parameter); undefined until the parameters are read. */
  format: 'JSON' | 'XML' | undefined;
  requestId: string;
  outcome: DispatchOutcome | undefined;
}

/** A step: true when it has answered the request (the chain stops). Throwing an ApiError answers it too. */
export type Step = (x: Exchange) => boolean | undefined | Promise<boolean | undefined>;

/** What the steps work with, built once when the emulator starts. */
export interface PipelineEnv {
  state: EmulatorState;
  options: EmulatorOptions;
  now: () => number;
  gateway: Gateway;
  changes: GroupCommit<RequestInput, DispatchOutcome>;
  fileRoutes: FileRoute[];
  /** Steps before routing that answer paths of their own (the OIDC test token endpoint). */
  routes?: Step[];
  /** Other products on the same port, each answering the API calls that are its own (STS: emulator/sts/). */
  services?: Step[];
}

export function exchange(req: IncomingMessage, res: ServerResponse): Exchange {
  return { req, res, now: 0, query: NO_PARAMS, params: NO_PARAMS, raw: NO_BODY, format: undefined, requestId: '', outcome: undefined };
}

/** Runs the steps in order until one answers; an error a step throws is answered as the service would. */
export async function runSteps(steps: readonly Step[], x: Exchange): Promise<void> {
  try {
    for (const step of steps) {
      let answered = step(x);
      if (answered instanceof Promise) answered = await answered;
      if (answered === true) return;
    }
  } catch (err) {
    if (x.res.headersSent) {
      x.res.destroy();
      return;
    }
    if (err instanceof ApiError && x.format !== undefined) return sendError(x.res, x.format, err, x.requestId);
    const apiError =
      err instanceof ApiError
        ? err
        : new ApiError('InternalError', `The request processing has failed due to some unknown error. ${(err as Error).message}`, 500);
    sendError(x.res, 'JSON', apiError, randomRequestId());
  }
}

/** The steps of every request, in order. */
export function requestSteps(env: PipelineEnv): Step[] {
  return [boundHead, ...(env.routes ?? []), route(env), readParams, simulate(env.options), allowMethod, ...(env.services ?? []), dispatch(env), serialise];
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

/** seed: every action's error table, InternalServerError (500). */
const SEED_INTERNAL_ERROR = 'An error occurred while processing your request. Please try again later. Submit a ticket if the error still exists.';

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_BODY = Buffer.alloc(0);

// --- the steps ------------------------------------------------------------------------------

/** Header fields over MAX_HEADER_FIELDS: what Node answers to a head over its default maxHeaderSize, before any of the body is read. */
const boundHead: Step = (x) => {
  let size = 0;
  const raw = x.req.rawHeaders;
  // as they came: `Name: value` CRLF each
  for (let i = 0; i < raw.length; i++) size += (raw[i] as string).length + 2;
  if (size <= MAX_HEADER_FIELDS) return false;
  x.res.writeHead(431, { connection: 'close' });
  x.res.end();
  return true;
};

/** The upload bucket and the signed files are answered here; an API call (always to "/") goes on with its query. */
function route(env: PipelineEnv): Step {
  return (x) => {
    const target = x.req.url ?? '/';
    x.now = env.now();
    if (target === '/' || (target.startsWith('/?') && !target.includes('#'))) {
      // an API call: its query read without building a URL (bench/emulator)
      x.query = target.length > 2 ? paramsOf(new URLSearchParams(target.slice(2))) : {};
      return false;
    }
    const url = new URL(target, 'http://emulator');
    if (url.pathname === UPLOAD_PATH) return serveUpload(env.state, x).then(() => true);
    if (x.req.method === 'GET' && url.pathname !== '/' && url.pathname !== '') {
      serveFile(env, x, url);
      return true;
    }
    x.query = Object.fromEntries(url.searchParams);
    return false;
  };
}

/** The body (at most MAX_BODY) and its form parameters, merged over the query's; Format and a RequestId. */
const readParams: Step = (x) => {
  if (!hasBody(x.req)) {
    takeParams(x, NO_BODY);
    return false;
  }
  return readBody(x.req).then((raw) => {
    takeParams(x, raw);
    return false;
  });
};

function takeParams(x: Exchange, raw: Buffer): void {
  const form: Record<string, string> = {};
  const ctype = String(x.req.headers['content-type'] ?? '');
  if (raw.length > 0 && (ctype.includes('application/x-www-form-urlencoded') || ctype === '')) {
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) form[k] = v;
  }
  x.raw = raw;
  x.params = { ...x.query, ...form };
  x.format = String(x.params.Format ?? 'JSON').toUpperCase() === 'XML' ? 'XML' : 'JSON';
  x.requestId = randomRequestId();
}

/** The options' latency and random faults (the service's own 500, throttling, a dropped connection). */
function simulate(opts: EmulatorOptions): Step {
  const { latencyMs, faultRate } = opts;
  if (!latencyMs && !faultRate) return () => false;
  return async (x) => {
    if (latencyMs) await sleep(latencyMs);
    if (!faultRate || Math.random() >= faultRate) return false;
    const pick = Math.floor(Math.random() * 3);
    // the service's own 500 as the seed lists it for 27 actions
    if (pick === 0) throw new ApiError('InternalServerError', SEED_INTERNAL_ERROR, 500);
    if (pick === 1) throw new ApiError('Throttling.User', 'Request was denied due to user flow control.', 503);
    x.res.socket?.destroy();
    return true;
  };
}

const allowMethod: Step = (x) => {
  if (x.req.method !== 'GET' && x.req.method !== 'POST') {
    throw new ApiError('UnsupportedHTTPMethod', `HTTP method ${x.req.method} is not supported.`, 405);
  }
  return false;
};

/** The gateway's answer: a change runs in an IMMEDIATE transaction (shared by a group commit) with its nonce; a read needs no write lock. */
function dispatch(env: PipelineEnv): Step {
  return (x) => {
    // answered by another product on this port (env.services)
    if (x.outcome !== undefined) return false;
    const input: RequestInput = {
      method: x.req.method as string,
      params: x.params,
      query: x.query,
      headers: x.req.headers,
      raw: x.raw,
      now: x.now,
      requestId: x.requestId,
      inWriteTransaction: false,
    };
    if (!env.gateway.isChange(x.params, x.req.headers)) {
      x.outcome = env.gateway.answer(input);
      return false;
    }
    input.inWriteTransaction = true;
    return env.changes.submit(input).then((outcome) => {
      x.outcome = outcome;
      return false;
    });
  };
}

/** The outcome as the service writes it (JSON or XML), with the RequestId. */
const serialise: Step = (x) => {
  const { outcome, res } = x;
  const format = x.format ?? 'JSON';
  if (outcome === undefined) throw new Error('the request reached the end of the pipeline without an answer');
  if (outcome instanceof ApiError) sendError(res, format, outcome, x.requestId);
  else sendOk(res, format, outcome.action, { RequestId: x.requestId, ...outcome.body });
  return true;
};

// --- files and uploads -----------------------------------------------------------------------

function serveFile(env: PipelineEnv, x: Exchange, url: URL): void {
  const { res } = x;
  const verdict = checkFileUrl(env.state, url, x.now);
  if (verdict !== 'ok') {
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${verdict === 'expired' ? 'AccessDenied' : 'SignatureDoesNotMatch'}</Code><Message>${verdict === 'expired' ? 'Request has expired.' : 'The request signature we calculated does not match the signature you provided.'}</Message></Error>`,
    );
    return;
  }
  for (const fileRoute of env.fileRoutes) {
    const file = fileRoute(env.state, url, x.now);
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
async function serveUpload(state: EmulatorState, x: Exchange): Promise<void> {
  const { req, res } = x;
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
  const read = hasBody(req) ? await readUploadBody(req, (start, complete) => checkUploadStart(state, contentType, start, x.now, complete)) : { raw: NO_BODY };
  if ('refused' in read) return writeUploadAnswer(res, read.refused, read.close);
  writeUploadAnswer(res, await receiveUpload(state, contentType, read.raw, x.now), false);
}

function writeUploadAnswer(res: ServerResponse, answer: UploadAnswer, close: boolean): void {
  const headers: Record<string, string | number> = { 'content-type': answer.contentType, 'content-length': answer.body.length };
  if (answer.etag) headers.etag = answer.etag;
  if (close) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(answer.body);
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

// --- reading and writing ---------------------------------------------------------------------

/** Object.fromEntries(params): the last of a repeated name wins. */
function paramsOf(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of search) out[k] = v;
  return out;
}

/** A request has a body only with Content-Length (not 0) or Transfer-Encoding (RFC 9112 6.3); none is waited for otherwise. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
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
