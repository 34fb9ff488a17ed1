import { getPath } from '../api/catalog.js';
import { COLUMNS_BY_LIST_FIELD } from './columns.js';
import { formatCell } from './format-value.js';
import { applyQuery } from './query.js';
import { escapeJsonControls, sanitizeDeep, sanitizeText } from './sanitize.js';
import type { Column, Output, OutputFormat, RenderOptions, RenderTarget, View } from './types.js';

export { applyQuery, checkQuery } from './query.js';
export type { Column, Output, OutputFormat, RenderOptions, RenderTarget, View } from './types.js';
export { OUTPUT_FORMATS } from './types.js';

/** The one place that turns a result into text. */
export async function render(out: Output, opts: RenderOptions, target: RenderTarget): Promise<void> {
  if (opts.format === 'xml') {
    // network text: on a terminal its control characters are shown, not obeyed (sanitize.ts)
    const xml = out.raw !== undefined && /^\s*</.test(out.raw) ? out.raw : (await import('./xml.js')).toXml(out.data, 'Response');
    const text = target.isTTY ? sanitizeText(xml) : xml;
    target.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  let data = out.data;
  let view = out.view ?? {};
  if (opts.query) {
    try {
      data = await applyQuery(data, opts.query);
    } catch (e) {
      // the answer has arrived (and any change was made): show it whole, then name the query error
      await render(out, { ...opts, query: undefined }, target);
      throw e;
    }
    view = { columns: undefined };
  }
  if (opts.format === 'json') {
    // one rule: indented on a terminal, one compact line when piped (with or without --query)
    const json = target.isTTY ? JSON.stringify(data ?? null, null, 2) : JSON.stringify(data ?? null);
    target.write(`${escapeJsonControls(json ?? 'null')}\n`);
    return;
  }
  if (opts.format === 'yaml') {
    const { stringify } = await import('yaml');
    target.write(stringify(target.isTTY ? sanitizeDeep(data ?? null) : (data ?? null), { lineWidth: 0 }));
    return;
  }
  // tables, tsv and views show network text in cells: neutralise its control characters first
  data = sanitizeDeep(data);
  const wide = opts.format === 'wide';
  // views and the generic table know "table"; wide is a table with every column and no cutting
  const format: OutputFormat = wide ? 'table' : opts.format;
  const tableTarget: RenderTarget = wide ? { ...target, columns: undefined } : target;
  if (view.kind && !opts.query) {
    const { renderView } = await import('./views/index.js');
    if (await renderView(view.kind, data, format, tableTarget)) return;
  }
  if (format === 'table' && view.message && !opts.query) {
    target.write(`${view.message}\n`);
    return;
  }
  const rows = rowsOf(data, view, { wide });
  if (format === 'tsv') {
    if (rows) {
      for (const r of rows.rows) target.write(`${r.map(tsvCell).join('\t')}\n`);
    } else if (isScalar(data)) {
      target.write(`${data ?? ''}\n`);
    } else {
      for (const [k, v] of flattenObject(data as Record<string, unknown>)) target.write(`${k}\t${tsvCell(formatCell(k, v))}\n`);
    }
    return;
  }
  // table
  if (isScalar(data)) {
    target.write(`${data ?? ''}\n`);
    return;
  }
  const { table, keyValueTable } = await import('./table.js');
  if (rows) {
    if (rows.rows.length === 0) {
      target.write(`${target.color ? (await import('chalk')).default.dim('(no items)') : '(no items)'}\n`);
    } else if (rows.headers.length === 0) {
      // a list of lists (`--query 'Instances[].[InstanceId,Name]'`): rows without a header
      const { fitWidths, truncate, displayWidth } = await import('./table.js');
      const n = Math.max(...rows.rows.map((r) => r.length));
      const natural = Array.from({ length: n }, (_, i) => Math.max(...rows.rows.map((r) => displayWidth(r[i] ?? ''))));
      const widths = fitWidths(
        natural,
        natural.map(() => 1),
        tableTarget.columns,
      );
      for (const r of rows.rows) {
        const line = widths.map((w, i) => {
          const cell = truncate((r[i] ?? '').replace(/[\r\n\t]+/g, ' '), w);
          return cell + ' '.repeat(Math.max(0, w - displayWidth(cell)));
        });
        target.write(`${line.join('  ').trimEnd()}\n`);
      }
    } else {
      target.write(`${table(rows.headers, rows.rows, tableTarget, { fit: rows.fit })}\n`);
    }
    const footer = pageFooter(view.page, rows.rows.length);
    if (footer) target.write(`${footer}\n`);
    return;
  }
  target.write(
    `${keyValueTable(
      flattenObject(data as Record<string, unknown>).map(([k, v]) => [k, formatCell(k, v)]),
      tableTarget,
    )}\n`,
  );
}

function isScalar(v: unknown): boolean {
  return v === null || v === undefined || typeof v !== 'object';
}

function tsvCell(s: string): string {
  return s.replace(/[\t\n\r]/g, ' ');
}

export interface Rows {
  headers: string[];
  rows: string[][];
  /** How each column gives way on a narrow terminal. */
  fit?: { flex?: boolean; optional?: boolean }[];
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
    fit: columns.map((c) => ({ flex: c.flex, optional: c.optional })),
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
function pageFooter(page: View['page'], shown: number): string | undefined {
  if (!page) return undefined;
  const { number, size, total } = page;
  if (total <= shown) return `${total} in all`;
  return `page ${number} of ${Math.max(1, Math.ceil(total / Math.max(1, size)))} · ${shown} shown of ${total} (--all for every page)`;
}
