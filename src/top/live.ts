import { Control, type IOStreams } from '../output/iostreams.js';
import { Pause } from '../output/pause.js';
import type { LastApply } from './last-apply.js';
import type { Sample } from './sample.js';
import type { Thresholds } from './thresholds.js';
import { plainLine, screenLines } from './view.js';

/** What the live view needs of its command: the streams and the clock. */
export interface LiveHost {
  readonly io: IOStreams;
  readonly now: () => Date;
}

export interface LiveOptions {
  look: () => Promise<{ samples: Sample[]; applies: Map<string, LastApply>; at: number }>;
  thresholds: Thresholds;
  intervalSeconds: number;
  windowMinutes: number;
  /** Resolves when the view should end (tests); production ends on q, Ctrl-C, SIGINT or SIGTERM. */
  stop?: Promise<void>;
}

/** Looks kept per instance for the per-refresh sparklines. */
const HISTORY = 60;

/**
 * `vn top` until it is told to stop. On a terminal: the alternate screen (the shell's screen comes
 * back on exit, Ctrl-C and a signal alike), redrawn in place every refresh and on each key, keys read
 * in raw mode. Piped: one plain line per instance and refresh. Every frame goes through IOStreams'
 * one writer, its cursor moves as Controls.
 */
export async function runLive(host: LiveHost, o: LiveOptions): Promise<void> {
  const { io } = host;
  const tty = io.stdoutIsTTY;
  const history = new Map<string, Sample[]>();
  let last: Awaited<ReturnType<LiveOptions['look']>> | undefined;
  let lookError: string | undefined;
  let selected = 0;
  let paused = false;
  let stopped = false;
  const pause = new Pause();
  const stop = () => {
    stopped = true;
    pause.wake();
  };
  const { truncate } = await import('../output/table.js');

  const draw = () => {
    if (!tty || stopped) return;
    const lines = last
      ? screenLines(
          {
            samples: last.samples,
            history,
            applies: last.applies,
            selected,
            paused,
            intervalSeconds: o.intervalSeconds,
            windowMinutes: o.windowMinutes,
            thresholds: o.thresholds,
          },
          host.now().getTime(),
        )
      : ['vn top · looking…'];
    if (lookError) lines.splice(1, 0, `error: ${lookError} (the numbers below are from the last look that worked)`);
    const width = io.columns ?? 200;
    const parts = [Control.home];
    for (const l of lines) parts.push(truncate(l, width), Control.eraseToLineEnd, '\n');
    parts.push(Control.eraseDown);
    io.write('stdout', ...parts);
  };

  const onKey = (key: string) => {
    if (key === 'q' || key === 'Q' || key === 'ctrl-c' || key === 'ctrl-d' || key === 'escape') return stop();
    if (key === 'p' || key === 'space') paused = !paused;
    else if ((key === 'tab' || key === 'n') && last?.samples.length) selected = (selected + 1) % last.samples.length;
    else return;
    draw();
  };
  const stopKeys = tty && io.stdinIsTTY ? io.keys(onKey) : undefined;
  // `on`, not `once`: a signal-exit handler of a dependency re-raises a signal when it is the last listener
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  void o.stop?.then(stop);
  if (tty) io.write('stdout', Control.enterAlternateScreen, Control.hideCursor, Control.home, Control.eraseDown);
  try {
    draw();
    while (!stopped) {
      if (!paused) {
        try {
          last = await o.look();
          lookError = undefined;
          for (const s of last.samples) {
            const h = history.get(s.instanceId) ?? [];
            h.push(s);
            if (h.length > HISTORY) h.shift();
            history.set(s.instanceId, h);
          }
          if (!tty && !stopped) for (const s of last.samples) io.write('stdout', `${plainLine(s, last.applies, o.thresholds)}\n`);
        } catch (e) {
          lookError = (e as Error).message;
          if (!tty) io.write('stderr', `error: ${lookError}\n`);
        }
      }
      draw();
      if (stopped) break;
      await pause.for(o.intervalSeconds * 1000);
    }
  } finally {
    stopKeys?.();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (tty) io.write('stdout', Control.showCursor, Control.leaveAlternateScreen);
  }
}
