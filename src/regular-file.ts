import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats, statSync } from 'node:fs';
import { open } from 'node:fs/promises';

/*
 * Files vn reads and writes beside its own state (config.json, the completion cache, the local
 * emulator's database, the last-run state) are refused when they are not regular files: a FIFO would
 * block the reader for ever, a device might never end, a directory cannot be read.
 */

/** What a path that is not a regular file is, in words: "a directory", "a FIFO (named pipe)", … */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Thrown when a file vn reads or writes in its config dir (config.json, the completion cache, the
 * local emulator's state) is a directory, a FIFO, a socket or a device. Reading a FIFO would wait
 * for a writer for ever, and a device may never end.
 */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREGULAR';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a file`);
  }
}

/**
 * Refuses `path` when it exists and is not a regular file (a symbolic link to one is fine); a
 * path that does not exist passes. Never opens it, so a FIFO cannot block.
 */
export function assertRegularOrMissing(path: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isFile()) throw new NotRegularFileError(path, fileKind(st));
}

// O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer; on a
// regular file it changes nothing (Windows has neither, and no FIFOs in the file system)
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a file as UTF-8 only if it is a regular file: opened without blocking, checked on the
 * open descriptor (no window for a swap), then read. ENOENT and other errors are thrown as they
 * are; anything but a regular file is a NotRegularFileError.
 */
export function readRegularFileSync(path: string): string {
  const fd = openSync(path, READ_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFileError(path, fileKind(st));
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** readRegularFileSync without blocking the event loop on the read. */
export async function readRegularFile(path: string): Promise<string> {
  const handle = await open(path, READ_FLAGS);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new NotRegularFileError(path, fileKind(st));
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
