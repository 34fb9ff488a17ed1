import { randomBytes } from 'node:crypto';
import { futimes, unlinkSync, writeSync } from 'node:fs';
import { type FileHandle, link, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
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

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * The part file of a download: beside the target, named after it and this process
 * (`<target>.<pid>-<random>.part`), so a later run can tell a dead process's leftover from a live
 * download of the same target.
 */
function partName(path: string): string {
  return `${path}.${process.pid}-${randomBytes(6).toString('hex')}.part`;
}

/** The part files this process is writing now: never anyone's leftover. */
const ACTIVE_PARTS = new Set<string>();
/** How often a download touches its part file, stalled or not, to say it is alive. */
export const PART_HEARTBEAT_MS = 10_000;
/** A part file untouched for this long is a leftover even when a process with its pid runs. */
export const PART_STALE_MS = 120_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the part files that earlier runs left beside `path` (a SIGKILL, a power cut): those of
 * processes no longer running, those of older versions (no process id in the name), and those
 * whose process id now belongs to another process: this process's own id (a container runs every
 * vn with the same few pids) on a file it is not writing, or any id on a file untouched for
 * PART_STALE_MS (a live download touches its file every PART_HEARTBEAT_MS, stalled or not).
 */
export async function removeStaleParts(path: string, now = Date.now()): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${base}\\.(?:(\\d+)-)?[0-9a-f]{12}\\.part$`);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = re.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    if (ACTIVE_PARTS.has(file)) continue;
    const pid = m[1] ? Number(m[1]) : undefined;
    if (pid !== undefined && pid !== process.pid && alive(pid)) {
      const st = await stat(file).catch(() => undefined);
      if (!st || now - st.mtimeMs < PART_STALE_MS) continue;
    }
    await unlink(file).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/**
 * Streams `url` into `target`: the bytes go to a part file in the same directory, the count is
 * checked against Content-Length, the file is fsynced and only then moved into place. Whatever
 * fails (connection, short body, full disk, Ctrl-C, SIGTERM, the terminal closing) the part file
 * is removed and the target is left as it was; part files of earlier runs killed outright are
 * removed on the next download of the same target.
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
  await removeStaleParts(path);

  const undici = await import('./undici.js');
  const agent = new undici.Agent({ connect: { timeout: Math.min(timeoutMs, 10_000) }, keepAliveTimeout: 1 });
  const dispatcher = agent.compose(undici.interceptors.redirect({ maxRedirections: 5 }));
  const part = partName(path);
  ACTIVE_PARTS.add(part);
  let heartbeat: NodeJS.Timeout | undefined;
  let handle: FileHandle | undefined;
  let received = 0;
  let total: number | undefined;
  let finished = false;
  // an interrupt in the middle (Ctrl-C, kill, the terminal closed) must not leave the part file behind
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      unlinkSync(part);
    } catch {
      /* not created yet, or already gone */
    }
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    // the part file exists before the request, so the body can be written from its first byte
    try {
      handle = await open(part, 'wx', 0o644);
    } catch (err) {
      throw new RuntimeFailure(`cannot write ${basename(part)} in ${dirname(path)}: ${(err as Error).message}`, { cause: err });
    }
    // a stalled body writes nothing: the touch tells another run's removeStaleParts this file is alive
    const fd = handle.fd;
    heartbeat = setInterval(() => {
      const t = new Date();
      futimes(fd, t, t, () => undefined);
    }, PART_HEARTBEAT_MS);
    heartbeat.unref();
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin: parsed.origin,
        path: `${parsed.pathname}${parsed.search}`,
        method: 'GET',
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
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

    opts.onProgress?.({ received, total });
    try {
      await streamInto(res.body, handle.fd, part, (n) => {
        received += n;
        opts.onProgress?.({ received, total });
      });
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
    clearInterval(heartbeat);
    ACTIVE_PARTS.delete(part);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    if (handle) await handle.close().catch(() => undefined);
    if (!finished) await unlink(part).catch(() => undefined);
    await agent.destroy().catch(() => undefined);
  }
}

/**
 * Reads a response body to its end without ever pausing it, writing each chunk to the file as it
 * arrives. A paused undici body whose server then closes the connection crashes the process with
 * an uncatchable assertion (nodejs/undici#5360, unfixed in undici 7), so the body must flow; the
 * writes are synchronous (into the page cache, fsynced at the end), so nothing queues in memory.
 */
function streamInto(body: Readable, fd: number, part: string, onBytes: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      body.removeAllListeners('data');
      body.destroy();
      reject(err);
    };
    body.on('data', (chunk: Buffer) => {
      try {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
      } catch (err) {
        fail(new RuntimeFailure(`cannot write ${part}: ${(err as Error).message}`, { cause: err }));
        return;
      }
      onBytes(chunk.length);
    });
    body.once('error', fail);
    body.once('end', () => {
      if (!failed) resolve();
    });
    body.once('close', () => {
      if (!body.readableEnded) fail(new Error('the body was closed before its end'));
    });
  });
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
