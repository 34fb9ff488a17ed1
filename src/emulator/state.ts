import type { ChatbotCatalog } from './chatbots/model.js';
import type { EmulatorClock } from './clock.js';
import type { EmulatorOptions } from './options.js';
import type { Database, Store } from './store/index.js';

/** Shared, long-lived emulator state handed to every handler. */
export interface EmulatorState {
  /** The data file: every read and write goes through it (emulator/store/). */
  store: Store;
  /** The store's connection, for the lifecycle and for tests that look at the file; handlers use `store`. */
  db: Database;
  /** Base URL the emulator is reachable at (for URLs it hands out). */
  baseUrl: string;
  /** Key for signing the file URLs it hands out (shared by processes through the database). */
  fileKey: Buffer;
  /** The options it was started with (chatbotsFile, latency, …). */
  options: EmulatorOptions;
  /** The chatbots it answers with, loaded on first use (chatbots/load.ts chatbotCatalog). */
  chatbots?: ChatbotCatalog;
  /** The one clock (clock.ts): virtual with --virtual-clock. Set when the emulator starts. */
  clock?: EmulatorClock;
}
