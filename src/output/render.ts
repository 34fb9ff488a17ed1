import type { RenderOptions } from './formats/index.js';
import { FORMATS } from './formats/index.js';
import { applyQuery } from './query.js';
import type { Output, RenderTarget } from './types.js';

export type { OutputFormat, RenderOptions } from './formats/index.js';
export { OUTPUT_FORMATS } from './formats/index.js';
export { columnsFor, flattenObject, type Rows, rowsOf } from './formats/rows.js';
export { applyQuery, checkQuery } from './query.js';
export type { Column, Output, RenderTarget, View } from './types.js';

/** The one place that turns a result into text: --query, then the chosen format (formats/index.ts). */
export async function render(out: Output, opts: RenderOptions, target: RenderTarget): Promise<void> {
  const format = FORMATS[opts.format];
  let shown = out;
  if (opts.query && format.acceptsQuery) {
    let data: unknown;
    try {
      data = await applyQuery(out.data, opts.query);
    } catch (e) {
      // the answer has arrived (and any change was made): show it whole, then name the query error
      await render(out, { ...opts, query: undefined }, target);
      throw e;
    }
    shown = { ...out, data, view: { columns: undefined } };
  }
  await (await format.load())(shown, opts, target);
}
