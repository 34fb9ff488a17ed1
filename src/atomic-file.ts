import { randomBytes } from 'node:crypto';
import { type FileHandle, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Where the bytes for `target` go. A path to a device, a FIFO or a socket (`/dev/null`,
 * `/dev/stdout`, a named pipe) is written in place: a temp file renamed over it would replace the
 * device with a regular file (as root, `/dev/null` itself). A path through symbolic links is
 * renamed over the file the links lead to, so the links stay links. Anything else (a regular file,
 * or nothing yet) goes through a temp file beside it.
 */
async function destination(target: string): Promise<{ direct: true; path: string } | { direct: false; path: string }> {
  const st = await stat(target).catch(() => undefined);
  if (st && !st.isFile() && !st.isDirectory()) return { direct: true, path: target };
  if (st?.isFile()) return { direct: false, path: await realpath(target) };
  return { direct: false, path: target };
}

/** Text written piece by piece to a temp file beside `target`, renamed into place on commit. */
export class AtomicFile {
  private handle?: FileHandle;
  private where?: { direct: boolean; path: string; temp: string };
  private queue: Promise<void> = Promise.resolve();
  constructor(
    readonly target: string,
    /** The file's permission bits (default 0666 less the umask); 0o600 for a file holding secrets. */
    private readonly mode?: number,
  ) {}

  private async opened(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    const d = await destination(this.target);
    const temp = d.direct ? d.path : join(dirname(d.path), `.${basename(d.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.where = { ...d, temp };
    this.handle = await open(temp, 'w', this.mode);
    return this.handle;
  }

  /** Writes in call order, even when callers run concurrently (conversations finish in any order). */
  write(text: string): Promise<void> {
    this.queue = this.queue.then(async () => {
      await (await this.opened()).write(text);
    });
    return this.queue;
  }

  /** Renames the temp file into place; when anything fails on the way, the temp file is removed and the error thrown. */
  async commit(): Promise<void> {
    try {
      await this.queue;
      await (await this.opened()).close();
      const where = this.where as { direct: boolean; path: string; temp: string };
      if (!where.direct) await rename(where.temp, where.path);
      this.handle = undefined;
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  /** Drops what was written: the temp file is removed (the target is left as it was). Safe to call more than once. */
  async abort(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    // a device or a pipe has had what was written; there is no temp file to remove
    if (this.where && !this.where.direct) await rm(this.where.temp, { force: true }).catch(() => undefined);
  }
}

/** Writes `text` to `target` through a temp file beside it and a rename: never half a file. */
export async function writeFileAtomic(target: string, text: string, opts: { mode?: number } = {}): Promise<void> {
  const f = new AtomicFile(target, opts.mode);
  await f.write(text).catch(async (e) => {
    await f.abort();
    throw e;
  });
  await f.commit();
}
