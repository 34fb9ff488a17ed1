import { formatCell } from '../format-value.js';
import { sanitizeDeep } from '../sanitize.js';
import type { Output, FormatterOptions as RenderOptions, RenderTarget } from '../types.js';
import { flattenObject, isScalar, pageFooter, rowsOf, tsvCell } from './rows.js';

/**
 * The table family: `table` (fitted to the terminal), `wide` (every field, uncut) and `tsv`. Each
 * shows network text in cells, so its control characters are neutralised first; named views
 * (`view.kind`) draw a result that reads better as something other than rows.
 */
type Family = 'table' | 'wide' | 'tsv';

async function showView(out: Output, opts: RenderOptions, format: 'table' | 'tsv', target: RenderTarget): Promise<boolean> {
  if (!out.view?.kind || opts.query) return false;
  const { renderView } = await import('../views/index.js');
  return renderView(out.view.kind, out.data, format, target);
}

async function drawFamily(family: Family, source: Output, opts: RenderOptions, target: RenderTarget): Promise<void> {
  const out: Output = { ...source, data: sanitizeDeep(source.data) };
  const data = out.data;
  const view = out.view ?? {};
  const wide = family === 'wide';
  // views know "table"; wide is a table with every column and no cutting
  const format = family === 'tsv' ? 'tsv' : 'table';
  const tableTarget: RenderTarget = wide ? { ...target, columns: undefined } : target;
  if (await showView(out, opts, format, tableTarget)) return;
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
  if (isScalar(data)) {
    target.write(`${data ?? ''}\n`);
    return;
  }
  const { table: drawTable, keyValueTable } = await import('../table.js');
  if (rows) {
    if (rows.rows.length === 0) {
      target.write(`${target.color ? (await import('chalk')).default.dim('(no items)') : '(no items)'}\n`);
    } else if (rows.headers.length === 0) {
      // a list of lists (`--query 'Instances[].[InstanceId,Name]'`): rows without a header
      const { drawRows, fitWidths, truncate, displayWidth } = await import('../table.js');
      const n = Math.max(...rows.rows.map((r) => r.length));
      const cells = rows.rows.map((r) => Array.from({ length: n }, (_, i) => (r[i] ?? '').replace(/[\r\n\t]+/g, ' ')));
      const natural = Array.from({ length: n }, (_, i) => Math.max(...cells.map((r) => displayWidth(r[i] as string))));
      const widths = fitWidths(
        natural,
        natural.map(() => 1),
        tableTarget.columns,
      );
      for (const line of drawRows(
        cells.map((r) => r.map((c, i) => truncate(c, widths[i] as number))),
        widths,
      ))
        target.write(`${line}\n`);
    } else {
      target.write(`${drawTable(rows.headers, rows.rows, tableTarget, { fit: rows.fit })}\n`);
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

export const table = (out: Output, opts: RenderOptions, target: RenderTarget) => drawFamily('table', out, opts, target);
export const wide = (out: Output, opts: RenderOptions, target: RenderTarget) => drawFamily('wide', out, opts, target);
export const tsv = (out: Output, opts: RenderOptions, target: RenderTarget) => drawFamily('tsv', out, opts, target);
