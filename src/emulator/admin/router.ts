import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Exchange, PipelineEnv, Step } from '../pipeline.js';

/**
 * The emulator's service endpoints under /_vn/ (health, reset, chaos, clock, snapshots, the
 * request log and the inspector): unsigned, answered before the API's steps. A route is one line:
 * `registerAdminRoute('GET', '/health', health)` (admin/index.ts holds the list). A path ending in
 * `/*` matches everything below it (`req.rest` is the part after it).
 *
 * Who may call them: on a loopback address anyone local (as LocalStack's /_localstack/); on any
 * other address nobody, unless the emulator was started with --admin-key and the request carries
 * it in X-Vn-Admin-Key (compared in constant time). A request a browser sends from another origin
 * (an Origin header that is not the emulator's own), or under a Host that is not the loopback's
 * (DNS rebinding), is refused too.
 */

export const ADMIN_PREFIX = '/_vn';
export const ADMIN_KEY_HEADER = 'x-vn-admin-key';

export interface AdminRequest {
  method: string;
  /** The path below /_vn (`/health`, `/chaos/r1`). */
  path: string;
  /** For a `/*` route: what follows its prefix (`r1` for `/chaos/*` and `/chaos/r1`); '' otherwise. */
  rest: string;
  url: URL;
  req: IncomingMessage;
  res: ServerResponse;
  /** The exchange (request id, time) and what the emulator was built with. */
  x: Exchange;
  env: PipelineEnv;
  /** The body (at most ADMIN_MAX_BODY). */
  body(): Promise<Buffer>;
  /** The body as JSON ({} when empty); a body that is not JSON is answered 400. */
  json(): Promise<unknown>;
}

/** What a handler answers: JSON with a status (200 by default), or undefined when it wrote the response itself (a page, a stream). */
export type AdminAnswer = { status?: number; body: unknown; headers?: Record<string, string> } | undefined;
export type AdminHandler = (r: AdminRequest) => AdminAnswer | Promise<AdminAnswer>;

/** A refusal a handler throws: its HTTP status, a code and a one-line message. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'InvalidRequest',
  ) {
    super(message);
  }
}

interface Route {
  method: string;
  path: string;
  prefix: boolean;
  handler: AdminHandler;
}

const ROUTES: Route[] = [];

/** Adds a route under /_vn (`path` starts with '/'; a trailing `/*` matches below it). A second registration of the same method and path replaces the first. */
export function registerAdminRoute(method: string | string[], path: string, handler: AdminHandler): void {
  for (const m of Array.isArray(method) ? method : [method]) {
    const prefix = path.endsWith('/*');
    const p = prefix ? path.slice(0, -2) : path;
    const i = ROUTES.findIndex((r) => r.method === m && r.path === p && r.prefix === prefix);
    const route = { method: m.toUpperCase(), path: p, prefix, handler };
    if (i >= 0) ROUTES[i] = route;
    else ROUTES.push(route);
  }
}

/** The registered routes (for the 404's list). */
export function adminRoutes(): readonly { method: string; path: string }[] {
  return ROUTES.map((r) => ({ method: r.method, path: `${ADMIN_PREFIX}${r.path}${r.prefix ? '/*' : ''}` }));
}

export const ADMIN_MAX_BODY = 256 << 20;

/** The step that answers /_vn/… (placed before the API's steps). */
export function adminStep(env: PipelineEnv): Step {
  // an API call is passed on at once, without a promise (the pipeline then awaits nothing: bench/emulator)
  return (x) => {
    const target = x.req.url ?? '/';
    if (!(target === ADMIN_PREFIX || target.startsWith(`${ADMIN_PREFIX}/`) || target.startsWith(`${ADMIN_PREFIX}?`))) return false;
    return answerAdmin(env, x, target);
  };
}

async function answerAdmin(env: PipelineEnv, x: Exchange, target: string): Promise<boolean> {
  x.now = env.now();
  const url = new URL(target, 'http://emulator');
  try {
    checkAccess(env, x.req);
    const path = url.pathname.slice(ADMIN_PREFIX.length) || '/';
    const method = (x.req.method ?? 'GET').toUpperCase();
    const match = findRoute(method === 'HEAD' ? 'GET' : method, path);
    if (match === 'no-path') throw new AdminError(404, `no such endpoint: ${ADMIN_PREFIX}${path} (see GET ${ADMIN_PREFIX}/ for the list)`, 'NotFound');
    if (match === 'no-method') throw new AdminError(405, `${method} is not allowed on ${ADMIN_PREFIX}${path}`, 'MethodNotAllowed');
    let bodyPromise: Promise<Buffer> | undefined;
    const body = () => {
      bodyPromise ??= readAdminBody(x.req);
      return bodyPromise;
    };
    const answer = await match.route.handler({
      method,
      path,
      rest: match.rest,
      url,
      req: x.req,
      res: x.res,
      x,
      env,
      body,
      async json() {
        const raw = await body();
        if (raw.length === 0) return {};
        try {
          return JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
          throw new AdminError(400, 'the body is not valid JSON');
        }
      },
    });
    if (answer !== undefined) sendJson(x.res, answer.status ?? 200, answer.body, answer.headers);
  } catch (err) {
    if (x.res.headersSent) {
      x.res.destroy();
      return true;
    }
    const e = err instanceof AdminError ? err : new AdminError(500, (err as Error).message, 'InternalError');
    sendJson(x.res, e.status, { Code: e.code, Message: e.message });
  }
  return true;
}

function findRoute(method: string, path: string): { route: Route; rest: string } | 'no-path' | 'no-method' {
  let pathKnown = false;
  for (const r of ROUTES) {
    let rest: string | undefined;
    if (!r.prefix && r.path === path) rest = '';
    else if (r.prefix && (path === r.path || path.startsWith(`${r.path}/`))) rest = path.slice(r.path.length + 1);
    if (rest === undefined) continue;
    pathKnown = true;
    if (r.method === method) return { route: r, rest };
  }
  return pathKnown ? 'no-method' : 'no-path';
}

function checkAccess(env: PipelineEnv, req: IncomingMessage): void {
  const key = env.options.adminKey;
  if (key !== undefined) {
    const given = req.headers[ADMIN_KEY_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, key)) {
      throw new AdminError(403, `the ${ADMIN_PREFIX}/ endpoints need the emulator's admin key in the X-Vn-Admin-Key header`, 'Forbidden.AdminKey');
    }
  } else if (!isLoopbackHost(env.options.host ?? '127.0.0.1')) {
    throw new AdminError(
      403,
      `the ${ADMIN_PREFIX}/ endpoints are refused: the emulator listens on ${env.options.host}, not a loopback address; start it with --admin-key KEY and send the key in X-Vn-Admin-Key`,
      'Forbidden.NotLoopback',
    );
  } else {
    // only the loopback's own names: a page that rebinds its DNS name to 127.0.0.1 is refused
    const host = hostName(req.headers.host);
    if (host !== undefined && !isLoopbackHost(host))
      throw new AdminError(403, `the ${ADMIN_PREFIX}/ endpoints answer a loopback Host only (got ${host})`, 'Forbidden.Host');
  }
  // a browser on another site may send a request but must not get to change the emulator
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== req.headers.host)
      throw new AdminError(403, `the ${ADMIN_PREFIX}/ endpoints refuse requests from another origin (${origin})`, 'Forbidden.Origin');
  } else if (origin === 'null') throw new AdminError(403, `the ${ADMIN_PREFIX}/ endpoints refuse requests from an opaque origin`, 'Forbidden.Origin');
}

function sameSecret(given: string, key: string): boolean {
  // hashed first, so the comparison takes the same time whatever the lengths
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(key).digest();
  return timingSafeEqual(a, b);
}

function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  const colon = hostHeader.lastIndexOf(':');
  return colon >= 0 && hostHeader.indexOf(':') === colon ? hostHeader.slice(0, colon) : hostHeader;
}

/** 127.0.0.0/8, ::1 (and ::ffff:127.x), localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

function readAdminBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= ADMIN_MAX_BODY) chunks.push(c);
    });
    req.on('end', () =>
      size > ADMIN_MAX_BODY ? reject(new AdminError(413, `the body is over ${ADMIN_MAX_BODY >> 20} MiB`, 'RequestTooLarge')) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
