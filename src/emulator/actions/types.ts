import type { ActionName, ActionParams } from '../../api/catalog.js';
import type { ActionSpec } from '../../api/types.js';
import type { Database } from '../db.js';
import type { Params } from '../params.js';
import type { EmulatorState } from '../state.js';

export type { EmulatorState } from '../state.js';

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
