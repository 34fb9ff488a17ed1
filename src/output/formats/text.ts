import { sanitizeDeep } from '../sanitize.js';
import type { Output, FormatterOptions as RenderOptions, RenderTarget } from '../types.js';

/**
 * Raw values for scripts, as `jq -r` prints them (usually after --query): a string without quotes,
 * a list of scalars one per line, a list of lists one tab-separated row each, an object as
 * key<TAB>value lines. A number or boolean prints as JSON writes it, null as nothing, and a nested
 * list or object as one compact JSON value. Inside a tab-separated row (a list of lists, an object's
 * values) tabs, newlines and backslashes are escaped as jq's @tsv does (\t \n \r \\), so every row
 * stays one line; a bare string or a list's string prints as it is.
 */
export default function text(out: Output, _opts: RenderOptions, target: RenderTarget): void {
  // network text: on a terminal its control characters are shown, not obeyed (sanitize.ts)
  const data = target.isTTY ? sanitizeDeep(out.data) : out.data;
  const lines: string[] = [];
  if (Array.isArray(data)) {
    for (const item of data) lines.push(Array.isArray(item) ? item.map(cell).join('\t') : raw(item));
  } else if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) lines.push(`${tsvEscape(k)}\t${cell(v)}`);
  } else {
    lines.push(raw(data));
  }
  if (lines.length > 0) target.write(`${lines.join('\n')}\n`);
}

/** A value on a line of its own: strings unquoted, other scalars as JSON, null and undefined as nothing. */
function raw(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? '';
}

/** A value in a tab-separated row. */
function cell(v: unknown): string {
  return tsvEscape(raw(v));
}

function tsvEscape(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] as string);
}
