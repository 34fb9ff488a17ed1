import { Control, type IOStreams } from './iostreams.js';
import { sanitizeLine } from './sanitize.js';

export interface DownloadProgress {
  received: number;
  /** From Content-Length; undefined when the server did not say. */
  total?: number;
}

export interface ProgressBar {
  update(p: DownloadProgress): void;
  /** Clears the bar's line (the command prints its own result). */
  done(): void;
}

export interface ProgressOptions {
  /** ms clock, for throttling (tests pass their own). */
  now?: () => number;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A bar of `width` cells filled to `fraction` (0..1), with eighth-cell resolution. */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = EIGHTHS[eighths % 8] ?? '';
  return `${'█'.repeat(full)}${part}`.padEnd(width, ' ');
}

/**
 * One progress line on stderr, redrawn in place at most ~12 times a second. Nothing at all when
 * stderr is not a terminal, so logs and pipes stay clean. It draws through the one writer: the
 * label (a file name, possibly the service's) is text, the redraw is vn's controls.
 */
export function progressBar(name: string, io: IOStreams, opts: ProgressOptions = {}): ProgressBar | undefined {
  if (!io.stderrIsTTY) return undefined;
  // one row, or the redraw leaves lines behind
  const label = sanitizeLine(name);
  const clock = opts.now ?? Date.now;
  const redraw = [Control.carriageReturn, Control.eraseLine];
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const draw = (p: DownloadProgress) => {
    const columns = Math.max(40, io.columns ?? 80);
    const amount = p.total !== undefined ? `${formatBytes(p.received)} / ${formatBytes(p.total)}` : formatBytes(p.received);
    if (p.total === undefined || p.total === 0) {
      io.write('stderr', ...redraw, `${label} ${amount}`);
    } else {
      const fraction = p.received / p.total;
      const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
      const width = Math.max(10, Math.min(40, columns - label.length - amount.length - pct.length - 6));
      io.write('stderr', ...redraw, `${label} ${bar(fraction, width)} ${pct} ${amount}`);
    }
    drawn = true;
  };
  return {
    update(p) {
      const t = clock();
      const finished = p.total !== undefined && p.received >= p.total;
      if (!finished && t - last < 80) return;
      last = t;
      draw(p);
    },
    done() {
      if (drawn) io.write('stderr', ...redraw);
    },
  };
}
