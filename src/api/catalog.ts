import { ACTION_SPECS, CATALOG_INFO } from './generated/catalog.js';
import { ACTION_NAMES, type ActionName } from './generated/model.js';
import type { ActionSpec } from './types.js';

export { ACTION_SPECS } from './generated/catalog.js';
export type {
  ActionErrors,
  ActionName,
  ActionParams,
  ActionResponses,
  ErrorCode,
  GroupActions,
  ParamName,
  Params,
  Response,
} from './generated/model.js';
export { ACTION_NAMES } from './generated/model.js';
export type { ActionSpec, Paginator, ParamRules, ParamSpec, ParamType, SeedError } from './types.js';

export const API_VERSION = CATALOG_INFO.version;
export const PRODUCT = CATALOG_INFO.product;
export const ENDPOINTS: Readonly<Record<string, string>> = CATALOG_INFO.endpoints;
/**
 * Every action, in the spec's order (each spec parsed then, so a function: a command that names
 * one action reads only that one). Look one up by its name in ACTION_SPECS.
 */
export function allActions(): readonly ActionSpec[] {
  return ACTION_NAMES.map((n) => ACTION_SPECS[n]);
}
export const DEFAULT_REGION = 'cn-shanghai';

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(ACTION_SPECS, name);
}

/**
 * The action a user or a peer named (`vn call NAME`, an emulated request's Action): undefined when
 * the model has none. Code that names an action itself reads ACTION_SPECS[name], never undefined.
 */
export function lookupAction(name: string): ActionSpec | undefined {
  return isActionName(name) ? ACTION_SPECS[name] : undefined;
}

/** Reads a dotted path such as "DownloadTasks.List" out of a response body. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function regionHost(region: string): string | undefined {
  return ENDPOINTS[region];
}
