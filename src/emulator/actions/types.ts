import type { ActionName, ParamName, Response } from '../../api/catalog.js';
import type { ActionSpec } from '../../api/types.js';
import type { RequestParams } from '../params.js';
import type { EmulatorState } from '../state.js';
import type { Store } from '../store/index.js';

export type { ParamName } from '../../api/catalog.js';
export type { EmulatorState } from '../state.js';

/**
 * What a handler is given. `K` is the parameter names it may read: a handler's are its action's
 * (`ParamName<A>`), and a helper names the ones it reads (`ActionContext<'InstanceId'>`), so only
 * a handler whose action has them can call it (RequestParams is contravariant in K). A helper that reads
 * no parameter takes `ActionContext<never>` or a Pick of it.
 */
export interface ActionContext<in K extends string = never> {
  state: EmulatorState;
  /** The data file's typed reads and writes (state.store). */
  store: Store;
  action: ActionSpec;
  params: RequestParams<K>;
  /** Epoch ms of this request. */
  now: number;
  requestId: string;
  accessKeyId: string;
}

/**
 * Any handler as the gateway calls it, with the parameters of whichever action it dispatched.
 * Returns the response fields (RequestId is added by the server). Throws ApiError.
 */
export type ActionHandler = (ctx: ActionContext<string>) => Record<string, unknown>;

/** One item of a list field of an action's response: `ItemOf<'ListInstances', 'Instances'>`. */
export type ItemOf<A extends ActionName, F extends keyof Response<A>> = NonNullable<Response<A>[F]> extends readonly (infer T)[] ? T : never;

/** The handler of one action: it may read only that action's parameters, and returns its response. */
export type Handler<A extends ActionName> = (ctx: ActionContext<ParamName<A>>) => Response<A>;

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
