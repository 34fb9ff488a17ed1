import type { Database } from './db.js';
import type { EmulatorOptions } from './options.js';

/** Shared, long-lived emulator state handed to every handler. */
export interface EmulatorState {
  db: Database;
  /** Base URL the emulator is reachable at (for URLs it hands out). */
  baseUrl: string;
  /** Key for signing the file URLs it hands out (shared by processes through the database). */
  fileKey: Buffer;
  /** The options it was started with (chatbotsFile, latency, …). */
  options: EmulatorOptions;
  /** Extra per-module state, keyed by module name. */
  extras: Map<string, unknown>;
}
