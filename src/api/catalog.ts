import { CATALOG_DATA } from './catalog.generated.js';
import type { ActionName } from './model.generated.js';
import type { ActionSpec, ParamSpec } from './types.js';

export type { ActionName, ActionParams, ActionResponses, GroupActions, Params, Response } from './model.generated.js';
export { ACTION_NAMES } from './model.generated.js';
export type { ActionSpec, ParamRules, ParamSpec, ParamType, SeedError } from './types.js';

export const API_VERSION = CATALOG_DATA.version;
export const PRODUCT = CATALOG_DATA.product;
export const ENDPOINTS: Readonly<Record<string, string>> = CATALOG_DATA.endpoints;
export const ACTIONS: readonly ActionSpec[] = CATALOG_DATA.actions;
export const DEFAULT_REGION = 'cn-shanghai';

const byName = new Map<string, ActionSpec>(ACTIONS.map((a) => [a.name, a]));

export function isActionName(name: string): name is ActionName {
  return byName.has(name);
}

export function findAction(name: string): ActionSpec | undefined {
  return byName.get(name);
}

export function getAction(name: ActionName): ActionSpec {
  const a = byName.get(name);
  if (!a) throw new Error(`unknown action ${name}`);
  return a;
}

export function getParam(action: ActionSpec, name: string): ParamSpec {
  const p = action.params.find((x) => x.name === name);
  if (!p) throw new Error(`${action.name} has no parameter ${name}`);
  return p;
}

/** Actions whose request carries PageNumber and PageSize and whose response says TotalCount. */
export function isPaginated(action: ActionSpec): boolean {
  return action.params.some((p) => p.name === 'PageNumber') && action.params.some((p) => p.name === 'PageSize');
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

export function endpointFor(region: string): string | undefined {
  return ENDPOINTS[region];
}
