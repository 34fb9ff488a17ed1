import type { ActionName, ActionParams } from '../../api/catalog.js';
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

/** The wire names of an action's parameters (what a handler may read). */
export type ParamName<A extends ActionName> = keyof ActionParams[A] & string;

export interface ActionContext<K extends string = string> {
  state: EmulatorState;
  db: Database;
  action: ActionSpec;
  params: Params<K>;
  /** Epoch ms of this request. */
  now: number;
  requestId: string;
  accessKeyId: string;
}

/** Returns the response fields (RequestId is added by the server). Throws ApiError. */
export type ActionHandler = (ctx: ActionContext) => Record<string, unknown>;

/** The handler of one action: it may read only that action's parameters. */
export type Handler<A extends ActionName> = (ctx: ActionContext<ParamName<A>>) => Record<string, unknown>;

/**
 * Every action of the model has a handler: the emulator's table is this type, so a missing one is
 * a type error (`npm run check`). Each group's module declares `handlers = {…} satisfies Partial<HandlerTable>`.
 */
export type HandlerTable = { [A in ActionName]: Handler<A> };

/** A route for files the emulator serves (exports, audio). Returns undefined when not its path. */
export type FileRoute = (state: EmulatorState, url: URL, now: number) => FileResponse | undefined;

export interface FileResponse {
  status: number;
  contentType: string;
  body: Buffer;
  fileName?: string;
}
