import type BetterSqlite3 from 'better-sqlite3';
import { type Database, prepareAll, type Statement } from './database.js';

const SQL = {
  seen: 'SELECT 1 FROM nonces WHERE nonce = ? AND seen_at >= ?',
  // a row older than the window is taken over in place, so the check stays exact between sweeps
  record: 'INSERT INTO nonces (nonce, seen_at) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET seen_at = excluded.seen_at WHERE nonces.seen_at < ?',
  prune: 'DELETE FROM nonces WHERE seen_at < ?',
};

/** The `nonces` table: the signature nonces seen, shared by every process that opens the file (auth/nonces.ts decides when to write). */
export class Nonces {
  private readonly st: Record<keyof typeof SQL, Statement>;
  // built once: creating a better-sqlite3 transaction function costs more than running one
  private readonly recordAllTx: BetterSqlite3.Transaction<(seen: Map<string, number>, windowMs: number) => void>;

  constructor(private readonly db: Database) {
    this.st = prepareAll(db, SQL);
    this.recordAllTx = db.transaction((seen: Map<string, number>, windowMs: number) => {
      for (const [nonce, at] of seen) this.st.record.run(nonce, at, at - windowMs);
    });
  }

  /** Whether the nonce was recorded at or after `since`. */
  seenSince(nonce: string, since: number): boolean {
    return this.st.seen.get(nonce, since) !== undefined;
  }

  /**
   * Records the nonce as seen at `at`, unless it was seen at or after `since`: the insert is the
   * look-up. False when it was (a replay), also when another process recorded it a moment ago.
   */
  record(nonce: string, at: number, since: number): boolean {
    return this.st.record.run(nonce, at, since).changes > 0;
  }

  /** Records every nonce of `seen` (nonce → when) in one transaction: all of them or, on a throw, none. */
  recordAll(seen: Map<string, number>, windowMs: number): void {
    if (this.db.open) this.recordAllTx(seen, windowMs);
  }

  /** Forgets the nonces seen before `before`. */
  prune(before: number): void {
    this.st.prune.run(before);
  }

  get open(): boolean {
    return this.db.open;
  }
}
