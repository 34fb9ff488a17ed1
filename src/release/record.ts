import { userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import type { Api } from '../manifest/live.js';
import type { InstancePlan } from '../manifest/plan.js';
import type { Output } from '../output/types.js';
import { type HistoryEntry, listEntries, newEntryId, type PlannedInstance, recordEntry } from './history.js';

/** Who runs vn, for the history: the operating-system user (never a key id). */
export function currentUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.USERNAME || 'unknown';
  }
}

export interface RecordMeta {
  dir: string;
  now: Date;
  profile: string;
  region?: string;
  user: string;
  source: string;
  rollbackOf?: string;
  plan: PlannedInstance[];
}

/**
 * Runs `execute` (the plan's writes) between two records of the history: before the first write the
 * entry is written with the configuration read then (`pending`), so the earlier configuration is on
 * disk whatever happens next; after the writes it is written again with what the instances became
 * and how the apply ended. When the first record cannot be written, nothing is applied (exit 2).
 */
export async function applyRecorded<R extends { applied: unknown[]; created: { name: string; instanceId: string }[] }>(
  api: Api,
  plans: InstancePlan[],
  meta: RecordMeta,
  execute: () => Promise<R>,
  warn: (line: string) => void,
): Promise<{ result: R; entry: HistoryEntry; path: string }> {
  const { exportInstances } = await import('../manifest/export.js');
  const changed = plans.filter((p) => p.action === 'update' && p.live).map((p) => p.live?.id as string);
  const entry: HistoryEntry = {
    version: 1,
    id: newEntryId(meta.now),
    time: meta.now.toISOString(),
    profile: meta.profile,
    ...(meta.region ? { region: meta.region } : {}),
    user: meta.user,
    source: meta.source,
    ...(meta.rollbackOf ? { rollbackOf: meta.rollbackOf } : {}),
    outcome: 'pending',
    writes: 0,
    plan: meta.plan,
    before: await exportInstances(api, changed),
    after: [],
    created: [],
  };
  let path: string;
  try {
    path = await recordEntry(meta.dir, entry);
  } catch (e) {
    throw new UsageError(`cannot write the history entry in ${meta.dir} (${(e as Error).message}): nothing was applied`);
  }
  let result: R | undefined;
  let failure: unknown;
  try {
    result = await execute();
  } catch (e) {
    failure = e;
  }
  const applied = (result?.applied ?? (failure as { applied?: unknown[] })?.applied ?? []) as unknown[];
  entry.writes = applied.length;
  entry.created = result?.created ?? [];
  entry.outcome = failure ? 'stopped' : 'applied';
  try {
    const ids = [...changed, ...entry.created.map((c) => c.instanceId)];
    entry.after = await exportInstances(api, ids);
  } catch (e) {
    warn(`warning: could not read the instances back for the history (${(e as Error).message})`);
  }
  try {
    await recordEntry(meta.dir, entry);
  } catch (e) {
    warn(`warning: the history entry ${entry.id} keeps the configuration before the apply but not its outcome: ${(e as Error).message}`);
  }
  if (failure) throw failure;
  return { result: result as R, entry, path };
}

/** `vn apply --history`: every entry, oldest first (a table, or the entries as data with -o json). */
export async function historyListing(dir: string, warn: (line: string) => void): Promise<Output> {
  const { entries, skipped } = await listEntries(dir);
  if (skipped.length)
    warn(
      `warning: ${skipped.length} file${skipped.length === 1 ? '' : 's'} in ${dir} ${skipped.length === 1 ? 'is' : 'are'} not a history entry: ${skipped.join(', ')}`,
    );
  const rows = entries.map((e) => ({
    id: e.id,
    time: e.time,
    profile: e.profile,
    user: e.user,
    source: e.source,
    outcome: e.outcome,
    instances: e.plan.filter((p) => p.action !== 'unchanged').map((p) => p.name),
    changes: e.plan.reduce((n, p) => n + p.changes.length, 0),
    writes: e.writes,
    ...(e.rollbackOf ? { rollbackOf: e.rollbackOf } : {}),
  }));
  return {
    data: { dir, entries: rows },
    view: {
      listField: 'entries',
      columns: [
        { key: 'id', header: 'ID' },
        { key: 'time', header: 'TIME' },
        { key: 'profile', header: 'PROFILE' },
        { key: 'user', header: 'USER' },
        { key: 'outcome', header: 'OUTCOME' },
        { key: 'instances', header: 'INSTANCES', flex: true, format: (v) => (v as string[]).join(', ') },
        { key: 'changes', header: 'CHANGES' },
        { key: 'writes', header: 'WRITES' },
        { key: 'source', header: 'SOURCE', flex: true, optional: true },
      ],
    },
  };
}
