import chalk from 'chalk';
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

function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** How a column may give way on a narrow terminal. */
export interface ColumnFit {
  /** Free text (names, descriptions): cut first. */
  flex?: boolean;
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

/**
 * Which columns to show and how wide, within `limit` cells: free-text columns are cut first (never
 * below MIN_COLUMN or their header), then optional columns are left out, then every column is cut.
 * Without a limit every column keeps its natural width.
 */
export function fitColumns(natural: number[], headers: number[], limit: number | undefined, fit: ColumnFit[] = []): { keep: number[]; widths: number[] } {
  let keep = natural.map((_, i) => i);
  if (!limit || natural.length === 0) return { keep, widths: [...natural] };
  const anyFlex = fit.some((f) => f?.flex);
  const floorOf = (i: number) => Math.min(natural[i] as number, Math.max(MIN_COLUMN, Math.min(headers[i] as number, 12)));
  for (;;) {
    const widths = keep.map((i) => natural[i] as number);
    const floor = keep.map(floorOf);
    shrink(widths, floor, limit, (j) => !anyFlex || Boolean(fit[keep[j] as number]?.flex));
    if (total(widths) <= limit) return { keep, widths };
    const drop = [...keep].reverse().find((i) => fit[i]?.optional);
    if (drop === undefined) {
      // free text below its header's width, then every column to its floor, then to one cell
      shrink(
        widths,
        floor.map((f) => Math.min(f, 4)),
        limit,
        (j) => !anyFlex || Boolean(fit[keep[j] as number]?.flex),
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

/**
 * A borderless, gh-style table: bold headers on a colour terminal, columns padded by display width
 * (a CJK character takes two cells), cut with "…" so no line is wider than the terminal.
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
  const { keep, widths } = fitColumns(natural, floors, width, opts.fit);
  const cellsLine = (cells: string[]) =>
    keep
      .map((c, j) => padEnd(truncate(cells[c] as string, widths[j] as number), widths[j] as number))
      .join(' '.repeat(GAP))
      .trimEnd();
  // header cells wrap at spaces into as many lines as the tallest needs (most need one)
  const headerCells = keep.map((c, j) => {
    const h = headers[c] as string;
    const w = widths[j] as number;
    const fitsByWords = h.includes(' ') && h.split(' ').every((part) => displayWidth(part) <= w);
    return displayWidth(h) <= w || !fitsByWords ? [h] : wrap(h, w);
  });
  const height = Math.max(1, ...headerCells.map((l) => l.length));
  const headerLines = Array.from({ length: height }, (_, k) =>
    keep
      .map((_, j) => {
        const text = padEnd(truncate(headerCells[j]?.[k] ?? '', widths[j] as number), widths[j] as number);
        return target.color ? chalk.bold(text) : text;
      })
      .join(' '.repeat(GAP))
      .trimEnd(),
  );
  return [...headerLines, ...clean.map(cellsLine)].join('\n');
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ');
}

/** Key/value lines for one object; long values wrap under themselves to fit `target.columns`. */
export function keyValueTable(pairs: [string, string][], target: RenderTarget, indent = 0): string {
  const keyWidth = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  const room = target.columns ? target.columns - indent - keyWidth - GAP : undefined;
  const out: string[] = [];
  for (const [k, v] of pairs) {
    const key = padEnd(k, keyWidth);
    const lines = room && room >= 10 ? wrap(v, room) : v.split('\n');
    out.push(`${target.color ? chalk.bold(key) : key}${' '.repeat(GAP)}${lines[0] ?? ''}`.trimEnd());
    for (const l of lines.slice(1)) out.push(`${' '.repeat(keyWidth + GAP)}${l}`.trimEnd());
  }
  return out.join('\n');
}
