import chalk from 'chalk';
import Table from 'cli-table3';
import type { RenderTarget } from './types.js';

const chars = {
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
  middle: '  ',
};

/** A borderless, gh-style table: bold headers on a TTY, columns padded. */
export function table(headers: string[], rows: string[][], target: RenderTarget): string {
  const t = new Table({
    head: headers.map((h) => (target.color ? chalk.bold(h) : h)),
    chars,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    wordWrap: false,
  });
  for (const r of rows) t.push(r);
  return t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

export function keyValueTable(pairs: [string, string][], target: RenderTarget): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${target.color ? chalk.bold(k.padEnd(width)) : k.padEnd(width)}  ${v}`).join('\n');
}
