import { type ActionSpec, getPath } from '../api/catalog.js';
import type { CallResult, Client } from './client.js';

/**
 * Follows PageNumber until every item of the list field is in hand (or a page comes back empty),
 * and returns one response of the same shape holding them all.
 */
export async function callAll(client: Client, action: ActionSpec, params: Record<string, unknown>, pageSize = 50): Promise<CallResult> {
  const listField = action.listField;
  if (!listField) throw new Error(`${action.name} has no list to page through`);
  const size = Number(params.PageSize ?? pageSize);
  let page = Number(params.PageNumber ?? 1);
  const items: unknown[] = [];
  let first: CallResult | undefined;
  for (;;) {
    const res = await client.call(action.name, { ...params, PageNumber: page, PageSize: size });
    first ??= res;
    const batch = (getPath(res.data, listField) as unknown[] | undefined) ?? [];
    items.push(...batch);
    const container = listField.includes('.') ? getPath(res.data, listField.split('.').slice(0, -1).join('.')) : res.data;
    const total = Number((container as Record<string, unknown>)?.TotalCount ?? res.data.TotalCount ?? Number.NaN);
    if (batch.length === 0 || batch.length < size || (Number.isFinite(total) && items.length >= total)) break;
    page++;
  }
  const merged = structuredClone(first.data);
  const parts = listField.split('.');
  const holder = (parts.length > 1 ? getPath(merged, parts.slice(0, -1).join('.')) : merged) as Record<string, unknown>;
  holder[parts[parts.length - 1] as string] = items;
  if ('PageNumber' in holder) holder.PageNumber = 1;
  if ('PageSize' in holder) holder.PageSize = items.length;
  return { ...first, data: merged, raw: JSON.stringify(merged) };
}
