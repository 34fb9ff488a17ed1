import type { Database } from './database.js';

/**
 * The whole state as tables of rows: what a snapshot holds (emulator/snapshot.ts), what a reset
 * empties. Every table but `meta` (the data file's own key) and `nonces` (replay protection,
 * which belongs to the wall clock, not to the state) takes part, so a table a later migration adds
 * is saved, loaded and reset without a change here.
 */

/** Tables left out of snapshots and resets. */
const KEPT = new Set(['meta', 'nonces']);

/** One table's rows: column names, then each row's values in that order (a BLOB as {base64}). */
export interface TableRows {
  columns: string[];
  rows: unknown[][];
}

export class StateTableError extends Error {
  override name = 'StateTableError';
}

export class StateTables {
  constructor(private readonly db: Database) {}

  /** The schema version of the data file (PRAGMA user_version: the last migration run). */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** The state's tables, by name, in a stable order. */
  names(): string[] {
    const rows = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    return rows.filter((n) => !KEPT.has(n));
  }

  private columns(table: string): string[] {
    return (this.db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(table) as string[]).filter(Boolean);
  }

  /** Every row of every state table, in one read transaction (a consistent picture). */
  dump(): Record<string, TableRows> {
    const read = this.db.transaction(() => {
      const out: Record<string, TableRows> = {};
      for (const name of this.names()) {
        const columns = this.columns(name);
        const rows = (
          this.db
            .prepare(`SELECT * FROM ${quoteId(name)} ORDER BY rowid`)
            .raw(true)
            .all() as unknown[][]
        ).map((row) => row.map(toJson));
        out[name] = { columns, rows };
      }
      return out;
    });
    return read();
  }

  /** Replaces the state with `tables` (all or nothing). A table or column the schema lacks is refused. */
  restore(tables: Record<string, TableRows>): void {
    const names = this.names();
    for (const [name, t] of Object.entries(tables)) {
      if (!names.includes(name)) throw new StateTableError(`the snapshot has a table "${name}" that this emulator's schema does not`);
      const have = new Set(this.columns(name));
      for (const c of t.columns)
        if (!have.has(c)) throw new StateTableError(`the snapshot's table "${name}" has a column "${c}" that this emulator's schema does not`);
    }
    const write = this.db.transaction(() => {
      this.db.pragma('defer_foreign_keys = ON');
      for (const name of names) this.db.prepare(`DELETE FROM ${quoteId(name)}`).run();
      for (const [name, t] of Object.entries(tables)) {
        if (t.rows.length === 0) continue;
        const insert = this.db.prepare(`INSERT INTO ${quoteId(name)} (${t.columns.map(quoteId).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`);
        for (const row of t.rows) {
          if (!Array.isArray(row) || row.length !== t.columns.length)
            throw new StateTableError(`a row of "${name}" does not have its ${t.columns.length} columns`);
          insert.run(row.map(fromJson));
        }
      }
    });
    write.immediate();
  }

  /** Empties every state table (the data file's key and the replay window stay). */
  reset(): void {
    this.restore({});
  }
}

function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function toJson(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return { base64: v.toString('base64') };
  if (typeof v === 'bigint') return Number(v);
  return v;
}

function fromJson(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'object' && typeof (v as { base64?: unknown }).base64 === 'string') return Buffer.from((v as { base64: string }).base64, 'base64');
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new StateTableError('a snapshot value is not a number, a string, null or {base64}');
}
