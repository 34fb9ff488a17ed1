import chalk from 'chalk';
import CliTable from 'cli-table3';
import tableUtils from 'cli-table3/src/utils.js';
import stringWidth from 'string-width';
import type { RenderTarget } from './types.js';

/** Space between columns. */
const GAP = 2;
/** A column is never squeezed below this many cells (or its header, if shorter). */
const MIN_COLUMN = 6;
const ELLIPSIS = '…';

let segmenter: Intl.Segmenter | undefined;

/** The cells a string takes in a terminal: CJK and other wide characters count 2, combining marks 0. */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter();
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

/** Cuts `s` to at most `width` cells, ending in "…" when something was cut. */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const g of graphemes(s)) {
    const w = displayWidth(g);
    if (used + w > width - 1) break;
    out += g;
    used += w;
  }
  return `${out}${ELLIPSIS}`;
}

/** Breaks `s` into lines of at most `width` cells, at spaces where it can, else between characters. */
export function wrap(s: string, width: number): string[] {
  if (width <= 0) return [s];
  const lines: string[] = [];
  for (const paragraph of s.split('\n')) {
    let line = '';
    let used = 0;
    for (const word of paragraph.split(/(?<= )/)) {
      const w = displayWidth(word);
      // a trailing space may hang past the edge (it is trimmed)
      if (used + displayWidth(word.trimEnd()) <= width) {
        line += word;
        used += w;
        continue;
      }
      if (line.trimEnd() !== '') lines.push(line.trimEnd());
      line = '';
      used = 0;
      // a URL stays whole (a terminal that wraps it keeps it one thing to copy)
      if (w <= width || /^https?:\/\//.test(word)) {
        line = word;
        used = w;
        continue;
      }
      for (const g of graphemes(word)) {
        const gw = displayWidth(g);
        if (used + gw > width) {
          lines.push(line.trimEnd());
          line = '';
          used = 0;
        }
        line += g;
        used += gw;
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** How a column may give way on a narrow terminal. */
export interface ColumnFit {
  /** Free text (descriptions, and names when `name` is set too): cut to make room. */
  flex?: boolean;
  /** A name (with `flex`): cut only after descriptions, near-empty columns and optional columns gave way. */
  name?: boolean;
  /** May be left out when even cut the table does not fit (shown again with -o wide). */
  optional?: boolean;
}

const total = (widths: number[]) => widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);

/** Takes one cell at a time from the widest column that `may` shrink and is above its floor. */
function shrink(widths: number[], floor: number[], limit: number, may: (i: number) => boolean): void {
  while (total(widths) > limit) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (may(i) && (widths[i] as number) > (floor[i] as number) && (widest < 0 || (widths[i] as number) > (widths[widest] as number))) widest = i;
    }
    if (widest < 0) return;
    widths[widest] = (widths[widest] as number) - 1;
  }
}

/** A cut header keeps at least this many cells ("DES…"). */
const HEADER_STUB = 4;

/**
 * Which columns to show and how wide, within `limit` cells. What gives way, in order:
 * 1. descriptions (free text that is not a name) down to their header's width (at most 12 cells);
 * 2. optional columns (times), left out one at a time;
 * 3. a near-empty column (its cells narrower than its header) down to its cells, its header cut;
 * 4. descriptions down to four cells;
 * 5. names down to six cells; then every column (ids too) to its floor, then to one cell.
 * A near-empty column never keeps more than its cells (or four cells for its cut header) while
 * a name or an id is cut. `content` is each column's widest cell (default: `natural`). Without a
 * limit every column keeps its natural width.
 */
export function fitColumns(
  natural: number[],
  headers: number[],
  limit: number | undefined,
  fit: ColumnFit[] = [],
  content: number[] = natural,
): { keep: number[]; widths: number[] } {
  let keep = natural.map((_, i) => i);
  if (!limit || natural.length === 0) return { keep, widths: [...natural] };
  const anyFlex = fit.some((f) => f?.flex);
  const isName = (i: number) => Boolean(fit[i]?.flex && fit[i]?.name);
  const isText = (i: number) => Boolean(fit[i]?.flex && !fit[i]?.name);
  const nearEmpty = (i: number) => (content[i] as number) < (headers[i] as number);
  const soft = (i: number) => Math.min(natural[i] as number, Math.max(MIN_COLUMN, Math.min(headers[i] as number, 12)));
  // a near-empty column keeps its cells' width, and enough of its header to be told apart
  const floorOf = (i: number) => (nearEmpty(i) ? Math.min(soft(i), Math.max(content[i] as number, Math.min(headers[i] as number, HEADER_STUB))) : soft(i));
  for (;;) {
    const widths = keep.map((i) => natural[i] as number);
    const floor = keep.map(floorOf);
    const at = (j: number) => keep[j] as number;
    if (anyFlex) shrink(widths, floor, limit, (j) => isText(at(j)));
    else {
      // without free text: near-empty columns first, then every column alike
      shrink(widths, floor, limit, (j) => nearEmpty(at(j)));
      shrink(widths, floor, limit, () => true);
    }
    if (total(widths) <= limit) return { keep, widths };
    const drop = [...keep].reverse().find((i) => fit[i]?.optional);
    if (drop === undefined) {
      shrink(widths, floor, limit, (j) => nearEmpty(at(j)) && !isName(at(j)));
      shrink(
        widths,
        floor.map((f) => Math.min(f, HEADER_STUB)),
        limit,
        (j) => isText(at(j)),
      );
      shrink(widths, floor, limit, (j) => isName(at(j)));
      shrink(
        widths,
        floor.map((f) => Math.min(f, HEADER_STUB)),
        limit,
        (j) => !anyFlex || Boolean(fit[at(j)]?.flex),
      );
      shrink(widths, floor, limit, () => true);
      shrink(
        widths,
        widths.map(() => 1),
        limit,
        () => true,
      );
      return { keep, widths };
    }
    keep = keep.filter((i) => i !== drop);
  }
}

/** Column widths within `limit` (every column kept). */
export function fitWidths(natural: number[], headers: number[], limit: number | undefined): number[] {
  return fitColumns(natural, headers, limit).widths;
}

export interface TableOptions {
  /** Fit into this many cells by cutting cells with "…" (undefined: no limit). */
  width?: number;
  /** Per column: how it gives way when the table is too wide. */
  fit?: ColumnFit[];
}

const BORDERLESS: Partial<Record<CliTable.CharName, string>> = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' '.repeat(GAP),
};

/**
 * Text that cli-table3's string-width 4 measures as vn's string-width 8 does (checked code point by
 * code point): ASCII, CJK ideographs, kana, hangul syllables, CJK and fullwidth punctuation, "—", "…".
 */
const SAME_WIDTH = /^[\x20-\x7e\n\u2014\u2026\u3000-\u3029\u302e-\u303f\u3041-\u3096\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff60]*$/;

/** How many cells more cli-table3 takes a cell to be than vn does (0 for most text). */
function widthDelta(cell: string): number {
  if (SAME_WIDTH.test(cell)) return 0;
  return Math.max(...cell.split('\n').map((l) => tableUtils.strlen(l) - displayWidth(stripAnsi(l))));
}

/**
 * Draws rows of cells already cut to `widths` display cells: cli-table3 pads them (left-aligned),
 * borderless with GAP cells between columns; trailing blanks are trimmed. A cell may
 * hold several lines ("VALID\nANSWER"). cli-table3 measures with its own string-width, which counts
 * some scripts (Thai and Devanagari marks, zero-width spaces) wider than vn does: rows where the two
 * differ are drawn with their columns widened by the difference, so every column lines up in display cells.
 */
export function drawRows(rows: string[][], widths: number[]): string[] {
  const runs: { delta: number[]; rows: string[][] }[] = [];
  for (const row of rows) {
    const delta = widths.map((_, j) => widthDelta(row[j] ?? ''));
    const last = runs.at(-1);
    if (last?.delta.every((d, j) => d === delta[j])) last.rows.push(row);
    else runs.push({ delta, rows: [row] });
  }
  const lines: string[] = [];
  for (const run of runs) {
    const t = new CliTable({
      chars: BORDERLESS,
      style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
      // a single column of width 0 would draw an empty line, which cli-table3 leaves out
      colWidths: widths.map((w, j) => Math.max(widths.length === 1 ? 1 : 0, w + (run.delta[j] as number))),
      wordWrap: false,
    });
    t.push(...run.rows.map((r) => widths.map((_, j) => r[j] ?? '')));
    for (const line of t.toString().split('\n')) lines.push(line.trimEnd());
  }
  return lines;
}

function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the SGR codes vn puts in headers
  return s.replace(/\u001b\[[\d;]*m/g, '');
}

/**
 * A borderless, gh-style table: bold headers on a colour terminal, columns fitted by display width
 * (a CJK character takes two cells) and cut with "…" so no line is wider than the terminal; cli-table3
 * draws the cells.
 */
export function table(headers: string[], rows: string[][], target: RenderTarget, opts: TableOptions = {}): string {
  const width = 'width' in opts ? opts.width : target.columns;
  const clean = rows.map((r) => headers.map((_, i) => oneLine(r[i] ?? '')));
  const data = headers.map((_, i) => Math.max(0, ...clean.map((r) => displayWidth(r[i] as string))));
  let natural = headers.map((h, i) => Math.max(displayWidth(h), data[i] as number));
  let floors = headers.map((h) => displayWidth(h));
  // too wide: a header of several words ("VALID ANSWER") may take two lines before any data is cut
  if (width && total(natural) > width) {
    const word = headers.map((h) => Math.max(...h.split(' ').map(displayWidth)));
    natural = natural.map((n, i) => Math.max(data[i] as number, word[i] as number, Math.min(n, 1)));
    floors = word;
  }
  const { keep, widths } = fitColumns(natural, floors, width, opts.fit, data);
  // header cells wrap at spaces into as many lines as the tallest needs (most need one)
  const headerCells = keep.map((c, j) => {
    const h = headers[c] as string;
    const w = widths[j] as number;
    const fitsByWords = h.includes(' ') && h.split(' ').every((part) => displayWidth(part) <= w);
    const lines = displayWidth(h) <= w || !fitsByWords ? [h] : wrap(h, w);
    return lines.map((l) => {
      const text = truncate(l, w);
      return target.color && text !== '' ? chalk.bold(text) : text;
    });
  });
  const height = Math.max(1, ...headerCells.map((l) => l.length));
  const header = headerCells.map((l) => [...l, ...Array<string>(height - l.length).fill('')].join('\n'));
  const body = clean.map((r) => keep.map((c, j) => truncate(r[c] as string, widths[j] as number)));
  return drawRows([header, ...body], widths).join('\n');
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ');
}

/** Key/value lines for one object; long values wrap under themselves to fit `target.columns`. */
export function keyValueTable(pairs: [string, string][], target: RenderTarget, indent = 0): string {
  const keyWidth = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  const room = target.columns ? target.columns - indent - keyWidth - GAP : undefined;
  const rows = pairs.map(([k, v]) => {
    const lines = room && room >= 10 ? wrap(v, room) : v.split('\n');
    return [target.color ? chalk.bold(k) : k, lines.join('\n')];
  });
  const valueWidth = Math.max(0, ...rows.map(([, v]) => Math.max(...(v as string).split('\n').map(displayWidth))));
  return drawRows(rows, [keyWidth, valueWidth]).join('\n');
}
