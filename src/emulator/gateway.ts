import { createHash } from 'node:crypto';
import { type ActionSpec, API_VERSION, lookupAction } from '../api/catalog.js';
import { type ParamIssue, validateParams } from '../api/validate.js';
import type { ActionContext, ActionHandler, HandlerTable } from './actions/types.js';
import { type AccessKey, allowedByPolicy, claimedAction, type NonceStore, type StsToken, verifyRequest } from './auth.js';
import type { Database } from './db.js';
import { ApiError } from './errors.js';
import { Params } from './params.js';
import type { EmulatorState } from './state.js';

/**
 * The API gateway in front of the handlers: every API request goes verify (signature, clock,
 * replay) → policy (RAM) → validate (the model's one validator) → dispatch (the action's handler).
 * It knows nothing of HTTP: http.ts hands it a parsed request and writes out what it returns.
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
  requestId: string;
  /** True when the request runs inside a write transaction (a change): its nonce is recorded at once. */
  inWriteTransaction: boolean;
}

export type Outcome = { body: Record<string, unknown>; action: string } | ApiError;

export interface Gateway {
  /**
   * Verifies and runs one request (a change inside its own savepoint of a group commit). A refusal
   * before the nonce is recorded (bad signature, unknown key, clock) is thrown, rolling all of the
   * request back; any error after it is returned, so the nonce stays used, as at the gateway.
   */
  answer(input: RequestInput): Outcome;
  /** Whether the request claims an action that changes state (it then runs in a group commit). */
  isChange(params: Record<string, string>, headers: RequestInput['headers']): boolean;
}

export function createGateway(opts: {
  state: EmulatorState;
  db: Database;
  handlers: HandlerTable;
  keys: Map<string, AccessKey>;
  nonces: NonceStore;
  tokens?: Map<string, StsToken>;
}): Gateway {
  const { state, db, handlers, keys, nonces, tokens } = opts;
  // built once: creating a better-sqlite3 transaction function costs more than running one
  const inSavepoint = db.transaction((handler: ActionHandler, ctx: ActionContext<string>) => handler(ctx));

  function answer(input: RequestInput): Outcome {
    const { method, params, query, headers, raw, now: t, requestId } = input;
    const bodyHash = () => createHash('sha256').update(raw).digest('hex');
    // 1. verify: thrown, so the whole request (its nonce too) is undone
    const who = verifyRequest({ method, params, query, headers, bodyHash, hasBody: raw.length > 0 }, keys, nonces, t, {
      inWriteTransaction: input.inWriteTransaction,
      tokens,
    });
    try {
      if (who.version !== API_VERSION) {
        throw new ApiError('InvalidVersion', `Specified parameter Version is not valid. Supported: ${API_VERSION}.`, 400);
      }
      // the request names any action it likes: the model's, or none (the table has a handler for each of the model's)
      const action = lookupAction(who.action);
      if (!action) throw new ApiError('InvalidAction.NotFound', `Specified api is not found, please check your url and method.`, 404);
      // 2. policy
      if (!allowedByPolicy(who.policy, action)) throw forbidden(action.name, who.accessKeyId);
      // 3. validate
      const actionParams = pickActionParams(params, actionParamNames(action));
      const issues = validateParams(action, actionParams, { allowUnknown: true });
      const refusal = paramRefusal(issues);
      if (refusal) {
        // the SDK-envelope actions (GetAsrConfig, …) answer even a refusal inside their envelope
        if (action.envelope)
          return { body: { Code: refusal.code, Success: false, HttpStatusCode: refusal.httpStatus, ErrorMsg: refusal.message }, action: action.name };
        throw refusal;
      }
      // 4. dispatch: a change that fails half-way is undone to a savepoint; the recorded nonce stays
      const ctx = { state, db, action, params: new Params(actionParams, action.paginator), now: t, requestId, accessKeyId: who.accessKeyId };
      const handler = handlers[action.name] as ActionHandler;
      const body = action.readOnly ? handler(ctx) : inSavepoint(handler, ctx);
      return { body, action: action.name };
    } catch (err) {
      if (err instanceof ApiError) return err;
      throw err;
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

/** The account every emulated key belongs to (AccessDeniedDetail.AuthPrincipalOwnerId). */
export const EMULATOR_ACCOUNT_ID = '1000000000000000';

/**
 * Forbidden.RAM as the gateway answers it, with its AccessDeniedDetail: which policy type denied
 * which action to which principal. The emulator's keys stand for RAM users (SubUser) of one
 * account, their policies attached to the user (AccountLevelIdentityBasedPolicy); nothing allows
 * the action, so the denial is implicit. EncodedDiagnosticMessage is base64 of that same detail as
 * JSON (the real one is opaque, decoded by RAM's DecodeDiagnosticMessage). (docs/emulator.md)
 */
export function forbidden(action: string, accessKeyId: string): ApiError {
  const authAction = `voicebot:${action}`;
  const diagnostic = { AuthAction: authAction, AuthResource: '*', AuthPrincipalType: 'SubUser', AuthPrincipalDisplayName: accessKeyId, ExplicitDeny: false };
  return new ApiError('Forbidden.RAM', `User not authorized to operate on the specified resource, or this API doesn't support RAM. (${authAction})`, 403, {
    AccessDeniedDetail: {
      AuthAction: authAction,
      AuthPrincipalDisplayName: accessKeyId,
      AuthPrincipalOwnerId: EMULATOR_ACCOUNT_ID,
      AuthPrincipalType: 'SubUser',
      EncodedDiagnosticMessage: Buffer.from(JSON.stringify(diagnostic)).toString('base64'),
      NoPermissionType: 'ImplicitDeny',
      PolicyType: 'AccountLevelIdentityBasedPolicy',
    },
  });
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
