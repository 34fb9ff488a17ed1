/**
 * CSV as RFC 4180 writes it: CRLF between records, a field quoted when it holds a quote, comma,
 * CR or LF (quotes doubled inside). The file starts with a UTF-8 byte-order mark, because without
 * one Excel and WPS read UTF-8 as the system code page and the Chinese headers and utterances
 * come out garbled.
 */

export type CsvCell = string | number | boolean | null | undefined;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRecord(cells: readonly CsvCell[]): string {
  return cells.map(csvField).join(',');
}

/** The whole file: BOM, header record, data records, each record ending in CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): Buffer {
  const text = [header, ...rows].map((r) => `${csvRecord(r)}\r\n`).join('');
  return Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]);
}
