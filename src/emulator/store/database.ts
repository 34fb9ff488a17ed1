import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Database = BetterSqlite3.Database;

export { MIGRATIONS } from './migrations.js';

export async function openDatabase(file: string, upTo?: number): Promise<Database> {
  const { default: Sqlite } = await import('better-sqlite3');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const binding = nativeBinding();
  const db = new Sqlite(file, binding ? { nativeBinding: binding } : {});
  // several processes may share the file (vn --profile local in parallel): WAL + a busy timeout
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // a checkpoint fsyncs; with the default (every 1000 pages) it cost about half of each write
  // request's time (bench/emulator). Every 10000 pages (≤ ~40 MB of WAL) keeps NORMAL's guarantees.
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('foreign_keys = ON');
  migrate(db, upTo);
  cacheStatements(db);
  return db;
}

/**
 * better-sqlite3's compiled addon, named directly: its own lookup (the `bindings` package) probes a
 * dozen paths and reads a stack trace first, on every start of the emulator (issue #25). Undefined
 * where the addon is not at its usual place: better-sqlite3 then looks for it as it always does.
 */
function nativeBinding(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    return undefined;
  }
}

const STATEMENT_CACHE_LIMIT = 1000;

/**
 * The store's SQL built per request (a search's WHERE clause) goes through db.prepare; compiling
 * each SQL text once per connection keeps a request cheap (bench/emulator). A cached statement comes back with its result modes
 * reset, so one caller's .pluck() or .raw() never leaks into another's.
 */
function cacheStatements(db: Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, BetterSqlite3.Statement>();
  db.prepare = ((sql: string) => {
    let st = cache.get(sql);
    if (st) {
      if (st.reader) st.raw(false).expand(false).pluck(false);
      return st;
    }
    st = compile(sql);
    // SQL built with a variable number of placeholders could grow the cache without end
    if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
    cache.set(sql, st);
    return st;
  }) as Database['prepare'];
}

export function migrate(db: Database, upTo = Number.POSITIVE_INFINITY): void {
  // BEGIN IMMEDIATE takes the write lock first, so two processes cannot both run version N
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > upTo) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  run.immediate();
}

export type Statement = BetterSqlite3.Statement;

/**
 * An aggregate's fixed statements, compiled once per database when its store opens (a SQL error
 * shows at start, not at the first request). Each is the aggregate's own object, not the shared
 * cache's: no other caller of db.prepare can change its result mode.
 */
export function prepareAll<K extends string>(db: Database, sql: Record<K, string>): Record<K, Statement> {
  const compile = (Object.getPrototypeOf(db) as Database).prepare;
  const out = {} as Record<K, Statement>;
  for (const name in sql) out[name] = compile.call(db, sql[name]);
  return out;
}
