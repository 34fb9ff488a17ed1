import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { type FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import { NetworkError, RuntimeFailure, ServiceError, UsageError } from '../errors.js';
import type { DownloadProgress } from '../output/progress.js';
import { errorCode, NOT_DELIVERED } from './transport.js';

export interface DownloadOptions {
  /** Replace an existing target. Without it an existing target is refused before anything is sent. */
  force?: boolean;
  onProgress?: (p: DownloadProgress) => void;
  /** Longest wait for the response headers, and between two chunks of the body (default 60 s). */
  timeoutMs?: number;
}

export interface DownloadResult {
  /** Absolute path of the file written. */
  path: string;
  bytes: number;
  contentType?: string;
}

/**
 * Refuses a target that exists (unless `force`), is a directory, or whose directory is missing.
 * Commands call it before they send anything, so a doomed download never starts a server-side task.
 */
export async function checkTarget(target: string, force = false): Promise<string> {
  const path = resolve(target);
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new UsageError(`cannot use ${target}: ${e.message}`);
  });
  if (st?.isDirectory()) throw new UsageError(`${target} is a directory; give a file name`);
  if (st && !force) throw new UsageError(`${target} already exists (add --force to overwrite it)`);
  const dir = await stat(dirname(path)).catch(() => undefined);
  if (!dir?.isDirectory()) throw new UsageError(`cannot write ${target}: directory ${dirname(path)} does not exist`);
  return path;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR']);

/**
 * Streams `url` into `target`: the bytes go to `<target>.<random>.part` in the same directory, the
 * count is checked against Content-Length, the file is fsynced and only then moved into place.
 * Whatever fails (connection, short body, full disk, Ctrl-C) the part file is removed and the
 * target is left as it was.
 */
export async function downloadToFile(url: string, target: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const path = await checkTarget(target, opts.force);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RuntimeFailure(`cannot download ${JSON.stringify(url)}: not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new RuntimeFailure(`cannot download ${url}: only http and https URLs can be fetched`);
  const host = parsed.host;
  const timeoutMs = opts.timeoutMs ?? 60_000;

  const undici = await import('undici');
  const agent = new undici.Agent({ connect: { timeout: Math.min(timeoutMs, 10_000) }, keepAliveTimeout: 1 });
  const dispatcher = agent.compose(undici.interceptors.redirect({ maxRedirections: 5 }));
  const part = `${path}.${randomBytes(6).toString('hex')}.part`;
  let handle: FileHandle | undefined;
  let received = 0;
  let total: number | undefined;
  let finished = false;
  // a Ctrl-C in the middle must not leave the part file behind
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      unlinkSync(part);
    } catch {
      /* not created yet, or already gone */
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let res: Dispatcher.ResponseData;
    try {
      res = await undici.request(url, { method: 'GET', dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (err) {
      const code = errorCode(err);
      if (code && NOT_DELIVERED.has(code)) throw new NetworkError(`cannot connect to ${host} (${code})`, false, { cause: err });
      if (code && TIMEOUTS.has(code)) throw new NetworkError(`no answer from ${host} within ${Math.round(timeoutMs / 1000)}s`, true, { cause: err });
      throw new NetworkError(`the connection to ${host} was closed before an answer (${code ?? (err as Error).message})`, true, { cause: err });
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const body = await res.body.text().catch(() => '');
      throw downloadRefused(res.statusCode, body, host);
    }
    const lengthHeader = res.headers['content-length'];
    if (typeof lengthHeader === 'string' && /^\d+$/.test(lengthHeader)) total = Number(lengthHeader);
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;

    try {
      handle = await open(part, 'wx', 0o644);
    } catch (err) {
      throw new RuntimeFailure(`cannot write ${basename(part)} in ${dirname(path)}: ${(err as Error).message}`, { cause: err });
    }
    opts.onProgress?.({ received, total });
    try {
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        await writeAll(handle, buf, part);
        received += buf.length;
        opts.onProgress?.({ received, total });
      }
    } catch (err) {
      if (err instanceof RuntimeFailure) throw err;
      const code = errorCode(err);
      const what = code && TIMEOUTS.has(code) ? `no data for ${Math.round(timeoutMs / 1000)}s` : `the connection broke (${code ?? (err as Error).message})`;
      throw new NetworkError(`download from ${host} failed after ${received}${total !== undefined ? ` of ${total}` : ''} bytes: ${what}`, true, { cause: err });
    }
    if (total !== undefined && received !== total) {
      throw new NetworkError(`download from ${host} is incomplete: got ${received} bytes, Content-Length said ${total}`, true);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await placeFile(part, path, target, opts.force === true);
    finished = true;
    await syncDirectory(dirname(path));
    return { path, bytes: received, contentType };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (handle) await handle.close().catch(() => undefined);
    if (!finished) await unlink(part).catch(() => undefined);
    await agent.destroy().catch(() => undefined);
  }
}

async function writeAll(handle: FileHandle, buf: Buffer, part: string): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    try {
      const { bytesWritten } = await handle.write(buf, off, buf.length - off);
      off += bytesWritten;
    } catch (err) {
      throw new RuntimeFailure(`cannot write ${part}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * Moves the finished part file into place. Without force, link() is used because it fails when
 * the target appeared meanwhile, where rename() would silently replace it.
 */
async function placeFile(part: string, path: string, target: string, force: boolean): Promise<void> {
  if (force) {
    await rename(part, path);
    return;
  }
  try {
    await link(part, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${target} appeared while downloading; not overwritten (add --force to overwrite it)`);
    // file systems without hard links: the check-then-rename window is the best left
    if (await stat(path).catch(() => undefined)) throw new UsageError(`${target} appeared while downloading; not overwritten (add --force to overwrite it)`);
    await rename(part, path);
    return;
  }
  await unlink(part);
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    await h.sync().finally(() => h.close());
  } catch {
    /* not every platform can fsync a directory; the data itself is already synced */
  }
}

/** A non-2xx answer from the file server, with its Code when the body (OSS XML or JSON) has one. */
function downloadRefused(status: number, body: string, host: string): ServiceError {
  let code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  let message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  if (!code) {
    try {
      const j = JSON.parse(body) as { Code?: string; Message?: string };
      code = j.Code;
      message = j.Message;
    } catch {
      /* plain text or empty */
    }
  }
  return new ServiceError(code ?? `HTTP${status}`, `download from ${host} refused${message ? `: ${message}` : ''}`, status, undefined, body.slice(0, 2000));
}
