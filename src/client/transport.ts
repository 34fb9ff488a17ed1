import type { Agent, Dispatcher } from 'undici';
import { NetworkError } from '../errors.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  connectTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The HTTP seam: what the clients (src/client/client.ts, src/client/http.ts) send requests through.
 * `undiciTransport` is production's; tests register stubs on test/helpers/httpmock.ts instead. A
 * failure is a NetworkError saying whether the request may have arrived (maybeDelivered).
 */
export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Loads and opens what sending needs ahead of a timed run (module loading is not per-request work). */
  prepare?(connectTimeoutMs: number): Promise<void>;
  close?(): Promise<void>;
}

let agent: Agent | undefined;
let undiciMod: typeof import('./undici.js') | undefined;

/** One keep-alive Agent for the process (loaded lazily: undici stays off the start-up path). */
async function getAgent(connectTimeoutMs: number): Promise<{ agent: Agent; undici: typeof import('./undici.js') }> {
  undiciMod ??= await import('./undici.js');
  agent ??= new undiciMod.Agent({ keepAliveTimeout: 10_000, connect: { timeout: connectTimeoutMs }, pipelining: 1 });
  return { agent, undici: undiciMod };
}

/** Loads undici and opens the agent now, so the first request pays no module loading. */
export async function prepareTransport(connectTimeoutMs = 10_000): Promise<void> {
  await getAgent(connectTimeoutMs);
}

export async function closeTransport(): Promise<void> {
  const a = agent;
  agent = undefined;
  if (a) await a.close().catch(() => undefined);
}

/** Connection errors that mean the request never left this machine (safe to re-send). */
export const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** The first `code` along an error's cause chain (undici wraps socket errors). */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: string }).code;
    if (code) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Sends one request; failures become NetworkError saying whether the request may have arrived. */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  const { agent: dispatcher } = await getAgent(req.connectTimeoutMs ?? Math.min(req.timeoutMs, 10_000));
  const signal = AbortSignal.timeout(req.timeoutMs);
  let res: Dispatcher.ResponseData;
  // origin and path split here, not by undici per request (this is every call's hot path)
  const slash = req.url.indexOf('/', req.url.indexOf('//') + 2);
  try {
    res = await dispatcher.request({
      origin: slash < 0 ? req.url : req.url.slice(0, slash),
      path: slash < 0 ? '/' : req.url.slice(slash),
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
  } catch (err) {
    throw toNetworkError(err, req, signal.aborted);
  }
  try {
    const body = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, body };
  } catch (err) {
    throw toNetworkError(err, req, signal.aborted, true);
  }
}

/** One keep-alive undici Agent for the process; undici itself is loaded on the first request. */
export const undiciTransport: Transport = { send, prepare: prepareTransport, close: closeTransport };

function toNetworkError(err: unknown, req: HttpRequest, timedOut: boolean, midResponse = false): NetworkError {
  const code = errorCode(err);
  const host = new URL(req.url).host;
  if (!midResponse && code && NOT_DELIVERED.has(code)) {
    return new NetworkError(`cannot connect to ${host} (${code})`, false, { cause: err });
  }
  if (!midResponse && code === 'ERR_SSL_WRONG_VERSION_NUMBER' && req.url.startsWith('https:')) {
    // what a plain-HTTP server answers to a TLS handshake: nothing was sent, and the fix is the scheme
    return new NetworkError(
      `cannot connect to ${host} over HTTPS (${code}): it answers plain HTTP. If that is meant (a \`vn emulator\`, a local proxy), ` +
        `write the endpoint as http://${host} (a bare host:port means https)`,
      false,
      { cause: err },
    );
  }
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ABORT_ERR') {
    return new NetworkError(`no answer from ${host} within ${Math.round(req.timeoutMs / 1000)}s`, true, { cause: err });
  }
  const what = midResponse ? 'the connection broke while reading the answer' : 'the connection was closed before an answer';
  return new NetworkError(`${what} from ${host} (${code ?? (err as Error).message})`, true, { cause: err });
}
