import type { ConversationResult, Reporter } from '../runner.js';
import type { Sink } from './pretty.js';

/**
 * A live progress line on stderr: rewritten in place on a TTY, or one line a second when forced
 * with --progress on a pipe.
 */
export class ProgressReporter implements Reporter {
  private total = 0;
  private done = 0;
  private bad = 0;
  private last = 0;
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
    if (r.outcome !== 'passed') this.bad++;
    const t = this.now();
    if (this.done === this.total || t - this.last >= (this.tty ? 100 : 1000)) {
      this.last = t;
      const line = `[${this.done}/${this.total}] ${this.done - this.bad} passed, ${this.bad} not passed`;
      this.err.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
    }
  }

  /** Clears the line on a TTY, so that a report line written next starts on a clean row. */
  clear(): void {
    if (this.tty && this.done > 0) this.err.write('\r\x1b[K');
  }

  end(): void {
    if (this.tty && this.done > 0) this.err.write('\r\x1b[K');
  }
}
