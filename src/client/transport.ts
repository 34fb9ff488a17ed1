import { Cancelled, NetworkError } from '../errors.js';

/** The code of a connection that did not open within its connect timeout (nothing was sent). */
const CONNECT_TIMEOUT = 'ETIMEDOUT_CONNECT';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  connectTimeoutMs?: number;
  /** Aborts the request (the chat's Ctrl-C): the send ends with Cancelled. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The HTTP seam: what the clients (src/client/client.ts, src/client/http.ts) send requests through.
 * `httpTransport` (node:http) is production's; tests register stubs on test/helpers/httpmock.ts instead. A
 * failure is a NetworkError saying whether the request may have arrived (maybeDelivered).
 */
export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Loads and opens what sending needs ahead of a timed run (module loading is not per-request work). */
  prepare?(connectTimeoutMs: number): Promise<void>;
  close?(): Promise<void>;
}

type HttpModule = typeof import('node:http');
type Agents = { http?: import('node:http').Agent; https?: import('node:https').Agent };
let agents: Agents = {};
let httpMod: HttpModule | undefined;
let httpsMod: typeof import('node:https') | undefined;

/**
 * Node's own HTTP/1.1 client, one keep-alive Agent per scheme for the process. Not undici: for a
 * one-shot command undici's half a megabyte of JavaScript and its WebAssembly parser cost about a
 * third of a bare Node start-up (issue #25), and node:http's parser is already in the binary.
 * node:https (and TLS) is loaded only for an https endpoint.
 */
async function agentFor(https: boolean): Promise<{ mod: HttpModule; agent: import('node:http').Agent }> {
  if (https) {
    httpsMod ??= await import('node:https');
    agents.https ??= new httpsMod.Agent({ keepAlive: true });
    return { mod: httpsMod as unknown as HttpModule, agent: agents.https };
  }
  httpMod ??= await import('node:http');
  agents.http ??= new httpMod.Agent({ keepAlive: true });
  return { mod: httpMod, agent: agents.http };
}

/** Loads what sending needs now (both schemes), so the first request of a timed run pays no module loading. */
export async function prepareTransport(): Promise<void> {
  await Promise.all([agentFor(false), agentFor(true)]);
}

export async function closeTransport(): Promise<void> {
  const a = agents;
  agents = {};
  a.http?.destroy();
  a.https?.destroy();
}

/** Connection errors that mean the request never left this machine (safe to re-send). */
export const NOT_DELIVERED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  CONNECT_TIMEOUT,
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

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
  const https = req.url.startsWith('https:');
  const { mod, agent } = await agentFor(https);
  const timeout = AbortSignal.timeout(req.timeoutMs);
  // the caller's signal (a chat turn cancelled with Ctrl-C) ends the request as the timeout does
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  const connectTimeoutMs = req.connectTimeoutMs ?? Math.min(req.timeoutMs, 10_000);
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let answered = false;
    // the connection this request went out on was open (TCP, and TLS for https): before that, nothing was sent
    let established = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      if (req.signal?.aborted) reject(new Cancelled('cancelled', { cause: err }));
      else reject(toNetworkError(err, req, timeout.aborted, answered, !established));
    };
    let r: import('node:http').ClientRequest;
    try {
      r = mod.request(req.url, { method: req.method, headers: req.headers, agent, signal }, (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('error', fail);
        // a connection that closes mid-body: 'close' without the message being complete
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
      });
    } catch (err) {
      // an URL node:http refuses (the caller has validated it: this is the last net)
      fail(err);
      return;
    }
    r.on('error', fail);
    // node:http has no connect timeout of its own: a new socket must connect within connectTimeoutMs
    r.on('socket', (socket) => {
      // a kept-alive socket is open already (and past its TLS handshake)
      if (!socket.connecting) {
        established = true;
        return;
      }
      const timer = setTimeout(
        () => socket.destroy(Object.assign(new Error(`connect timeout after ${connectTimeoutMs} ms`), { code: CONNECT_TIMEOUT })),
        connectTimeoutMs,
      );
      socket.once(https ? 'secureConnect' : 'connect', () => {
        established = true;
        clearTimeout(timer);
      });
      socket.once('close', () => clearTimeout(timer));
    });
    r.end(req.body);
  });
}

/** Node's HTTP client with one keep-alive Agent per scheme for the process, loaded on the first request. */
export const httpTransport: Transport = { send, prepare: prepareTransport, close: closeTransport };

/** What OpenSSL says when a plain-HTTP server answers the TLS handshake (its code differs between the socket's paths). */
function plainHttpAnswer(err: unknown, code: string | undefined): boolean {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return true;
  for (let e = err as { reason?: string; message?: string; cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) {
    if (e.reason === 'wrong version number' || /wrong version number/i.test(e.message ?? '')) return true;
  }
  return false;
}

function toNetworkError(err: unknown, req: HttpRequest, timedOut: boolean, midResponse = false, notSent = false): NetworkError {
  const code = errorCode(err);
  const host = new URL(req.url).host;
  if (!midResponse && notSent && req.url.startsWith('https:') && plainHttpAnswer(err, code)) {
    // what a plain-HTTP server answers to a TLS handshake: nothing was sent, and the fix is the scheme
    return new NetworkError(
      `cannot connect to ${host} over HTTPS (ERR_SSL_WRONG_VERSION_NUMBER): it answers plain HTTP. If that is meant (a \`vn emulator\`, a local proxy), ` +
        `write the endpoint as http://${host} (a bare host:port means https)`,
      false,
      { cause: err },
    );
  }
  if (!midResponse && (notSent || (code && NOT_DELIVERED.has(code)))) {
    // the connection (or its TLS handshake) never opened: the request never left this machine
    const why = timedOut ? `no connection within ${Math.round(req.timeoutMs / 1000)}s` : (code ?? (err as Error).message);
    return new NetworkError(`cannot connect to ${host} (${why})`, false, { cause: err });
  }
  if (timedOut || code === 'ABORT_ERR') {
    return new NetworkError(`no answer from ${host} within ${Math.round(req.timeoutMs / 1000)}s`, true, { cause: err });
  }
  const what = midResponse ? 'the connection broke while reading the answer' : 'the connection was closed before an answer';
  return new NetworkError(`${what} from ${host} (${code ?? (err as Error).message})`, true, { cause: err });
}
