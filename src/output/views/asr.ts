import { formatCell } from '../format-value.js';
import type { ViewRenderer } from '../types.js';

/**
 * GetAsrConfig in table mode, like `tts get`: the settings themselves (the fields of Data), not the
 * envelope around them (Code, Success, HttpStatusCode, ErrorMsg), which says nothing once the call
 * succeeded. -o json/yaml/tsv still show the whole response.
 */
const renderAsr: ViewRenderer = async (data, format, target) => {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  const body = data as { RequestId?: unknown; Data?: unknown };
  if (!body.Data || typeof body.Data !== 'object') return false;
  const { keyValueTable } = await import('../table.js');
  const pairs: [string, string][] = [];
  if (body.RequestId !== undefined) pairs.push(['RequestId', formatCell('RequestId', body.RequestId)]);
  for (const [k, v] of Object.entries(body.Data as Record<string, unknown>)) pairs.push([k, formatCell(k, v)]);
  target.write(`${keyValueTable(pairs, target)}\n`);
  return true;
};

export default renderAsr;
