import { describe, expect, it } from 'vitest';
import { displayWidth, fitColumns, keyValueTable, table, truncate, wrap } from '../../src/output/table.js';

const target = (columns?: number) => ({ write() {}, isTTY: true, color: false, columns });
const widest = (text: string) => Math.max(...text.split('\n').map(displayWidth));

describe('display width', () => {
  it('counts a CJK character as two cells and an ASCII one as one', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('客服热线')).toBe(8);
    expect(displayWidth('热线-1')).toBe(6);
    expect(displayWidth('，')).toBe(2);
  });

  it('truncates to the cells given, never splitting a wide character', () => {
    expect(truncate('客服热线', 5)).toBe('客服…');
    expect(displayWidth(truncate('客服热线', 5))).toBeLessThanOrEqual(5);
    expect(truncate('客服热线', 8)).toBe('客服热线');
    expect(truncate('description', 6)).toBe('descr…');
  });

  it('wraps at spaces, and inside a word only when it must', () => {
    expect(wrap('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrap('这是一个非常长的描述', 8)).toEqual(['这是一个', '非常长的', '描述']);
  });
});

describe('tables fit the width they are given', () => {
  const headers = ['ID', 'NAME', 'STATUS', 'DESCRIPTION', 'MODIFIED'];
  const rows = [
    ['e128e874-f4df-4eb3-bc52-a21f06d49e61', '客服热线'.repeat(6), 'Published', '这是一个非常长的描述'.repeat(3), '2026-12-01 19:50:07'],
    ['f75f3e1a-c9f2-4f50-bc60-19179cad95e4', 'short', 'Drafted', '', '2026-12-01 19:50:07'],
  ];
  const fit = [{}, { flex: true }, {}, { flex: true }, { optional: true }];

  it.each([40, 60, 80, 100, 140])('no line is wider than %i cells', (width) => {
    const text = table(headers, rows, target(width), { fit });
    expect(widest(text)).toBeLessThanOrEqual(width);
  });

  it('cuts free text first and keeps ids whole when it can', () => {
    const text = table(headers, rows, target(100), { fit });
    expect(text).toContain('e128e874-f4df-4eb3-bc52-a21f06d49e61');
    expect(text).toContain('…');
  });

  it('leaves an optional column out rather than cut the ids', () => {
    const text = table(headers, rows, target(80), { fit });
    expect(text).not.toContain('MODIFIED');
    expect(text).toContain('f75f3e1a-c9f2-4f50-bc60-19179cad95e4');
  });

  it('pads by display width, so CJK rows line up', () => {
    const text = table(
      ['NAME', 'X'],
      [
        ['客服', '1'],
        ['ab', '2'],
      ],
      target(undefined),
    );
    const [, a, b] = text.split('\n');
    expect(displayWidth((a as string).slice(0, (a as string).indexOf('1')))).toBe(displayWidth((b as string).slice(0, (b as string).indexOf('2'))));
  });

  it('without a width keeps every column whole', () => {
    expect(table(headers, rows, target(undefined), { fit })).toContain('客服热线'.repeat(6));
    expect(fitColumns([10, 20], [2, 4], undefined)).toEqual({ keep: [0, 1], widths: [10, 20] });
  });

  it('a header of several words takes two lines before any data is cut; a one-word header is cut, not broken', () => {
    const headers = ['PERIOD', 'CONVERSATIONS', 'KNOWLEDGE HIT', 'VALID ANSWER', 'DIALOGUE PASS', 'DESCRIPTION'];
    const text = table(headers, [['2026-12-01', '0', '—', '—', '—', 'x']], target(67));
    const lines = text.split('\n');
    expect(widest(text)).toBeLessThanOrEqual(67);
    expect(lines[0]).toMatch(/^PERIOD\s+CONVERSATIONS\s+KNOWLEDGE\s+VALID\s+DIALOGUE\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^\s+HIT\s+ANSWER\s+PASS$/);
    expect(lines[2]).toMatch(/^2026-12-01\s+0\s+—/);
    expect(text).not.toMatch(/^\s+N$/m);
  });

  it('names and ids give way last: descriptions, optional times and near-empty columns go first (issue 21, item 6)', () => {
    const headers = ['ID', 'NAME', 'STATUS', 'CONCURRENCY', 'DESCRIPTION', 'MODIFIED'];
    const fit = [{}, { flex: true, name: true }, {}, {}, { flex: true }, { optional: true }];
    const name = '华东区域智能客服热线第一号备用线路';
    const rows = Array.from({ length: 11 }, (_, i) => [
      `e128e874-f4df-4eb3-bc52-a21f06d49e${String(i).padStart(2, '0')}`,
      name,
      'Published',
      '10',
      '',
      '2026-12-01 19:50:07',
    ]);
    const text = table(headers, rows, target(80), { fit });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toContain(rows[0]?.[0]);
    expect(text).not.toContain('MODIFIED');
    // the name keeps nine characters; the empty DESCRIPTION keeps no more than a cut header
    expect(text).toContain(`${name.slice(0, 9)}…`);
    expect(text.split('\n')[0]).toMatch(/\sDES…$/);
  });

  it('a near-empty column never keeps more than its content while names are cut', () => {
    // natural widths: ID 8, NAME 40, DESCRIPTION 11 (its header; its cells take 2)
    const { widths } = fitColumns([8, 40, 11], [2, 4, 11], 40, [{}, { flex: true, name: true }, { flex: true }], [8, 40, 2]);
    expect(widths[2]).toBeLessThanOrEqual(4);
    expect(widths[0]).toBe(8);
    expect(widths.reduce((a, b) => a + b, 0) + 4).toBeLessThanOrEqual(40);
  });

  it('draws through cli-table3 and lines up scripts it measures differently (Thai, zero-width space)', () => {
    const text = table(
      ['NAME', 'X'],
      [
        ['สวัสดีครับ', '1'],
        ['zero\u200bwidth', '2'],
        ['ab', '3'],
      ],
      target(undefined),
    );
    const at = (line: string, mark: string) => displayWidth(line.slice(0, line.indexOf(mark)));
    const [, a, b, c] = text.split('\n') as string[];
    expect(at(a as string, '1')).toBe(at(c as string, '3'));
    expect(at(b as string, '2')).toBe(at(c as string, '3'));
  });

  it('key/value lines wrap long values under themselves', () => {
    const text = keyValueTable([['Description', 'word '.repeat(40).trim()]], target(50));
    expect(widest(text)).toBeLessThanOrEqual(50);
    expect(text.split('\n').length).toBeGreaterThan(3);
  });
});
