import { UsageError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { OutputFormat } from './formats/index.js';
import type { IOStreams } from './iostreams.js';
import { Control } from './iostreams.js';
import { Pause } from './pause.js';
import type { Output, RenderTarget } from './types.js';

/** Fields that differ in every answer without anything having changed. */
const VOLATILE = new Set(['RequestId', 'Timestamp']);

/**
 * The data with the volatile fields taken out, as a comparable string. `volatile` adds a command's
 * own: fields that differ in every answer without anything having changed (a URL signed afresh on
 * each read), masked wherever they appear.
 */
export function significant(data: unknown, volatile: readonly string[] = []): string {
  return JSON.stringify(data, (key, value) => (VOLATILE.has(key) || volatile.includes(key) ? undefined : value));
}

/** A state a watched resource ends in: `ok` false for a failure (exit 1). */
export interface FinalState {
  ok: boolean;
  /** The state's name, for the message: `FINISHED`, `FAILED`. */
  state: string;
}

/**
 * What --watch knows of a command whose result reaches a final state (an export's progress): when
 * to stop, and which fields change on every poll.
 */
export interface WatchSpec {
  /** The final state the data shows, or undefined while it is still moving. */
  final?: (data: unknown) => FinalState | undefined;
  /** Fields to ignore when comparing two answers (see significant()). */
  volatile?: readonly string[];
}

/** --interval's seconds, checked before anything is sent (0.1 to 3600; default 2). */
export function pollInterval(raw: unknown): number {
  const interval = raw === undefined ? 2 : Number(raw);
  if (!Number.isFinite(interval) || interval < 0.1 || interval > 3600) {
    throw new UsageError(`--interval must be a number of seconds from 0.1 to 3600, got "${String(raw)}"`);
  }
  return interval;
}

/** What --watch needs of the shell: the streams, the clock, the output asked for and a place to register its clean-up. */
export interface WatchHost {
  readonly io: IOStreams;
  readonly now: Clock;
  readonly globals: { readonly query?: string };
  outputFormat(): Promise<OutputFormat>;
  renderTarget(): RenderTarget;
  onDispose(fn: () => Promise<void> | void): void;
}

export interface WatchOptions {
  /** Seconds between polls. */
  interval: number;
  /** The command as the user typed it, for the heading. */
  title: string;
  /** Resolves when the watch should end (Ctrl-C); production uses SIGINT. */
  stop?: Promise<void>;
  /** The command's final states and volatile fields. */
  spec?: WatchSpec;
}

/**
 * `--watch`: produces and renders the result every `interval` seconds until Ctrl-C, or until it
 * reaches a final state when the command has them (`spec.final`, as `gh run watch` and `kubectl
 * wait`): the final state is returned (the caller exits 0 on success, 1 on failure). On a terminal
 * the output is redrawn in place under a heading with the time; piped, a new rendering is printed
 * only when the result changed (the RequestId, Timestamp and the command's volatile fields aside),
 * so `-o json` gives one line per change. Ctrl-C ends it cleanly (exit 0, no final state).
 */
export async function watch(ctx: WatchHost, produce: () => Promise<Output | undefined>, opts: WatchOptions): Promise<FinalState | undefined> {
  const { render } = await import('./render.js');
  const tty = ctx.io.stdoutIsTTY;
  let stopped = false;
  const pause = new Pause();
  const stop =
    opts.stop ??
    new Promise<void>((resolve) => {
      const onSignal = () => resolve();
      // `on`, not `once`: a signal-exit handler (loaded by a dependency) re-raises the signal when it
      // finds itself the last listener, and `once` would already have removed ours
      process.on('SIGINT', onSignal);
      ctx.onDispose(() => {
        process.off('SIGINT', onSignal);
      });
    });
  void stop.then(() => {
    stopped = true;
    pause.wake();
  });
  const format = await ctx.outputFormat();
  let previous: string | undefined;
  let drawnLines = 0;
  if (tty) ctx.io.write('stdout', Control.hideCursor);
  try {
    while (!stopped) {
      const out = await produce();
      if (stopped) break;
      if (out) {
        let text = '';
        const target = { ...ctx.renderTarget(), write: (s: string) => (text += s) };
        await render(out, { format, query: ctx.globals.query }, target);
        if (tty) {
          const clock = ctx.now().toTimeString().slice(0, 8);
          const { truncate } = await import('./table.js');
          // one line, or the redraw would count wrong
          const heading = truncate(`Every ${opts.interval}s: ${opts.title}  ${clock}  (Ctrl-C to stop)`, target.columns ?? 1000);
          const frame = `${target.color ? (await import('chalk')).default.dim(heading) : heading}\n\n${text}`;
          // back to the top of the last frame, clear it, draw the new one (through the one writer)
          const up = drawnLines > 0 ? [Control.up(drawnLines), Control.carriageReturn, Control.eraseDown] : [];
          ctx.io.write('stdout', ...up, frame);
          // rows on the screen, counting a line the terminal wrapped as the rows it took
          const width = ctx.io.columns ?? 0;
          const { displayWidth } = await import('./table.js');
          drawnLines = frame
            .split('\n')
            .slice(0, -1)
            .reduce((n, l) => n + (width > 0 ? Math.max(1, Math.ceil(displayWidth(l) / width)) : 1), 0);
        } else {
          const key = significant(out.data, opts.spec?.volatile);
          if (key !== previous) ctx.io.write('stdout', text);
          previous = key;
        }
        const final = opts.spec?.final?.(out.data);
        if (final) return final;
      }
      await pause.for(opts.interval * 1000);
    }
    return undefined;
  } finally {
    if (tty) ctx.io.write('stdout', Control.showCursor);
  }
}
