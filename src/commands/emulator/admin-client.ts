import { NetworkError, ServiceError, UsageError } from '../../errors.js';
import type { HandlerContext } from '../define.js';

/**
 * How the `vn emulator …` commands reach a running emulator's /_vn/ endpoints: plain JSON over the
 * client's HTTP layer (its transport, timeout and --debug trace), with the admin key when one is
 * given (--admin-key or VN_ADMIN_KEY). An error answer becomes a ServiceError naming its Code.
 */

export interface AdminTarget {
  url: string;
  adminKey?: string;
}

/** The emulator's base URL: the argument, else --endpoint, else VN_ENDPOINT. */
export function adminTarget(ctx: HandlerContext, given: string | undefined, adminKey: unknown): AdminTarget {
  const url = given ?? ctx.globals.endpoint ?? ctx.env.VN_ENDPOINT;
  if (!url) throw new UsageError('which emulator? give its URL (--endpoint URL, or VN_ENDPOINT), or --data FILE for a stopped one');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`"${url}" is not an http:// or https:// URL`);
  const key = (adminKey as string | undefined) ?? ctx.env.VN_ADMIN_KEY;
  return { url: parsed.origin, ...(key ? { adminKey: key } : {}) };
}

export async function adminCall<T = Record<string, unknown>>(
  ctx: HandlerContext,
  target: AdminTarget,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  opts: { timeoutMs?: number } = {},
): Promise<T> {
  const { HttpCaller } = await import('../../client/http.js');
  const http = new HttpCaller({
    transport: await ctx.factory.transport(),
    timeoutMs: opts.timeoutMs ?? 30_000,
    retries: 0,
    ...(ctx.globals.debug ? { debug: (line: string) => ctx.err(line) } : {}),
  });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (target.adminKey) headers['x-vn-admin-key'] = target.adminKey;
  let text: string;
  try {
    text = (await http.request({ method, url: `${target.url}/_vn${path}`, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })).body;
  } catch (err) {
    if (err instanceof ServiceError && err.body !== undefined) {
      let parsed: { Code?: unknown; Message?: unknown } | undefined;
      try {
        parsed = JSON.parse(err.body) as { Code?: unknown; Message?: unknown };
      } catch {
        parsed = undefined;
      }
      if (parsed && typeof parsed.Code === 'string') throw new ServiceError(parsed.Code, String(parsed.Message ?? ''), err.httpStatus, undefined, err.body);
      if (err.httpStatus === 404)
        throw new ServiceError('NotFound', `${target.url} has no ${'/_vn'}${path}: is it a vn emulator (vn 0.x with service endpoints)?`, 404, undefined);
    }
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new NetworkError(`${target.url} answered ${path} with something that is not JSON`, true);
  }
}
