import { getPath } from '../../api/catalog.js';
import { COLUMNS_BY_LIST_FIELD } from '../columns.js';
import { formatCell } from '../format-value.js';
import type { Column, View } from '../types.js';

/** What the table family (table, wide, tsv) shares: a result's rows and columns. */

export function isScalar(v: unknown): boolean {
  return v === null || v === undefined || typeof v !== 'object';
}

export function tsvCell(s: string): string {
  return s.replace(/[\t\n\r]/g, ' ');
}

export interface Rows {
  headers: string[];
  rows: string[][];
  /** How each column gives way on a narrow terminal. */
  fit?: { flex?: boolean; name?: boolean; optional?: boolean }[];
}

/** The columns a list shows in a table and in TSV, in that order (the command's, else the list field's). */
export function columnsFor(view: View): Column[] | undefined {
  return view.columns ?? (view.listField ? COLUMNS_BY_LIST_FIELD[view.listField] : undefined);
}

/**
 * The rows of a list result, with headers, or undefined when the data is one object. A list of
 * objects gets its columns (every field with `wide`); a list of lists comes back without headers;
 * a list of anything else is one VALUE column.
 */
export function rowsOf(data: unknown, view: View, opts: { wide?: boolean } = {}): Rows | undefined {
  let list: unknown;
  if (Array.isArray(data)) list = data;
  else if (view.listField) list = getPath(data, view.listField);
  if (!Array.isArray(list)) return undefined;
  if (list.length > 0 && list.every((v) => Array.isArray(v))) {
    return { headers: [], rows: (list as unknown[][]).map((r) => r.map((v) => formatCell('', v))) };
  }
  if (!list.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
    return { headers: ['VALUE'], rows: list.map((v) => [formatCell('', v)]) };
  }
  const rowsList = list as Record<string, unknown>[];
  const defined = columnsFor(view);
  let columns = defined ?? inferColumns(rowsList).map((c) => ({ ...c, flex: true }));
  if (opts.wide) {
    const shown = new Set(columns.map((c) => c.key));
    columns = [...columns, ...inferColumns(rowsList).filter((c) => !shown.has(c.key) && !coveredByAlias(c.key, shown))];
  }
  return {
    headers: columns.map((c) => c.header ?? c.key),
    fit: columns.map((c) => ({ flex: c.flex, name: c.name, optional: c.optional })),
    rows: rowsList.map((row) =>
      columns.map((c) => {
        const v = c.key.includes('.') ? getPath(row, c.key) : row?.[c.key];
        return c.format ? c.format(v, row) : formatCell(c.key, v);
      }),
    ),
  };
}

/** Fields that a defined column already shows under its other spelling (see COLUMNS_BY_LIST_FIELD). */
const ALIASES: Record<string, string> = { StartTime: 'BeginTime', Rounds: 'UserUtteranceCount', HasToAgent: 'TransferredToAgent', SkillGroup: 'SkillGroupId' };

function coveredByAlias(key: string, shown: Set<string>): boolean {
  const other = ALIASES[key];
  return other !== undefined && shown.has(other);
}

function inferColumns(list: Record<string, unknown>[]): Column[] {
  const keys: string[] = [];
  for (const row of list.slice(0, 50)) {
    if (row && typeof row === 'object') for (const k of Object.keys(row)) if (!keys.includes(k)) keys.push(k);
  }
  return keys.map((key) => ({ key }));
}

/** Nested objects become dotted keys; arrays of scalars stay one cell. */
export function flattenObject(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...flattenObject(v as Record<string, unknown>, key));
    else out.push([key, v]);
  }
  return out;
}

/** "7 in all", or where this page stands: the view's page (client/paginate.ts, from the model's paginator). */
export function pageFooter(page: View['page'], shown: number): string | undefined {
  if (!page) return undefined;
  const { number, size, total } = page;
  if (total <= shown) return `${total} in all`;
  return `page ${number} of ${Math.max(1, Math.ceil(total / Math.max(1, size)))} · ${shown} shown of ${total} (--all for every page)`;
}
