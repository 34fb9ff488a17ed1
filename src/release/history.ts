import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { isSecretName, redactKnown } from '../redact.js';

/**
 * The release history of `vn apply` (docs/config-as-code.md, "History and rollback"): one JSON file
 * per apply, named by its id, written through a temp file and a rename (atomic-file.ts). Entries are
 * never rewritten and no index is kept, so any number of processes (or a team's git clones) may add
 * entries at once: the listing is the directory's files, sorted by id (which starts with the time).
 */

/** One instance's line of the plan, as the plan shows it. */
export interface PlannedInstance {
  name: string;
  instanceId?: string;
  action: 'create' | 'update' | 'unchanged';
  changes: { section: string; field: string; from?: unknown; to?: unknown }[];
  calls: string[];
}

export interface HistoryEntry {
  /** The format of this file. */
  version: 1;
  /** `20261205T221530123Z-9f3a1c`: sortable by time, unique across writers. */
  id: string;
  time: string;
  /** The profile the apply ran on (`env` when the credentials came from the environment). */
  profile: string;
  region?: string;
  /** Who ran it: the operating-system user (never a key). */
  user: string;
  /** What was applied: the file's name, or `rollback of ENTRY`. */
  source: string;
  /** Set for an apply made by `--rollback`: the entry it went back before. */
  rollbackOf?: string;
  /**
   * `applied`: every write was made; `stopped`: the apply stopped part-way (an error; `writes` says
   * how far); `pending`: written before the first write, and the process ended before it could say.
   */
  outcome: 'pending' | 'applied' | 'stopped';
  writes: number;
  plan: PlannedInstance[];
  /** The configuration (export documents) of the instances the plan changed, read before the first write. */
  before: Record<string, unknown>[];
  /** The same instances (and those it created), read after the last write. */
  after: Record<string, unknown>[];
  created: { name: string; instanceId: string }[];
}

const ID_RE = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

/** Where the history lives: --history-dir, else VN_HISTORY_DIR, else `history/` under the config dir. */
export function historyDir(configDir: string, env: NodeJS.ProcessEnv, flag: string | undefined): string {
  return flag || env.VN_HISTORY_DIR || join(configDir, 'history');
}

export function newEntryId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * What is stored leaves out anything secret: a field whose name is secret-like is dropped, and any
 * value this process knows to be secret (the profile's key secret, an STS token) is replaced, so an
 * entry is safe to commit to git.
 */
export function withoutSecrets<T>(value: T): T {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([k]) => !isSecretName(k))
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  return JSON.parse(redactKnown(JSON.stringify(strip(value)))) as T;
}

/** Writes one entry as `<dir>/<id>.json`; returns the path. */
export async function recordEntry(dir: string, entry: HistoryEntry): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${entry.id}.json`);
  await writeFileAtomic(path, `${JSON.stringify(withoutSecrets(entry), null, 2)}\n`);
  return path;
}

/** Every entry, oldest first; a file that is not an entry is named in `skipped` and left alone. */
export async function listEntries(dir: string): Promise<{ entries: HistoryEntry[]; skipped: string[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: [] };
    throw new UsageError(`cannot read the history directory ${dir}: ${(e as Error).message}`);
  }
  const entries: HistoryEntry[] = [];
  const skipped: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const id = name.slice(0, -'.json'.length);
    if (!ID_RE.test(id)) continue;
    try {
      const e = JSON.parse(await readFile(join(dir, name), 'utf8')) as HistoryEntry;
      if (e.version !== 1 || e.id !== id || !Array.isArray(e.before) || !Array.isArray(e.plan)) throw new Error('not a history entry');
      entries.push(e);
    } catch {
      skipped.push(name);
    }
  }
  return { entries, skipped };
}

/** An entry by its id or a unique prefix of it; the newest when `ref` is undefined. */
export async function findEntry(dir: string, ref: string | undefined): Promise<HistoryEntry> {
  const { entries } = await listEntries(dir);
  if (entries.length === 0) throw new UsageError(`the history in ${dir} has no entry to roll back to`);
  if (ref === undefined) return entries[entries.length - 1] as HistoryEntry;
  const hits = entries.filter((e) => e.id === ref || e.id.startsWith(ref));
  if (hits.length === 1) return hits[0] as HistoryEntry;
  if (hits.length === 0) throw new UsageError(`no history entry ${ref} in ${dir} (vn apply --history lists them)`);
  throw new UsageError(`${ref} names ${hits.length} history entries (${hits.map((h) => h.id).join(', ')}): give more of the id`);
}

/**
 * The file `--rollback` applies: the entry's `before` documents, each pinned to the instance it was
 * read from (so a rename is undone too). An instance the entry created has no `before`: rolling
 * back leaves it (the notes say so; `vn instance delete` removes it).
 */
export function rollbackDocuments(entry: HistoryEntry): { documents: Record<string, unknown>[]; notes: string[] } {
  const documents = entry.before.map((d) => {
    const info = (d.readOnly ?? {}) as Record<string, unknown>;
    if (typeof info.instanceId !== 'string') throw new RuntimeFailure(`history entry ${entry.id} holds a configuration without its instance id`);
    const { readOnly: _r, ...rest } = d;
    return { ...rest, id: info.instanceId };
  });
  const notes = entry.created.map(
    (c) => `"${c.name}" (${c.instanceId}) was created by ${entry.id}; a rollback does not delete it (vn instance delete ${c.instanceId})`,
  );
  if (documents.length === 0)
    throw new UsageError(
      `history entry ${entry.id} changed no existing instance: there is nothing to roll back to${notes.length ? ` (${notes.join('; ')})` : ''}`,
    );
  return { documents, notes };
}
