import { Control, type Sink } from '../../../output/iostreams.js';
import type { ConversationResult, Reporter } from '../runner.js';

/**
 * A live progress line on stderr: drawn in place on a TTY, or one line a second when forced
 * with --progress on a pipe. On a TTY the line is erased only when something else is about to be
 * written to the terminal (`clear()`, called by the other reporters' sinks) and drawn again right
 * after, so it is on screen whenever nothing else is being printed. The redraw is passed as vn's
 * Controls to the one writer (src/output/iostreams.ts), never as escapes inside text.
 */
export class ProgressReporter implements Reporter {
  private total = 0;
  private done = 0;
  private bad = 0;
  private last = 0;
  private drawn = false;
  constructor(
    private readonly err: Sink,
    private readonly tty: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  start(info: { conversations: number }): void {
    this.total = info.conversations;
  }

  conversation(r: ConversationResult): void {
    this.done++;
    if (r.outcome === 'failed' || r.outcome === 'errored' || r.outcome === 'timedOut') this.bad++;
    const t = this.now();
    // an erased line comes back at once; a line on screen is refreshed at most every 100 ms
    const due = this.tty ? !this.drawn || t - this.last >= 100 : t - this.last >= 1000;
    if (due || this.done === this.total) {
      this.last = t;
      const line = `[${this.done}/${this.total}] ${this.done - this.bad} passed, ${this.bad} not passed`;
      if (this.tty) this.err.write(Control.carriageReturn, Control.eraseToLineEnd, line);
      else this.err.write(`${line}\n`);
      this.drawn = this.tty;
    }
  }

  /** Erases the line on a TTY (when it is drawn), so that what is written next starts on a clean row. */
  clear(): void {
    if (this.tty && this.drawn) {
      this.err.write(Control.carriageReturn, Control.eraseToLineEnd);
      this.drawn = false;
    }
  }

  end(): void {
    this.clear();
  }
}
