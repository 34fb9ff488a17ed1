import type { ActionSpec } from '../../api/types.js';
import type { Database } from '../db.js';
import type { Params } from '../params.js';
import type { EmulatorState } from '../state.js';

export type { EmulatorState } from '../state.js';

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
