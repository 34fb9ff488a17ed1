import type { Interface as ReadlineInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';
import type { select as Select } from '@inquirer/prompts';
import { redact, redactKnown } from '../redact.js';
import { sanitizeLine, terminalSafe } from './sanitize.js';

/**
 * The one way out to the terminal (after gh's pkg/iostreams). IOStreams is the ONLY holder of the
 * raw stdin, stdout and stderr: they live in private fields, nothing hands them out, and
 * test/architecture.test.ts refuses any other module that names a process stream. It makes the
 * TTY, colour and width decisions, and it owns the one writer: every text passes the redaction
 * filter (src/redact.ts), then, on a terminal, the sanitiser (src/output/sanitize.ts), which keeps
 * vn's colours (SGR) and shows every other control character as a visible escape.
 *
 * Code that draws its own controls (a progress line's `\r` and erase, --watch's cursor moves)
 * passes them as `Control` values beside its text: a Control can only be made here, from a closed
 * list, so a string (whatever it holds, wherever it came from) is always text and never obeyed.
 */

export type StreamName = 'stdout' | 'stderr';

const SEQUENCES = new WeakMap<Control, string>();

/** A terminal control sequence vn itself draws. Made only by the factories below; never from text. */
export class Control {
  private constructor(seq: string) {
    SEQUENCES.set(this, seq);
  }
  /** Carriage return: back to the start of the line. */
  static readonly carriageReturn = new Control('\r');
  /** Erases the whole line the cursor is on (ESC [2K). */
  static readonly eraseLine = new Control('\x1b[2K');
  /** Erases from the cursor to the end of the line (ESC [K). */
  static readonly eraseToLineEnd = new Control('\x1b[K');
  /** Erases from the cursor to the end of the screen (ESC [0J). */
  static readonly eraseDown = new Control('\x1b[0J');
  static readonly hideCursor = new Control('\x1b[?25l');
  static readonly showCursor = new Control('\x1b[?25h');
  /** The alternate screen (a full-screen view, `vn top`): the shell's screen comes back when it is left. */
  static readonly enterAlternateScreen = new Control('\x1b[?1049h');
  static readonly leaveAlternateScreen = new Control('\x1b[?1049l');
  /** The cursor to the top left corner. */
  static readonly home = new Control('\x1b[H');
  /** Moves the cursor up `rows` rows (nothing for 0). */
  static up(rows: number): Control {
    const n = Math.max(0, Math.floor(rows));
    return new Control(n > 0 ? `\x1b[${n}A` : '');
  }
}

/** What a writer takes: text (redacted, sanitised on a terminal) and vn's own controls. */
export type Part = string | Control;

/** Somewhere to print: every string part is foreign text to the writer; Controls are vn's. */
export interface Sink {
  write(...parts: Part[]): void;
}

export interface Spinner {
  text: string;
  stop(): void;
  succeed(text?: string): void;
  fail(text?: string): void;
}

type Inquirer = typeof import('@inquirer/prompts');

/** The @inquirer prompts vn uses, bound to the terminal; their messages pass the filters. */
export interface Prompts {
  input(config: Parameters<Inquirer['input']>[0]): Promise<string>;
  password(config: Parameters<Inquirer['password']>[0]): Promise<string>;
  confirm(config: Parameters<Inquirer['confirm']>[0]): Promise<boolean>;
  select<V>(config: Parameters<typeof Select<V>>[0]): Promise<V>;
}

interface Streams {
  stdin: () => Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface TerminalInfo {
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width (stdout's), when known. */
  columns?: number;
}

export interface TestStreamsOptions {
  /** What stdin holds (empty when absent), or a stream read only if the command reads stdin. */
  stdin?: string | Readable;
  tty?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  columns?: number;
  env?: NodeJS.ProcessEnv;
}

/** The test double: in-memory streams whose text the test reads back. */
export interface TestStreams {
  io: IOStreams;
  /** Everything written to stdout so far, exactly as a terminal would have received it. */
  stdout(): string;
  stderr(): string;
}

export class IOStreams {
  readonly #streams: Streams;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly columns?: number;

  private constructor(
    streams: Streams,
    terminal: TerminalInfo,
    /** Where NO_COLOR, FORCE_COLOR and COLUMNS are read. */
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.#streams = streams;
    this.stdinIsTTY = terminal.stdinIsTTY;
    this.stdoutIsTTY = terminal.stdoutIsTTY;
    this.stderrIsTTY = terminal.stderrIsTTY;
    this.columns = terminal.columns;
  }

  /** The process's own streams (production). `onBrokenPipe` runs when stdout's reader went away (`vn … | head`). */
  static system(opts: { onBrokenPipe?: () => void } = {}): IOStreams {
    const onBrokenPipe = opts.onBrokenPipe;
    if (onBrokenPipe) {
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') onBrokenPipe();
      });
    }
    return new IOStreams(
      // process.stdin is created on first access (a stream and a handle): left until a command reads
      { stdin: () => process.stdin, stdout: process.stdout, stderr: process.stderr },
      { stdinIsTTY: isatty(0), stdoutIsTTY: Boolean(process.stdout.isTTY), stderrIsTTY: Boolean(process.stderr.isTTY), columns: process.stdout.columns },
      process.env,
    );
  }

  /** In-memory streams with TTY switches, for tests (what test/helpers/run.ts builds its Context on). */
  static test(opts: TestStreamsOptions = {}): TestStreams {
    const text = { stdout: '', stderr: '' };
    const collector = (name: StreamName) =>
      new Writable({
        write(chunk, _enc, done) {
          text[name] += String(chunk);
          done();
        },
      });
    let stdin: Readable | undefined;
    const io = new IOStreams(
      {
        stdin: () => (stdin ??= opts.stdin instanceof Readable ? opts.stdin : Readable.from(opts.stdin !== undefined ? [opts.stdin] : [])),
        stdout: collector('stdout'),
        stderr: collector('stderr'),
      },
      { stdinIsTTY: opts.tty?.stdin ?? false, stdoutIsTTY: opts.tty?.stdout ?? false, stderrIsTTY: opts.tty?.stderr ?? false, columns: opts.columns },
      opts.env ?? {},
    );
    return { io, stdout: () => text.stdout, stderr: () => text.stderr };
  }

  isTTY(stream: StreamName): boolean {
    return stream === 'stdout' ? this.stdoutIsTTY : this.stderrIsTTY;
  }

  /** Colour on when the stream is a TTY (or FORCE_COLOR), off with NO_COLOR or `flag` false (--no-color). */
  colorEnabled(stream: StreamName, flag = true): boolean {
    if (!flag) return false;
    if ('NO_COLOR' in this.env && this.env.NO_COLOR !== '') return false;
    const force = this.env.FORCE_COLOR;
    if (force !== undefined) return force !== '0' && force !== 'false';
    return this.isTTY(stream);
  }

  /** How wide a table may be: COLUMNS when set, else the terminal's width; piped output has no limit. */
  tableWidth(): number | undefined {
    return tableWidth(this.env, this.stdoutIsTTY, this.columns);
  }

  /**
   * The one writer. Every string is foreign text: redacted, and on a terminal sanitised (vn's
   * colours kept, every other control shown as an escape). Controls are written as they are.
   */
  write(stream: StreamName, ...parts: Part[]): void {
    this.#write(stream, redact, parts);
  }

  /**
   * Data that must keep its values (an exported configuration): only the secret values vn knows
   * are masked, not the secret-looking patterns (`AccessKey=…` in a greeting); sanitised as write().
   */
  writeExact(stream: StreamName, text: string): void {
    this.#write(stream, redactKnown, [text]);
  }

  #write(stream: StreamName, mask: (s: string) => string, parts: Part[]): void {
    const tty = this.isTTY(stream);
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') {
        const safe = mask(p);
        out += tty ? terminalSafe(safe) : safe;
      } else {
        out += SEQUENCES.get(p) ?? '';
      }
    }
    if (out !== '') this.#streams[stream].write(out);
  }

  /** A Sink on one stream (for reporters and progress lines). */
  sink(stream: StreamName): Sink {
    return { write: (...parts) => this.write(stream, ...parts) };
  }

  /**
   * Keys typed on the terminal, one call of `onKey` per key: a printable character as it is, and
   * `tab`, `enter`, `escape`, `ctrl-c`, `ctrl-d` by name (other escape sequences, such as arrows, as
   * `escape`). On a terminal stdin goes into raw mode, so Ctrl-C arrives as the key `ctrl-c` and no
   * SIGINT is raised; the returned function puts the terminal back as it was and stops reading.
   */
  keys(onKey: (key: string) => void): () => void {
    const stdin = this.#streams.stdin() as Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => void };
    const raw = this.stdinIsTTY && typeof stdin.setRawMode === 'function';
    const wasRaw = stdin.isRaw === true;
    if (raw) stdin.setRawMode?.(true);
    const onData = (chunk: Buffer | string) => {
      const text = String(chunk);
      if (text.startsWith('\x1b') && text.length > 1) return onKey('escape');
      for (const c of text) onKey(KEY_NAMES[c] ?? c);
    };
    stdin.on('data', onData);
    stdin.resume();
    return () => {
      stdin.off('data', onData);
      if (raw) stdin.setRawMode?.(wasRaw);
      stdin.pause();
    };
  }

  /** The whole of stdin as UTF-8 text (a piped secret, a configuration file given as `-`). */
  async readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of this.#streams.stdin()) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * A line reader on stdin for the chat. On a terminal (stdin and stdout both TTYs) readline draws
   * on stdout: the prompt given here (vn's own, passed through the filters) and the echo of what
   * the user types, nothing else; every answer is printed through `write`. Elsewhere it has no
   * output at all.
   */
  async readline(opts: { prompt: string; historySize?: number }): Promise<ReadlineInterface> {
    const { createInterface } = await import('node:readline');
    const tty = this.stdinIsTTY && this.stdoutIsTTY;
    return createInterface({
      input: this.#streams.stdin(),
      output: tty ? this.#streams.stdout : undefined,
      terminal: tty,
      historySize: opts.historySize,
      prompt: this.filtered('stdout', opts.prompt),
    });
  }

  /**
   * The @inquirer prompts, drawn on stderr and read from stdin. The prompt library writes its own
   * cursor controls, so it gets the terminal itself; the only text it prints is the message (vn's
   * own, passed through the filters here as one line), the choices and defaults vn gives it, and
   * what the user types (masked for a password).
   */
  async prompts(): Promise<Prompts> {
    const inquirer = await import('@inquirer/prompts');
    const context = { input: this.#streams.stdin(), output: this.#streams.stderr };
    const safe = <C extends { message: string }>(c: C): C => ({ ...c, message: sanitizeLine(redact(c.message)) });
    return {
      input: (c) => inquirer.input(safe(c), context),
      password: (c) => inquirer.password(safe(c), context),
      confirm: (c) => inquirer.confirm(safe(c), context),
      select: (c) => inquirer.select(safe(c), context),
    };
  }

  /** An ora spinner on stderr when it is a TTY; otherwise a silent stand-in. Its texts pass the filters as one line. */
  async spinner(text: string): Promise<Spinner> {
    if (!this.stderrIsTTY) return { text, stop() {}, succeed() {}, fail() {} };
    const { default: ora } = await import('ora');
    const safe = (t: string) => sanitizeLine(redact(t));
    const s = ora({ text: safe(text), stream: this.#streams.stderr as NodeJS.WritableStream, color: 'cyan' }).start();
    return {
      get text() {
        return s.text;
      },
      set text(t: string) {
        s.text = safe(t);
      },
      stop: () => void s.stop(),
      succeed: (t?: string) => void s.succeed(t === undefined ? undefined : safe(t)),
      fail: (t?: string) => void s.fail(t === undefined ? undefined : safe(t)),
    };
  }

  /** A text as `write` would print it on `stream`. */
  private filtered(stream: StreamName, text: string): string {
    const safe = redact(text);
    return this.isTTY(stream) ? terminalSafe(safe) : safe;
  }
}

/** The names `keys()` gives the keys that are not printable characters. */
const KEY_NAMES: Record<string, string> = { '\t': 'tab', '\r': 'enter', '\n': 'enter', '\x1b': 'escape', '\x03': 'ctrl-c', '\x04': 'ctrl-d', ' ': 'space' };

/** How wide a table may be: COLUMNS when set, else the terminal's width; piped output has no limit. */
export function tableWidth(env: NodeJS.ProcessEnv, isTTY: boolean, ttyColumns: number | undefined): number | undefined {
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS && Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return isTTY && ttyColumns ? ttyColumns : undefined;
}
