import { type ActionSpec, getPath, type Paginator } from '../api/catalog.js';
import type { CallResult, Client } from './client.js';

/**
 * Paging, read from the model's paginators (generated data: which request parameters are the page
 * and its size, where the response has its items, total and echo). The one module that knows how
 * a paged answer is laid out: `--all` follows it, and the page footer is drawn from pageOf.
 */

/** Where a paged answer stands: its page number, the page size and the total. */
export interface PageState {
  number: number;
  size: number;
  total: number;
}

/** The page an answer is, or undefined when it does not say its total. */
export function pageOf(paginator: Paginator, data: unknown): PageState | undefined {
  const items = getPath(data, paginator.items);
  const shown = Array.isArray(items) ? items.length : 0;
  const total = Number(getPath(data, paginator.total) ?? Number.NaN);
  if (!Number.isFinite(total)) return undefined;
  return { number: Number(getPath(data, paginator.echoPage) ?? 1), size: Number(getPath(data, paginator.echoSize) ?? shown), total };
}

/** Sets the value at a dotted path that exists in a response body. */
function setPath(obj: unknown, path: string, value: unknown): void {
  const parts = path.split('.');
  const holder = (parts.length > 1 ? getPath(obj, parts.slice(0, -1).join('.')) : obj) as Record<string, unknown> | undefined;
  const last = parts[parts.length - 1] as string;
  if (holder && typeof holder === 'object') holder[last] = value;
}

/** Removes the field at a dotted path of a response body, if it is there. */
function deletePath(obj: unknown, path: string | undefined): void {
  if (!path) return;
  const parts = path.split('.');
  const holder = (parts.length > 1 ? getPath(obj, parts.slice(0, -1).join('.')) : obj) as Record<string, unknown> | undefined;
  if (holder && typeof holder === 'object') delete holder[parts[parts.length - 1] as string];
}

/**
 * Follows the page parameter until every item is in hand (or a page comes back short or empty), and
 * returns one response of the same shape holding them all, without the page number and size that
 * describe one page (the total stays).
 */
export async function callAll(client: Client, action: ActionSpec, params: Record<string, unknown>, pageSize = 50): Promise<CallResult> {
  const p = action.paginator;
  if (!p) throw new Error(`${action.name} has no paginator`);
  const size = Number(params[p.size] ?? pageSize);
  let page = Number(params[p.page] ?? 1);
  const items: unknown[] = [];
  let first: CallResult | undefined;
  for (;;) {
    const res = await client.call(action.name, { ...params, [p.page]: page, [p.size]: size });
    first ??= res;
    const batch = (getPath(res.data, p.items) as unknown[] | undefined) ?? [];
    items.push(...batch);
    const total = Number(getPath(res.data, p.total) ?? Number.NaN);
    if (batch.length === 0 || batch.length < size || (Number.isFinite(total) && items.length >= total)) break;
    page++;
  }
  const merged = structuredClone(first.data);
  setPath(merged, p.items, items);
  // the page number and size describe one page, and the merged answer is every page: they are
  // left out (a size of "1" for one item, or of the request's 50, would both mislead)
  deletePath(merged, p.echoPage);
  deletePath(merged, p.echoSize);
  return { ...first, data: merged, raw: JSON.stringify(merged) };
}
