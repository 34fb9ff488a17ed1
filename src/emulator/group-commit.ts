import type { Database } from './store/database.js';

/** At most this many changes share one commit, so a batch stays short and its answers leave soon. */
const MAX_BATCH = 64;
/**
 * At most this many reads share one read transaction: their answers leave when the batch is done,
 * so a smaller batch lets the clients start on the first answers while the next reads run; the
 * transaction's own cost (BEGIN, COMMIT) is small beside a read's (bench/emulator).
 */
const MAX_READ_BATCH = 8;

interface PendingChange<I, T> {
  input: I;
  resolve(outcome: T): void;
  reject(err: unknown): void;
}

/**
 * Thrown by a change to undo everything it wrote (its savepoint is rolled back) and answer all the
 * same: `after` then runs in the batch, after the rollback, and what it returns is the change's
 * answer, committed with the batch. (The gateway's use: a handler that fails half-way is undone,
 * and its request's nonce is recorded again so it stays used.)
 */
export class RollBackAndAnswer<T> extends Error {
  constructor(readonly after: () => T) {
    super('the change was rolled back to its savepoint');
  }
}

export interface GroupCommit<I, T> {
  /** Runs `input` in the next batch; settles once the batch's COMMIT has succeeded (or failed). */
  submit(input: I): Promise<T>;
}

/**
 * Group commit: the changes that arrive in one turn of the event loop (up to MAX_BATCH) run in ONE
 * `BEGIN IMMEDIATE` transaction, each inside its own savepoint (its only one: issue #25), and share its COMMIT — the commit
 * (WAL writes and file locks) was the largest part of a change's cost (bench/emulator). A request
 * that throws rolls back to its savepoint only (its nonce included, as in a transaction of its
 * own); the others stay. No answer leaves before the COMMIT has succeeded, and when the batch's
 * transaction fails every request that wrote in it gets the error the lone transaction would have
 * given. Other processes see the whole batch or none of it.
 */
export function groupCommit<I, T>(db: Database, run: (input: I) => T): GroupCommit<I, T> {
  let queue: PendingChange<I, T>[] = [];
  let scheduled = false;
  const inOwnSavepoint = db.transaction((input: I) => run(input));
  const runBatch = db.transaction((batch: PendingChange<I, T>[], results: ({ ok: T } | { thrown: unknown })[]) => {
    for (const change of batch) {
      // a savepoint outside a transaction would begin and commit one of its own, out of the batch
      if (!db.inTransaction) throw new Error('The batch transaction was rolled back by the database.');
      try {
        results.push({ ok: inOwnSavepoint(change.input) });
      } catch (err) {
        if (!(err instanceof RollBackAndAnswer)) {
          results.push({ thrown: err });
          continue;
        }
        try {
          results.push({ ok: (err as RollBackAndAnswer<T>).after() });
        } catch (afterErr) {
          results.push({ thrown: afterErr });
        }
      }
    }
  });

  function runQueued(): void {
    const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
    queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
    // the rest waits for the next turn, so this batch's answers leave first
    if (queue.length > 0) setImmediate(runQueued);
    else scheduled = false;
    const results: ({ ok: T } | { thrown: unknown })[] = [];
    let failure: { err: unknown } | undefined;
    try {
      runBatch.immediate(batch, results);
    } catch (err) {
      failure = { err };
    }
    batch.forEach((change, i) => {
      const result = results[i];
      // a request that threw was rolled back to its savepoint: its answer needs no commit
      if (result && 'thrown' in result) change.reject(result.thrown);
      else if (failure || !result) change.reject(failure?.err);
      else change.resolve(result.ok);
    });
  }

  return {
    submit(input) {
      return new Promise<T>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(runQueued);
        }
      });
    },
  };
}

/**
 * Group read: the reads that arrive in one turn of the event loop run in read transactions of up
 * to MAX_READ_BATCH reads (a deferred BEGIN, which takes no write lock; a batch runs as soon as it
 * is full, the rest at the end of the turn), and each batch shares its snapshot and
 * its locks. A statement on its own opens and closes a read transaction of its own (the WAL's
 * file and shared-memory locks), which cost a read more than its statements (bench/emulator). A
 * read that throws fails alone; `run` must not write.
 */
export function groupRead<I, T>(db: Database, run: (input: I) => T): GroupCommit<I, T> {
  let queue: PendingChange<I, T>[] = [];
  let scheduled = false;
  const runBatch = db.transaction((batch: PendingChange<I, T>[], results: ({ ok: T } | { thrown: unknown })[]) => {
    for (const read of batch) {
      try {
        results.push({ ok: run(read.input) });
      } catch (err) {
        results.push({ thrown: err });
      }
    }
  });

  /** Runs the oldest MAX_READ_BATCH reads in one read transaction and settles them. */
  function runBatchOf(): void {
    if (queue.length === 0) return;
    const batch = queue.length <= MAX_READ_BATCH ? queue : queue.slice(0, MAX_READ_BATCH);
    queue = queue.length <= MAX_READ_BATCH ? [] : queue.slice(MAX_READ_BATCH);
    const results: ({ ok: T } | { thrown: unknown })[] = [];
    let failure: { err: unknown } | undefined;
    try {
      runBatch.deferred(batch, results);
    } catch (err) {
      failure = { err };
    }
    batch.forEach((read, i) => {
      const result = results[i];
      // an answer computed before a failed COMMIT (a read transaction's cannot fail) still stands
      if (result && 'ok' in result) read.resolve(result.ok);
      else read.reject(result ? result.thrown : failure?.err);
    });
  }

  function runQueued(): void {
    scheduled = false;
    runBatchOf();
    // the rest waits for the next turn, so this batch's answers leave first
    if (queue.length > 0) schedule();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(runQueued);
  }

  return {
    submit(input) {
      return new Promise<T>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        // a full batch runs at once, while the turn is still reading requests: its answers leave
        // then, and the client starts on them while the emulator reads the rest
        if (queue.length >= MAX_READ_BATCH && !db.inTransaction) runBatchOf();
        else schedule();
      });
    },
  };
}
