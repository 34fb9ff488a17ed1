import { describe, expect, it } from 'vitest';
import { csvField, csvRecord, toCsv } from '../../src/emulator/csv.js';

/** An independent RFC 4180 reader (state machine), so the writer is not checked against itself. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('input does not end with CRLF');
  return records;
}

describe('csvField', () => {
  it('leaves plain text, numbers and Chinese unquoted', () => {
    expect(csvField('您好')).toBe('您好');
    expect(csvField(42)).toBe('42');
    expect(csvField(false)).toBe('false');
    expect(csvField('02811111111')).toBe('02811111111');
  });

  it('writes null and undefined as an empty field', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes fields holding a comma, a quote, CR or LF, doubling inner quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('他说"你好"')).toBe('"他说""你好"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('"')).toBe('""""');
  });

  it('does not quote other punctuation (a Chinese comma is not a separator)', () => {
    expect(csvField('您好，欢迎')).toBe('您好，欢迎');
    expect(csvField("it's; fine")).toBe("it's; fine");
  });
});

describe('toCsv', () => {
  it('starts with the UTF-8 BOM and ends every record with CRLF', () => {
    const buf = toCsv(['会话ID', '内容'], [['c1', '你好']]);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.subarray(3).toString('utf8')).toBe('会话ID,内容\r\nc1,你好\r\n');
  });

  it('writes just the header when there are no rows', () => {
    expect(toCsv(['a', 'b'], []).subarray(3).toString('utf8')).toBe('a,b\r\n');
  });

  it('round-trips awkward values through an independent reader', () => {
    const rows = [
      ['1', 'plain', ''],
      ['2', 'comma, inside', 'quote " inside'],
      ['3', 'multi\r\nline\nvalue', '"fully quoted"'],
      ['4', '中文，标点。', ' leading and trailing spaces '],
    ];
    const text = toCsv(['n', 'x', 'y'], rows).subarray(3).toString('utf8');
    expect(parseCsv(text)).toEqual([['n', 'x', 'y'], ...rows]);
  });

  it('csvRecord joins fields with commas', () => {
    expect(csvRecord(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"');
  });
});
