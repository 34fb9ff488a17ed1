import type { ActionSpec } from '../../api/types.js';
import type { Database } from '../db.js';
import type { Params } from '../params.js';

/** Shared, long-lived emulator state handed to every handler. */
export interface EmulatorState {
  db: Database;
  /** Base URL the emulator is reachable at (for URLs it hands out). */
  baseUrl: string;
  /** Key for signing the file URLs it hands out (shared by processes through the database). */
  fileKey: Buffer;
  /** The options it was started with (chatbotsFile, latency, …). */
  options: import('../server.js').EmulatorOptions;
  /** Extra per-module state, keyed by module name. */
  extras: Map<string, unknown>;
}

export interface ActionContext {
  state: EmulatorState;
  db: Database;
  action: ActionSpec;
  params: Params;
  /** Epoch ms of this request. */
  now: number;
  requestId: string;
  accessKeyId: string;
}

/** Returns the response fields (RequestId is added by the server). Throws ApiError. */
export type ActionHandler = (ctx: ActionContext) => Record<string, unknown>;

/** A route for files the emulator serves (exports, audio). Returns undefined when not its path. */
export type FileRoute = (state: EmulatorState, url: URL, now: number) => FileResponse | undefined;

export interface FileResponse {
  status: number;
  contentType: string;
  body: Buffer;
  fileName?: string;
}
