import { createHash } from 'node:crypto';
import { type ActionSpec, API_VERSION, lookupAction } from '../api/catalog.js';
import { type ParamIssue, validateParams } from '../api/validate.js';
import type { ActionContext, ActionHandler, HandlerTable } from './actions/types.js';
import { authenticate, type Credentials, checkPolicy, claimedAction, type Verified } from './auth/index.js';
import { ApiError } from './errors.js';
import { RollBackAndAnswer } from './group-commit.js';
import { RequestParams } from './params.js';
import type { EmulatorState } from './state.js';

/**
 * The API gateway in front of the handlers: every API request goes through API_STEPS in order —
 * authenticate (signature, clock, replay: auth/) → resolve (Version, Action) → policy (RAM) →
 * validate (the model's one validator) → dispatch (the action's handler). It knows nothing of
 * HTTP: the request pipeline (pipeline.ts) hands it a parsed request and writes out what it returns.
 */

/** One API request as the gateway sees it. */
export interface RequestInput {
  method: string;
  /** Query and form parameters merged. */
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  now: number;
  /** The wall clock, when a virtual clock makes it differ from `now` (auth/types.ts IncomingSigned). */
  wallNow?: number;
  requestId: string;
  /** True when the request runs inside a write transaction (a change): its nonce is recorded at once. */
  inWriteTransaction: boolean;
}

export type DispatchOutcome = { body: Record<string, unknown>; action: string } | ApiError;

export interface Gateway {
  /**
   * Verifies and runs one request (a change inside its own savepoint of a group commit). A refusal
   * before the nonce is recorded (bad signature, unknown key, clock) is thrown, rolling all of the
   * request back; any error after it is returned, so the nonce stays used, as at the gateway — for a
   * change whose handler refused, as a RollBackAndAnswer that undoes its writes and records the nonce again.
   */
  answer(input: RequestInput): DispatchOutcome;
  /** Whether the request claims an action that changes state (it then runs in a group commit). */
  isChange(params: Record<string, string>, headers: RequestInput['headers']): boolean;
}

/** One API request on its way through the gateway's steps; a step that answers sets `body`. */
interface ApiCall {
  input: RequestInput;
  who: Verified | undefined;
  action: ActionSpec | undefined;
  actionParams: Record<string, string> | undefined;
  body: Record<string, unknown> | undefined;
  /** The handler of a change has run (it may have written before it threw). */
  changeDispatched: boolean;
}

interface GatewayEnv {
  state: EmulatorState;
  handlers: HandlerTable;
  credentials: Credentials;
  /** The handler of a change outside a group commit, in a transaction of its own (built once). */
  inSavepoint: (handler: ActionHandler, ctx: ActionContext<string>) => Record<string, unknown>;
}

type ApiStep = (call: ApiCall, env: GatewayEnv) => void;

/** 1. who is calling (auth/): thrown, so the whole request (its nonce too) is undone. */
const authenticateStep: ApiStep = (call, env) => {
  const { method, params, query, headers, raw, now, wallNow, inWriteTransaction } = call.input;
  const bodyHash = () => createHash('sha256').update(raw).digest('hex');
  call.who = authenticate({ method, params, query, headers, bodyHash, hasBody: raw.length > 0, now, wallNow, inWriteTransaction }, env.credentials);
};

/** 2. the version and the action it names: the model's, or none (the table has a handler for each of the model's). */
const resolve: ApiStep = (call) => {
  const who = call.who as Verified;
  if (who.version !== API_VERSION) {
    throw new ApiError('InvalidVersion', `Specified parameter Version is not valid. Supported: ${API_VERSION}.`, 400);
  }
  const action = lookupAction(who.action);
  if (!action) throw new ApiError('InvalidAction.NotFound', `Specified api is not found, please check your url and method.`, 404);
  call.action = action;
};

/** 3. the key's policy (RAM) allows the action. */
const policy: ApiStep = (call) => {
  const who = call.who as Verified;
  const role = who.issued;
  const principal = role
    ? { type: 'AssumedRoleUser' as const, displayName: `${role.roleArn.slice(role.roleArn.lastIndexOf('/') + 1)}:${role.sessionName}` }
    : undefined;
  checkPolicy(who.policy, call.action as ActionSpec, who.accessKeyId, principal);
};

/** 4. the action's parameters, by the model's one validator. */
const validate: ApiStep = (call) => {
  const action = call.action as ActionSpec;
  const actionParams = pickActionParams(call.input.params, actionParamNames(action));
  const refusal = paramRefusal(validateParams(action, actionParams, { allowUnknown: true }));
  if (refusal) {
    // the SDK-envelope actions (GetAsrConfig, …) answer even a refusal inside their envelope
    if (!action.envelope) throw refusal;
    call.body = { Code: refusal.code, Success: false, HttpStatusCode: refusal.httpStatus, ErrorMsg: refusal.message };
  }
  call.actionParams = actionParams;
};

/**
 * 5. the action's handler: a change that fails half-way is undone; the recorded nonce stays. In a
 * group commit the change's one savepoint (group-commit.ts) does the undoing (answer() below);
 * a change outside one gets a transaction of its own.
 */
const dispatch: ApiStep = (call, env) => {
  const action = call.action as ActionSpec;
  const { now, requestId } = call.input;
  const ctx: ActionContext<string> = {
    state: env.state,
    store: env.state.store,
    action,
    params: new RequestParams(call.actionParams as Record<string, string>, action.paginator),
    now,
    requestId,
    accessKeyId: (call.who as Verified).accessKeyId,
  };
  const handler = env.handlers[action.name] as ActionHandler;
  if (action.readOnly) call.body = handler(ctx);
  else if (call.input.inWriteTransaction) {
    call.changeDispatched = true;
    call.body = handler(ctx);
  } else call.body = env.inSavepoint(handler, ctx);
};

/** The gateway's steps, in order; the first that sets the call's body answers it. */
export const API_STEPS: readonly ApiStep[] = [authenticateStep, resolve, policy, validate, dispatch];

export function createGateway(opts: { state: EmulatorState; handlers: HandlerTable; credentials: Credentials }): Gateway {
  const env: GatewayEnv = {
    ...opts,
    // built once: creating a better-sqlite3 transaction function costs more than running one
    inSavepoint: opts.state.store.transaction((handler: ActionHandler, ctx: ActionContext<string>) => handler(ctx)),
  };

  function answer(input: RequestInput): DispatchOutcome {
    const call: ApiCall = { input, who: undefined, action: undefined, actionParams: undefined, body: undefined, changeDispatched: false };
    try {
      for (const step of API_STEPS) {
        step(call, env);
        if (call.body !== undefined) break;
      }
      return { body: call.body as Record<string, unknown>, action: (call.action as ActionSpec).name };
    } catch (err) {
      // once authenticated (its nonce used), a refusal is the answer; before, it undoes the request
      if (!(err instanceof ApiError) || call.who === undefined) throw err;
      if (!call.changeDispatched) return err;
      // a change's handler refused after it may have written: its savepoint is rolled back (the
      // nonce with it), then the nonce is recorded again, in the same batch, and the refusal answered
      const { nonce } = call.who;
      throw new RollBackAndAnswer<DispatchOutcome>(() => {
        env.credentials.nonces.use(nonce, input.now, true);
        return err;
      });
    }
  }

  return {
    answer,
    isChange(params, headers) {
      const named = lookupAction(claimedAction(params, headers) ?? '');
      return named !== undefined && !named.readOnly;
    },
  };
}

/** The seed's codes for what the shared validator found: MissingX, else InvalidParameter (HTTP 400). */
function paramRefusal(issues: ParamIssue[]): ApiError | undefined {
  const missing = issues.find((i) => i.kind === 'missing');
  if (missing) return new ApiError(`Missing${missing.param}`, `${missing.param} is mandatory for this action.`, 400);
  const invalid = issues.find((i) => i.kind === 'invalid');
  if (invalid) return new ApiError('InvalidParameter', `The specified parameter ${invalid.param} is invalid. ${invalid.reason}.`, 400);
  return undefined;
}

const paramNames = new WeakMap<ActionSpec, Set<string>>();
function actionParamNames(action: ActionSpec): Set<string> {
  let names = paramNames.get(action);
  if (!names) {
    names = new Set(action.params.map((p) => p.name));
    paramNames.set(action, names);
  }
  return names;
}

/** The request's parameters that belong to the action (repeat-list Name.N included), without the common ones. */
function pickActionParams(all: Record<string, string>, names: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in all) {
    const last = k.charCodeAt(k.length - 1);
    // only a name ending in a digit can be a repeat-list Name.N
    if (names.has(k) || (last >= 48 && last <= 57 && names.has(k.replace(/\.\d+$/, '')))) out[k] = all[k] as string;
  }
  return out;
}
