/** Errors are values with a kind; cli.ts maps each kind to one exit code. */
export class VnError extends Error {
  readonly exitCode: number = 1;
}

/** Bad usage or bad input: nothing was sent. Exit 2. */
export class UsageError extends VnError {
  override readonly exitCode = 2;
  override name = 'UsageError';
  /**
   * Several problems (a file's, each `file:line:col: …`): the error printer writes one line each,
   * as they are, instead of `error: <message>`. The message holds them joined by newlines.
   */
  lines?: readonly string[];
}

/** The service answered with an error body. Exit 1. */
export class ServiceError extends VnError {
  override readonly exitCode = 1;
  override name = 'ServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    readonly requestId: string | undefined,
    readonly body?: string,
  ) {
    super(message);
  }
  /** How long the service asked the caller to wait before trying again (Retry-After, x-acs-retry-after), in ms. */
  retryAfterMs?: number;
  /** Retried only when the server says so and the action may be repeated. */
  get retryable(): boolean {
    return this.httpStatus >= 500 || /^Throttling/.test(this.code) || this.code === 'ServiceUnavailable';
  }
}

/** The service could not be reached (or answered nothing usable). Exit 3. */
export class NetworkError extends VnError {
  override readonly exitCode = 3;
  override name = 'NetworkError';
  constructor(
    message: string,
    /** True when the request may have reached the server (so a non-idempotent call must not be re-sent). */
    readonly maybeDelivered: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No usable credentials. Exit 4. */
export class CredentialsError extends VnError {
  override readonly exitCode = 4;
  override name = 'CredentialsError';
}

/** The user cancelled a request in flight (Ctrl-C during a chat turn). Exit 130, as a shell reports SIGINT. */
export class Cancelled extends VnError {
  override readonly exitCode = 130;
  override name = 'Cancelled';
}

/** A failure that is not the user's, not the service's, and not the network's (e.g. a broken file). Exit 1. */
export class RuntimeFailure extends VnError {
  override readonly exitCode = 1;
  override name = 'RuntimeFailure';
}

/** Thrown after a --dry-run has printed the request: nothing was sent; exit 0. */
export class DryRunDone extends VnError {
  override readonly exitCode = 0;
}

/**
 * `vn diff`: the configurations compared differ (they were printed). Exit 5 — outside 0–4, so a
 * CI job cannot mistake drift for an error; nothing more is printed.
 */
export class DifferencesFound extends VnError {
  override readonly exitCode = 5;
  override name = 'DifferencesFound';
}

/**
 * --query could not be evaluated on an answer that arrived: the call was carried out (a change
 * was made, if the action makes one), so this is never exit 2 ("nothing sent"). The answer is
 * printed unfiltered and the query error named on stderr. Exit 6 — also the code of any usage
 * error that comes after a state-changing call was carried out (program.ts).
 */
export class QueryAfterCallError extends VnError {
  override readonly exitCode = 6;
  override name = 'QueryAfterCallError';
}

/**
 * `--wait-until EXPR`: the expression was still not true of the answer when --wait-timeout passed.
 * Exit 8 — apart from 1 (the service said no) and 3 (unreachable), so a script can tell "not yet"
 * from "broken"; nothing is printed on stdout.
 */
export class WaitTimedOut extends VnError {
  override readonly exitCode = 8;
  override name = 'WaitTimedOut';
}

/** Some conversation did not pass, or the latency gate failed: exit 1 with a one-line summary (the report is already out). */
export class TestsFailed extends VnError {
  override readonly exitCode = 1;
  override name = 'TestsFailed';
}

/**
 * `--min-coverage`: every conversation passed, but the suite reached less of the bot than the
 * threshold asks. Exit 9, after the reports are written, so CI tells "the tests pass but do not
 * cover enough" from a failing test.
 */
export class CoverageUnmet extends VnError {
  override readonly exitCode = 9;
  override name = 'CoverageUnmet';
}

/**
 * `dialogue test --mutate --min-mutation-score S`: the suite killed too few of the mutants that ran
 * (killed / run below S). Exit 10 — the report is out already; apart from 1 (some test failed) so a
 * pipeline can tell a weak suite from a broken one.
 */
export class MutationScoreTooLow extends VnError {
  override readonly exitCode = 10;
  override name = 'MutationScoreTooLow';
}

/**
 * `vn top --once`: a rate or the concurrency passed its `--max-…` threshold (each breach is named
 * on stderr). Exit 12 — apart from 1 (the service said no) and 3 (unreachable), so cron and CI can
 * tell "calls are going worse" from "could not look".
 */
export class ThresholdExceeded extends VnError {
  override readonly exitCode = 12;
  override name = 'ThresholdExceeded';
}

/**
 * `vn apply --test` / `vn diff --test`: a test that passes on the current configuration fails on
 * the planned one, so nothing was applied (the tests and turns that broke are on stderr). Exit 11.
 */
export class ReleaseRefused extends VnError {
  override readonly exitCode = 11;
  override name = 'ReleaseRefused';
}
