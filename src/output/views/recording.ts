import { Chalk } from 'chalk';
import { formatCell } from '../format-value.js';
import type { ViewRenderer } from '../types.js';

interface Slice {
  sequence?: unknown;
  speaker?: unknown;
  startTime?: unknown;
  endTime?: unknown;
  duration?: unknown;
  fileName?: unknown;
  filePath?: unknown;
}

/** Milliseconds as seconds with one decimal ("3.2s"). */
function seconds(v: unknown): string {
  const n = Number(v);
  return v === undefined || v === null || v === '' || !Number.isFinite(n) ? '' : `${(n / 1000).toFixed(1)}s`;
}

/** A field in either spelling (the seed's samples write both camelCase and PascalCase). */
function field(s: Record<string, unknown>, name: string): unknown {
  return s[name] ?? s[name[0]?.toUpperCase() + name.slice(1)];
}

/**
 * DescribeRecording in table mode: the file name and URL as key/value lines, and the voice slices
 * (VoiceSliceRecordingListJson, a JSON string on the wire) as a table of their own instead of one
 * multi-kilobyte cell.
 */
const renderRecording: ViewRenderer = async (data, format, target) => {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  const body = data as Record<string, unknown>;
  const { keyValueTable, table } = await import('../table.js');
  const pairs = Object.entries(body)
    .filter(([k]) => k !== 'VoiceSliceRecordingListJson')
    .map(([k, v]): [string, string] => [k, formatCell(k, v)]);
  target.write(`${keyValueTable(pairs, target)}\n`);
  const raw = body.VoiceSliceRecordingListJson;
  if (raw === undefined) return true;
  let slices: unknown = raw;
  if (typeof raw === 'string') {
    try {
      slices = JSON.parse(raw || '[]');
    } catch {
      slices = undefined;
    }
  }
  const chalk = new Chalk({ level: target.color ? 1 : 0 });
  if (!Array.isArray(slices)) {
    target.write(`\n${chalk.dim('(the voice slices are not a JSON list; see -o json)')}\n`);
    return true;
  }
  target.write(`\n${chalk.bold(`Voice slices (${slices.length})`)}\n`);
  if (slices.length === 0) {
    target.write(`${chalk.dim('(none)')}\n`);
    return true;
  }
  const rows = (slices as Slice[]).map((s) => {
    const r = (s ?? {}) as Record<string, unknown>;
    return [
      formatCell('', field(r, 'sequence')),
      formatCell('', field(r, 'speaker')),
      seconds(field(r, 'startTime')),
      seconds(field(r, 'duration')),
      formatCell('', field(r, 'fileName')),
      formatCell('', field(r, 'filePath')),
    ];
  });
  target.write(`${table(['#', 'SPEAKER', 'START', 'LENGTH', 'FILE', 'URL'], rows, target, { fit: [{}, {}, {}, {}, { flex: true }, { flex: true }] })}\n`);
  return true;
};

export default renderRecording;
