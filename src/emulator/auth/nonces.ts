import { ApiError } from '../errors.js';
import type { Nonces } from '../store/nonces.js';
import type { Authenticator } from './types.js';

export const NONCE_WINDOW_MS = 15 * 60 * 1000;
/** How often the nonces this process has seen are written to the database. */
const NONCE_FLUSH_EVERY_MS = 100;
/** How often expired nonces are swept out; the sweep scans the table, so not on every request. */
const NONCE_PRUNE_EVERY_MS = 60 * 1000;

const used = () => new ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);

/**
 * Replay protection, shared through the database (store/nonces.ts) by every process that opens the file.
 *
 * A request that changes state records its nonce in the database inside its own write
 * transaction, so a replayed change is refused exactly, by any process. A read-only request's
 * nonce is kept in memory and written in a batch every 100 ms: a read then costs no commit of its
 * own (bench/emulator), and another process sees that nonce at most 100 ms late — a replayed read
 * changes nothing. Within one process every replay is refused.
 */
export class NonceStore {
  private readonly pending = new Map<string, number>();
  private lastPrune = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly table: Nonces) {
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch {
        // kept in memory and tried again; a database that cannot be written fails the next change loudly
      }
    }, NONCE_FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Marks a nonce used, or throws SignatureNonceUsed. With `inWriteTransaction` it goes straight
   * to the database (the caller's transaction commits it); otherwise it waits for the next flush.
   */
  use(nonce: string, now: number, inWriteTransaction: boolean): void {
    const windowStart = now - NONCE_WINDOW_MS;
    const pendingAt = this.pending.get(nonce);
    if (pendingAt !== undefined && pendingAt >= windowStart) throw used();
    if (!inWriteTransaction) {
      if (this.table.seenSince(nonce, windowStart)) throw used();
      this.pending.set(nonce, now);
      return;
    }
    // the insert is the look-up: it changes no row when the nonce is already there and fresh, also
    // when another process recorded it a moment ago. The reads' nonces kept in memory are left to
    // the flush: written here they would be lost if this change rolled back.
    if (!this.table.record(nonce, now, windowStart)) throw used();
    if (now - this.lastPrune > NONCE_PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.table.prune(windowStart);
    }
  }

  /** Writes the nonces kept in memory; on failure they stay in memory for the next try. */
  flush(): void {
    if (this.pending.size === 0 || !this.table.open) return;
    this.table.recordAll(this.pending, NONCE_WINDOW_MS);
    // cleared only once every row went in (a throw above leaves them for the next try)
    this.pending.clear();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** The nonce must not have been used within the window (the last step: a refused request uses none). */
export const replay: Authenticator = (req, auth, creds) => {
  creds.nonces.use(auth.nonce, req.wallNow ?? req.now, req.inWriteTransaction);
};
