import { getPath } from '../api/catalog.js';
import { UsageError } from '../errors.js';
import { COLUMNS_BY_LIST_FIELD } from './columns.js';
import { formatCell } from './format-value.js';
import type { Column, Output, RenderOptions, RenderTarget, View } from './types.js';

export type { Column, Output, OutputFormat, RenderOptions, RenderTarget, View } from './types.js';
export { OUTPUT_FORMATS } from './types.js';

let jmespath: typeof import('@jmespath-community/jmespath') | undefined;

/** Compiles a JMESPath expression early, so a bad one is a usage error before anything is sent. */
export async function checkQuery(expr: string): Promise<void> {
  jmespath ??= await import('@jmespath-community/jmespath');
  try {
    jmespath.compile(expr);
  } catch (e) {
    throw new UsageError(`invalid --query "${expr}": ${(e as Error).message}`);
  }
}

export async function applyQuery(data: unknown, expr: string): Promise<unknown> {
  jmespath ??= await import('@jmespath-community/jmespath');
  try {
    return jmespath.search(data as Parameters<typeof jmespath.search>[0], expr);
  } catch (e) {
    throw new UsageError(`--query "${expr}" failed: ${(e as Error).message}`);
  }
}

/** The one place that turns a result into text. */
export async function render(out: Output, opts: RenderOptions, target: RenderTarget): Promise<void> {
  if (opts.format === 'xml') {
    if (out.raw !== undefined && /^\s*</.test(out.raw)) target.write(out.raw.endsWith('\n') ? out.raw : `${out.raw}\n`);
    else target.write(`${(await import('./xml.js')).toXml(out.data, 'Response')}\n`);
    return;
  }
  let data = out.data;
  let view = out.view ?? {};
  if (opts.query) {
    data = await applyQuery(data, opts.query);
    view = { columns: undefined };
  }
  if (opts.format === 'json') {
    if (!opts.query && out.raw !== undefined && !target.isTTY && !/^\s*</.test(out.raw)) {
      target.write(out.raw.endsWith('\n') ? out.raw : `${out.raw}\n`);
    } else {
      target.write(`${JSON.stringify(data, null, 2)}\n`);
    }
    return;
  }
  if (view.kind && !opts.query) {
    const { renderView } = await import('./views/index.js');
    if (await renderView(view.kind, data, opts.format, target)) return;
  }
  if (opts.format === 'table' && view.message && !opts.query) {
    target.write(`${view.message}\n`);
    return;
  }
  const rows = rowsOf(data, view);
  if (opts.format === 'tsv') {
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
    } else {
      target.write(`${table(rows.headers, rows.rows, target)}\n`);
    }
    const footer = pageFooter(data, view.listField, rows.rows.length);
    if (footer) target.write(`${footer}\n`);
    return;
  }
  target.write(
    `${keyValueTable(
      flattenObject(data as Record<string, unknown>).map(([k, v]) => [k, formatCell(k, v)]),
      target,
    )}\n`,
  );
}

function isScalar(v: unknown): boolean {
  return v === null || v === undefined || typeof v !== 'object';
}

function tsvCell(s: string): string {
  return s.replace(/[\t\n\r]/g, ' ');
}

/** The rows of a list result, with headers, or undefined when the data is one object. */
export function rowsOf(data: unknown, view: View): { headers: string[]; rows: string[][] } | undefined {
  let list: unknown;
  if (Array.isArray(data)) list = data;
  else if (view.listField) list = getPath(data, view.listField);
  if (!Array.isArray(list)) return undefined;
  if (list.every(isScalar)) return { headers: ['VALUE'], rows: list.map((v) => [String(v ?? '')]) };
  const columns = view.columns ?? (view.listField ? COLUMNS_BY_LIST_FIELD[view.listField] : undefined) ?? inferColumns(list as Record<string, unknown>[]);
  return {
    headers: columns.map((c) => c.header ?? c.key),
    rows: (list as Record<string, unknown>[]).map((row) =>
      columns.map((c) => {
        const v = c.key.includes('.') ? getPath(row, c.key) : row?.[c.key];
        return c.format ? c.format(v, row) : formatCell(c.key, v);
      }),
    ),
  };
}

function inferColumns(list: Record<string, unknown>[]): Column[] {
  const keys: string[] = [];
  for (const row of list.slice(0, 20)) {
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

function pageFooter(data: unknown, listField: string | undefined, shown: number): string | undefined {
  if (!listField || Array.isArray(data)) return undefined;
  const container = (listField.includes('.') ? getPath(data, listField.split('.').slice(0, -1).join('.')) : data) as Record<string, unknown>;
  const total = Number(container?.TotalCount);
  if (!Number.isFinite(total)) return undefined;
  const page = Number(container?.PageNumber ?? 1);
  const size = Number(container?.PageSize ?? shown);
  if (total <= shown) return `${total} in all`;
  return `page ${page} of ${Math.max(1, Math.ceil(total / Math.max(1, size)))} · ${shown} shown of ${total} (--all for every page)`;
}
