import type { HttpRequest, HttpResponse, Transport } from '../../src/client/transport.js';
import { NetworkError } from '../../src/errors.js';

/**
 * An HTTP mock registry in the spirit of gh's pkg/httpmock: a Transport (src/client/transport.ts)
 * that answers from registered stubs. Each stub answers once unless registered with `times`;
 * `verify()` fails when a stub was never used or a request matched no stub, so a test sees both
 * a request it forgot to expect and one that never came.
 *
 *   const http = new HttpMock();
 *   http.register(action('DescribeInstance', { InstanceId: 'i-1' }), json({ Instance: {...} }));
 *   const r = await runVn([...], { transport: http });
 *   http.verify();
 */

/** A request as a stub sees it: the query and a form body merged in `params`. */
export interface MockRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  params: Record<string, string>;
  /** The OpenAPI action: `Action` (V1) or the x-acs-action header (V3). */
  action?: string;
}

export type Matcher = ((req: MockRequest) => boolean) & { describe?: string };
export type Responder = (req: MockRequest) => HttpResponse | Promise<HttpResponse>;

interface Stub {
  matcher: Matcher;
  responder: Responder;
  times: number;
  used: number;
}

export class HttpMock implements Transport {
  private readonly stubs: Stub[] = [];
  /** Every request sent, in order (matched or not). */
  readonly requests: MockRequest[] = [];
  private readonly unmatched: MockRequest[] = [];

  /** Answers the next `times` (default 1) requests that `matcher` accepts with `responder`. */
  register(matcher: Matcher, responder: Responder, opts: { times?: number } = {}): this {
    this.stubs.push({ matcher, responder, times: opts.times ?? 1, used: 0 });
    return this;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const m = toMockRequest(req);
    this.requests.push(m);
    const stub = this.stubs.find((s) => s.used < s.times && s.matcher(m));
    if (!stub) {
      this.unmatched.push(m);
      throw new Error(`httpmock: no stub for ${describeRequest(m)}`);
    }
    stub.used++;
    return stub.responder(m);
  }

  /** The actions requested, in order (with a repeated action once per request). */
  actions(): string[] {
    return this.requests.map((r) => r.action ?? `${r.method} ${r.url.pathname}`);
  }

  /** Throws when a stub was not used as often as registered, or a request matched no stub. */
  verify(): void {
    const problems: string[] = [];
    for (const s of this.stubs) {
      if (s.used < s.times)
        problems.push(`stub never used${s.times > 1 ? ` (${s.used} of ${s.times} times)` : ''}: ${s.matcher.describe ?? s.matcher.toString()}`);
    }
    for (const r of this.unmatched) problems.push(`unregistered request: ${describeRequest(r)}`);
    if (problems.length > 0) throw new Error(`httpmock:\n  ${problems.join('\n  ')}`);
  }
}

function toMockRequest(req: HttpRequest): MockRequest {
  const url = new URL(req.url);
  const params: Record<string, string> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const type = req.headers['content-type'] ?? '';
  if (req.body && type.includes('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(req.body)) params[k] = v;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  return { method: req.method, url, headers, body: req.body, params, action: params.Action ?? headers['x-acs-action'] };
}

function describeRequest(r: MockRequest): string {
  const shown = Object.entries(r.params)
    .filter(([k]) => !COMMON.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${r.method} ${r.url.origin}${r.url.pathname}${r.action ? ` ${r.action}` : ''}${shown ? ` ${shown}` : ''}`;
}

/** The common parameters of a signed request (not what a stub is about). */
const COMMON = new Set([
  'Action',
  'Format',
  'Version',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'Signature',
  'SecurityToken',
]);

// —— matchers ——

/** An OpenAPI action, and optionally parameters that must be present with these values (others may be there too). */
export function action(name: string, params: Record<string, string | RegExp> = {}): Matcher {
  const m: Matcher = (req) =>
    req.action === name &&
    Object.entries(params).every(([k, want]) => {
      const got = req.params[k];
      return got !== undefined && (typeof want === 'string' ? got === want : want.test(got));
    });
  m.describe = `${name}${Object.keys(params).length ? ` ${JSON.stringify(params, (_k, v) => (v instanceof RegExp ? String(v) : v))}` : ''}`;
  return m;
}

/** A plain request by method and path (a metadata service). */
export function route(method: string, pathname: string): Matcher {
  const m: Matcher = (req) => req.method === method && req.url.pathname === pathname;
  m.describe = `${method} ${pathname}`;
  return m;
}

// —— responders ——

export interface ResponseOptions {
  status?: number;
  headers?: Record<string, string>;
}

/** A JSON body (a RequestId is added to an object that has none, as the service always sends one). */
export function json(body: unknown, opts: ResponseOptions = {}): Responder {
  return () => {
    const withId = body && typeof body === 'object' && !Array.isArray(body) && !('RequestId' in body) ? { RequestId: 'REQ-MOCK', ...body } : body;
    return { status: opts.status ?? 200, headers: { 'content-type': 'application/json;charset=utf-8', ...opts.headers }, body: JSON.stringify(withId) };
  };
}

/** A JSON body built from the request. */
export function jsonFrom(make: (req: MockRequest) => unknown, opts: ResponseOptions = {}): Responder {
  return async (req) => json(make(req), opts)(req);
}

export function xml(body: string, opts: ResponseOptions = {}): Responder {
  return () => ({ status: opts.status ?? 200, headers: { 'content-type': 'application/xml;charset=utf-8', ...opts.headers }, body });
}

/** A bare status with an optional text body. */
export function status(code: number, body = '', headers: Record<string, string> = {}): Responder {
  return () => ({ status: code, headers, body });
}

/** The service's error envelope (HTTP 400 by default). */
export function apiError(code: string, message: string, httpStatus = 400): Responder {
  return json({ RequestId: 'REQ-ERR', Code: code, Message: message }, { status: httpStatus });
}

/**
 * What the node:http transport throws when the network fails: `delivered: false` is a connection
 * refused (the request never left), true a connection lost after sending.
 */
export function networkError(opts: { delivered?: boolean; message?: string } = {}): Responder {
  return (req) => {
    throw new NetworkError(
      opts.message ??
        (opts.delivered ? `the connection was closed before an answer from ${req.url.host} (ECONNRESET)` : `cannot connect to ${req.url.host} (ECONNREFUSED)`),
      opts.delivered ?? false,
    );
  };
}
