import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { UsageError } from '../../../errors.js';
import type { FlagDef, HandlerContext } from '../../define.js';

/** What `snapshot save|load` share: a running emulator (--endpoint / VN_ENDPOINT) or a stopped state file (--data). */
export const SNAPSHOT_FLAGS: FlagDef[] = [
  {
    name: 'data',
    description: 'a stopped emulator: its SQLite state file (instead of a running one at --endpoint / VN_ENDPOINT)',
    valueName: 'file',
    complete: 'file',
  },
  {
    name: 'snapshot-dir',
    description: 'with --data: where named snapshots are kept (default: snapshots/ beside the state file)',
    valueName: 'dir',
    complete: 'file',
  },
  { name: 'admin-key', description: "the running emulator's --admin-key (or VN_ADMIN_KEY)", valueName: 'key' },
];

/** A path (it has a / or ends in .json) or a name kept beside the state. */
export function isFilePath(target: string): boolean {
  return target.includes('/') || target.includes('\\') || target.endsWith('.json');
}

export type Where = { kind: 'running'; ctx: HandlerContext } | { kind: 'stopped'; dataFile: string; snapshotDir: string };

export function whereOf(ctx: HandlerContext, flags: Record<string, unknown>): Where {
  const data = flags.data as string | undefined;
  if (data !== undefined) {
    if (ctx.globals.endpoint) throw new UsageError('give --data FILE (a stopped emulator) or --endpoint URL (a running one), not both');
    if (data === ':memory:') throw new UsageError('--data :memory: has no state to keep: give the state file');
    if (!existsSync(data)) throw new UsageError(`--data ${data}: no such file`);
    return { kind: 'stopped', dataFile: data, snapshotDir: (flags.snapshotDir as string | undefined) ?? join(dirname(data), 'snapshots') };
  }
  if (flags.snapshotDir !== undefined)
    throw new UsageError('--snapshot-dir goes with --data; a running emulator keeps its own (vn emulator start --snapshot-dir)');
  return { kind: 'running', ctx };
}

/** Opens a stopped emulator's store for `fn`, and closes it. */
export async function withStore<T>(dataFile: string, fn: (store: import('../../../emulator/store/index.js').Store) => Promise<T>): Promise<T> {
  const { assertRegularOrMissing, NotRegularFileError } = await import('../../../regular-file.js');
  try {
    assertRegularOrMissing(dataFile);
  } catch (e) {
    if (e instanceof NotRegularFileError) throw new UsageError(`--data ${dataFile} is ${e.kind}, not a file`);
    throw e;
  }
  const { openStore } = await import('../../../emulator/store/index.js');
  const store = await openStore(dataFile);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** A snapshot's own error (corrupt, newer, a bad name) as the user's: exit 2. */
export async function asUsage<T>(p: Promise<T>): Promise<T> {
  const { SnapshotError } = await import('../../../emulator/snapshot.js');
  try {
    return await p;
  } catch (e) {
    if (e instanceof SnapshotError) throw new UsageError(e.message);
    throw e;
  }
}
