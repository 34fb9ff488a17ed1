import type BetterSqlite3 from 'better-sqlite3';
import { Associations } from './associations.js';
import { Configs } from './configs.js';
import { Conversations } from './conversations.js';
import { type Database, MIGRATIONS, migrate, openDatabase } from './database.js';
import { ExportTasks } from './exports.js';
import { Instances } from './instances.js';
import { Meta } from './meta.js';
import { Nonces } from './nonces.js';
import { Recordings } from './recordings.js';
import { StateTables, type TableRows } from './state-tables.js';
import { StatisticsQueries } from './statistics.js';
import { StsKeys } from './sts.js';
import { Uploads } from './uploads.js';

/**
 * The emulator's data file and everything that reads or writes it: every SQL statement, row type
 * and prepared statement lives under store/, one module per aggregate. Handlers call typed
 * methods (`store.conversations.find(instanceId, id)`); no SQL is written anywhere else
 * (test/architecture.test.ts). Each aggregate compiles its statements once, when the store opens.
 */
export class Store {
  readonly instances: Instances;
  readonly configs: Configs;
  readonly associations: Associations;
  readonly conversations: Conversations;
  readonly exports: ExportTasks;
  readonly recordings: Recordings;
  readonly uploads: Uploads;
  readonly nonces: Nonces;
  readonly meta: Meta;
  readonly statistics: StatisticsQueries;
  /** The whole state as tables: snapshots and resets (/_vn/). */
  readonly tables: StateTables;
  readonly stsKeys: StsKeys;

  constructor(readonly db: Database) {
    this.instances = new Instances(db);
    this.configs = new Configs(db);
    this.associations = new Associations(db);
    this.conversations = new Conversations(db);
    this.exports = new ExportTasks(db);
    this.recordings = new Recordings(db);
    this.uploads = new Uploads(db);
    this.nonces = new Nonces(db);
    this.meta = new Meta(db);
    this.statistics = new StatisticsQueries(db);
    this.tables = new StateTables(db);
    this.stsKeys = new StsKeys(db);
  }

  /**
   * `fn` as a transaction function: a transaction of its own, or a savepoint inside one already
   * open (a group commit's). Build it once: making one costs more than running it.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): BetterSqlite3.Transaction<(...args: A) => R> {
    return this.db.transaction(fn);
  }

  close(): void {
    this.db.close();
  }
}

/** Opens (creating and migrating as needed) the data file and its store. */
export async function openStore(file: string): Promise<Store> {
  return new Store(await openDatabase(file));
}

/** Tables saved at an older schema version, brought to the newest: loaded into a scratch database at their version, migrated, read back. */
export async function upgradeTables(tables: Record<string, TableRows>, fromVersion: number): Promise<Record<string, TableRows>> {
  const db = await openDatabase(':memory:', fromVersion);
  try {
    const scratch = new StateTables(db);
    scratch.restore(tables);
    migrate(db);
    return scratch.dump();
  } finally {
    db.close();
  }
}

/** The newest schema version (the last migration). */
export function latestSchemaVersion(): number {
  return Math.max(...MIGRATIONS.map((m) => m.version));
}

export type { AssociationRow } from './associations.js';
export type { ConversationRow, ConversationSearch, NewTurn, TurnChange, TurnContext, TurnRow } from './conversations.js';
export type { Database } from './database.js';
export type { TaskRow } from './exports.js';
export type { InstanceFilter, InstanceRow } from './instances.js';
export type { RecordingRow } from './recordings.js';
export { StateTableError, type TableRows } from './state-tables.js';
export type { ConversationTally, TallyRules } from './statistics.js';
export type { StsKeyRow } from './sts.js';
export type { StoredUpload, UploadRow } from './uploads.js';
