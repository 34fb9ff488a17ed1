import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { VERSION } from '../version.js';
import { latestSchemaVersion, type Store, type TableRows, upgradeTables } from './store/index.js';

/**
 * A snapshot: the whole emulator state in one portable JSON file, to commit as a fixture, load
 * into another emulator, or keep beside a running one under a name. It carries a format version
 * (of this file's layout) and the schema version (of the tables, store/migrations.ts); loading
 * refuses a newer one of either, and brings an older schema's tables up to date first.
 */

export const SNAPSHOT_FORMAT = 'vn-emulator-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: number;
  schemaVersion: number;
  vnVersion: string;
  createdAt: string;
  tables: Record<string, TableRows>;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export function takeSnapshot(store: Store, now: number): Snapshot {
  return {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    schemaVersion: store.tables.schemaVersion(),
    vnVersion: VERSION,
    createdAt: new Date(now).toISOString(),
    tables: store.tables.dump(),
  };
}

/** Checks a parsed snapshot; `where` names it in the one-line error. */
export function checkSnapshot(value: unknown, where: string): Snapshot {
  const bad = (why: string) => new SnapshotError(`${where} is not a vn emulator snapshot: ${why}`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('not a JSON object');
  const s = value as Record<string, unknown>;
  if (s.format !== SNAPSHOT_FORMAT) throw bad(`its "format" is not "${SNAPSHOT_FORMAT}"`);
  if (!Number.isInteger(s.formatVersion) || (s.formatVersion as number) < 1) throw bad('no valid formatVersion');
  if ((s.formatVersion as number) > SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotError(`${where} has snapshot format ${s.formatVersion}, newer than this vn reads (${SNAPSHOT_FORMAT_VERSION}): upgrade vn`);
  if (!Number.isInteger(s.schemaVersion) || (s.schemaVersion as number) < 1) throw bad('no valid schemaVersion');
  const latest = latestSchemaVersion();
  if ((s.schemaVersion as number) > latest)
    throw new SnapshotError(`${where} was saved with emulator schema ${s.schemaVersion}, newer than this vn's (${latest}): upgrade vn`);
  if (!s.tables || typeof s.tables !== 'object' || Array.isArray(s.tables)) throw bad('no "tables" object');
  for (const [name, t] of Object.entries(s.tables as Record<string, unknown>)) {
    const table = t as TableRows;
    if (!table || !Array.isArray(table.columns) || !table.columns.every((c) => typeof c === 'string') || !Array.isArray(table.rows))
      throw bad(`table "${name}" is not {columns, rows}`);
    for (const row of table.rows)
      if (!Array.isArray(row) || row.length !== table.columns.length) throw bad(`a row of table "${name}" does not have its ${table.columns.length} columns`);
  }
  return s as unknown as Snapshot;
}

export function parseSnapshot(text: string, where: string): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`${where} is not a vn emulator snapshot: not valid JSON (${(e as Error).message})`);
  }
  return checkSnapshot(value, where);
}

/** Replaces the store's state with the snapshot's (an older schema's tables are migrated first). */
export async function loadSnapshot(store: Store, snap: Snapshot): Promise<void> {
  const current = store.tables.schemaVersion();
  const tables = snap.schemaVersion < current ? await upgradeTables(snap.tables, snap.schemaVersion) : snap.tables;
  try {
    store.tables.restore(tables);
  } catch (e) {
    throw new SnapshotError(`the snapshot cannot be loaded: ${(e as Error).message}`);
  }
}

// --- named snapshots, kept in a directory beside the state file ------------------------------

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkSnapshotName(name: string): string {
  if (!NAME.test(name) || name.endsWith('.json')) {
    throw new SnapshotError(`"${name}" is not a snapshot name: letters, digits, '.', '_' and '-', at most 64, without .json (give a path with a / for a file)`);
  }
  return name;
}

export function snapshotFile(dir: string, name: string): string {
  return join(dir, `${checkSnapshotName(name)}.json`);
}

export async function saveNamedSnapshot(dir: string, name: string, snap: Snapshot): Promise<string> {
  const file = snapshotFile(dir, name);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(snap)}\n`, { mode: 0o600 });
  return file;
}

export async function readSnapshotFile(file: string, where = file): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SnapshotError(`cannot read ${where}: ${err.code === 'ENOENT' ? 'no such snapshot' : err.message}`);
  }
  return parseSnapshot(text, where);
}

export async function listSnapshots(dir: string): Promise<{ name: string; size: number; savedAt: string }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: { name: string; size: number; savedAt: string }[] = [];
  for (const f of names.sort()) {
    if (!f.endsWith('.json') || !NAME.test(f.slice(0, -5))) continue;
    const st = await stat(join(dir, f)).catch(() => undefined);
    if (st?.isFile()) out.push({ name: f.slice(0, -5), size: st.size, savedAt: st.mtime.toISOString() });
  }
  return out;
}
