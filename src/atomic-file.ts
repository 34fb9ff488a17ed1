import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Text written piece by piece to a temp file beside `target`, renamed into place on commit. */
export class AtomicFile {
  private handle?: FileHandle;
  private readonly temp: string;
  private queue: Promise<void> = Promise.resolve();
  constructor(
    readonly target: string,
    /** The file's permission bits (default 0666 less the umask); 0o600 for a file holding secrets. */
    private readonly mode?: number,
  ) {
    this.temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  }

  /** Writes in call order, even when callers run concurrently (conversations finish in any order). */
  write(text: string): Promise<void> {
    this.queue = this.queue.then(async () => {
      this.handle ??= await open(this.temp, 'w', this.mode);
      await this.handle.write(text);
    });
    return this.queue;
  }

  /** Renames the temp file into place; when anything fails on the way, the temp file is removed and the error thrown. */
  async commit(): Promise<void> {
    try {
      await this.queue;
      this.handle ??= await open(this.temp, 'w', this.mode);
      await this.handle.close();
      await rename(this.temp, this.target);
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
    await rm(this.temp, { force: true }).catch(() => undefined);
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
