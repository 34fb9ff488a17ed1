import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileRoute } from './actions/types.js';
import { claimedAction } from './auth/index.js';
import { type ChaosRules, drawDelay, errorOf, ruleText } from './chaos.js';
import type { EmulatorClock } from './clock.js';
import { ApiError } from './errors.js';
import { checkFileUrl } from './files.js';
import type { DispatchOutcome, Gateway, RequestInput } from './gateway.js';
import type { GroupCommit } from './group-commit.js';
import type { RequestLog } from './inspect/request-log.js';
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
  /** The chaos rules that fired on this request (`r2 DebugDialogue:throttle:0.3:retry-after=2`, several joined by '; '), for the request log. */
  firedRule: string | undefined;
  /** A slow-body rule: the answer's body trickles out over this many ms. */
  slowBodyMs: number | undefined;
  /** What a step threw, answered as an error (the request log reads its code). */
  error?: unknown;
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
  /** The reads, a turn's in one read transaction (group-commit.ts groupRead). */
  reads: GroupCommit<RequestInput, DispatchOutcome>;
  fileRoutes: FileRoute[];
  /** The one clock (virtual with --virtual-clock); `now` is its now. */
  clock: EmulatorClock;
  /** The live fault rules (--chaos, --fault-rate, /_vn/chaos). */
  chaos: ChaosRules;
  /** Epoch ms (wall clock) when the emulator started. */
  startedAt: number;
  /** Whether /_vn/health says ready (false while `--seed` is applied). */
  readiness: { ready: boolean };
  /** The recent API requests (inspect/request-log.ts), shown at /_vn/requests and /_vn/ui. */
  requestLog: RequestLog;
  /** The /_vn/ service endpoints' step (admin/router.ts), answered before anything else is read. */
  admin?: Step;
  /** Steps before routing that answer paths of their own (the OIDC test token endpoint). */
  routes?: Step[];
  /** Other products on the same port, each answering the API calls that are its own (STS: emulator/sts/). */
  services?: Step[];
}

export function exchange(req: IncomingMessage, res: ServerResponse): Exchange {
  return {
    req,
    res,
    now: 0,
    query: NO_PARAMS,
    params: NO_PARAMS,
    raw: NO_BODY,
    format: undefined,
    requestId: '',
    outcome: undefined,
    firedRule: undefined,
    slowBodyMs: undefined,
  };
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
    x.error = err;
    if (x.res.headersSent) {
      x.res.destroy();
      return;
    }
    if (err instanceof ApiError && x.format !== undefined) return sendError(x.res, x.format, err, x.requestId, x.slowBodyMs);
    const apiError =
      err instanceof ApiError
        ? err
        : new ApiError('InternalError', `The request processing has failed due to some unknown error. ${(err as Error).message}`, 500);
    sendError(x.res, 'JSON', apiError, randomRequestId());
  }
}

/** The steps of every request, in order. */
export function requestSteps(env: PipelineEnv): Step[] {
  return [
    boundHead,
    // the OIDC test token endpoint (emulator/sts/) answers its own /_vn/ path before the admin router
    ...(env.routes ?? []),
    ...(env.admin ? [env.admin] : []),
    route(env),
    recordRequest(env.requestLog),
    readParams,
    simulate(env),
    allowMethod,
    ...(env.services ?? []),
    dispatch(env),
    serialise,
  ];
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

/** Every API request goes into the request log once answered (or dropped). */
function recordRequest(log: RequestLog): Step {
  return (x) => {
    log.watch(x);
    return false;
  };
}

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

/**
 * The options' latency, then the chaos rules that fire (chaos.ts): latency and a slow body add up,
 * and the first error, throttling, dropped connection or random fault answers the request.
 */
function simulate(env: PipelineEnv): Step {
  const { latencyMs } = env.options;
  const { chaos } = env;
  // no latency and no rule (the usual case): the step answers at once, without a promise (bench/emulator)
  return (x) => (latencyMs || chaos.rules.length > 0 ? simulateOne(x) : false);
  async function simulateOne(x: Exchange): Promise<boolean> {
    if (latencyMs) await sleep(latencyMs);
    if (chaos.rules.length === 0) return false;
    const action = claimedAction(x.params, x.req.headers);
    const fired = chaos.fire(action, x.params.InstanceId);
    const seen: string[] = [];
    try {
      for (const rule of fired) {
        seen.push(`${rule.id} ${ruleText(rule)}`);
        const e = rule.effect;
        if (e.kind === 'latency') await sleep(drawDelay(e.delay));
        else if (e.kind === 'slow-body') x.slowBodyMs = (x.slowBodyMs ?? 0) + drawDelay(e.delay);
        else if (e.kind === 'error') {
          const { http, message } = errorOf(action as string, e.code);
          throw new ApiError(e.code, message, http);
        } else if (e.kind === 'throttle') {
          if (e.retryAfter !== undefined) {
            // RFC 9110's seconds, and the gateway's own header in ms (what the official SDKs read: ThrottlingError.retryAfter)
            x.res.setHeader('retry-after', String(e.retryAfter));
            x.res.setHeader('x-acs-retry-after', String(e.retryAfter * 1000));
          }
          throw new ApiError('Throttling.User', THROTTLED, 503);
        } else if (e.kind === 'drop') {
          x.res.socket?.destroy();
          return true;
        } else {
          const pick = Math.floor(Math.random() * 3);
          // the service's own 500 as the seed lists it for 27 actions
          if (pick === 0) throw new ApiError('InternalServerError', SEED_INTERNAL_ERROR, 500);
          if (pick === 1) throw new ApiError('Throttling.User', THROTTLED, 503);
          x.res.socket?.destroy();
          return true;
        }
      }
    } finally {
      if (seen.length > 0) x.firedRule = seen.join('; ');
    }
    return false;
  }
}

const THROTTLED = 'Request was denied due to user flow control.';

const allowMethod: Step = (x) => {
  if (x.req.method !== 'GET' && x.req.method !== 'POST') {
    throw new ApiError('UnsupportedHTTPMethod', `HTTP method ${x.req.method} is not supported.`, 405);
  }
  return false;
};

/** The gateway's answer: a change runs in an IMMEDIATE transaction (shared by a group commit) with its nonce; a read in a read transaction shared with the turn's other reads (no write lock). */
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
      ...(env.clock.virtual ? { wallNow: env.clock.wallNow() } : {}),
      requestId: x.requestId,
      inWriteTransaction: false,
    };
    if (env.gateway.isChange(x.params, x.req.headers)) input.inWriteTransaction = true;
    return (input.inWriteTransaction ? env.changes : env.reads).submit(input).then((outcome) => {
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
  if (outcome instanceof ApiError) sendError(res, format, outcome, x.requestId, x.slowBodyMs);
  else sendOk(res, format, outcome.action, { RequestId: x.requestId, ...outcome.body }, x.slowBodyMs);
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

function sendOk(res: ServerResponse, format: 'JSON' | 'XML', action: string, body: Record<string, unknown>, slowMs?: number): void {
  if (format === 'XML') send(res, 200, 'text/xml;charset=utf-8', serviceXml(body, `${action}Response`), slowMs);
  else send(res, 200, 'application/json;charset=utf-8', JSON.stringify(body), slowMs);
}

function sendError(res: ServerResponse, format: 'JSON' | 'XML', err: ApiError, requestId: string, slowMs?: number): void {
  const body = { RequestId: requestId, HostId: 'voicenavigator.emulator', Code: err.code, Message: err.message, Recommend: '', ...err.extra };
  if (format === 'XML') send(res, err.httpStatus, 'text/xml;charset=utf-8', serviceXml(body, 'Error'), slowMs);
  else send(res, err.httpStatus, 'application/json;charset=utf-8', JSON.stringify(body), slowMs);
}

/**
 * With its Content-Length, as the gateway answers: headers and body leave in one write, not as
 * chunks — unless a slow-body rule fired: then the body leaves in SLOW_PIECES pieces spread over `slowMs`.
 */
function send(res: ServerResponse, status: number, contentType: string, text: string, slowMs?: number): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  if (!slowMs) {
    res.end(text);
    return;
  }
  const bytes = Buffer.from(text);
  const size = Math.max(1, Math.ceil(bytes.length / SLOW_PIECES));
  let at = 0;
  const next = () => {
    if (res.destroyed) return;
    const piece = bytes.subarray(at, at + size);
    at += size;
    if (at >= bytes.length) res.end(piece);
    else {
      res.write(piece);
      setTimeout(next, slowMs / SLOW_PIECES);
    }
  };
  res.flushHeaders();
  setTimeout(next, slowMs / SLOW_PIECES);
}

const SLOW_PIECES = 10;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
