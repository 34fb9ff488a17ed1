import type { ActionName, Params, Response } from './api/catalog.js';
import type { FlagParams } from './api/types.js';
import type { CallOptions, Client } from './client/client.js';
import type { Output } from './output/types.js';

/**
 * The ports the domain modules (manifest/, dialogue/, output/, completion/instances.ts) are given
 * by the shell: what they may use of the outside, as types only. The shell (context.ts, factory.ts,
 * commands/) implements them; the domain imports nothing from it (test/architecture.test.ts).
 */

/** The time now (tests pass a fixed one). */
export type Clock = () => Date;

export interface CallAsOutput extends CallOptions {
  /** Follow every page (--all). */
  all?: boolean;
}

/** One API call of Voice Navigator as an Output ready for render(): the validator, the signer, retries, --all and -o xml. */
export type ApiCaller = <A extends ActionName>(action: A, params: Params<A> | FlagParams, opts?: CallAsOutput) => Promise<Output<Response<A>>>;

/**
 * Per-command policy for the client a command (or a domain module) is given, instead of a write to
 * the global options: the dialogue test's per-turn timeout, completion's short fetch without
 * retries, apply's reads sent under --dry-run. Unset fields keep the global options' values.
 */
export interface ClientPolicy {
  timeoutMs?: number;
  retries?: number;
  dryRun?: boolean;
  debug?: boolean;
}

/** The signed client of one product, as a domain module calls it (the raw CallResult, no rendering). */
export type ApiClient = Client;
