import type { ChalkInstance } from 'chalk';
import { ENDING_ACTIONS } from '../api/bot-actions.js';
import type { BotTurn } from '../api/bot-turn.js';
import { Cancelled, ServiceError, UsageError } from '../errors.js';
import { formatTurn } from '../output/format-bot-turn.js';
import { Control, type IOStreams } from '../output/iostreams.js';
import type { ApiClient, Clock } from '../ports.js';
import { type ChatControls, findSlashCommand } from './chat-commands.js';
import { DialogueSession, type TurnResult } from './session.js';
import type { DialogueEnv } from './suite/format.js';
import { SessionRecorder } from './suite/record.js';

export interface ChatOptions {
  instanceId: string;
  env: DialogueEnv;
  callingNumber: string;
  calledNumber?: string;
  /** InitialContext of every conversation the chat begins. */
  context?: Record<string, unknown>;
  /** Keep the session in this test file after every turn (--record). */
  recordFile?: string;
  /** --force: /save and --record may replace an existing file. */
  force?: boolean;
  /** --verbose: after each turn, the conversation context the service keeps (DescribeConversationContext) and what changed. */
  verbose?: boolean;
}

/**
 * The debug chat: a conversation turn by turn. On a terminal it reads lines with history and
 * prints formatted answers; otherwise it reads one utterance a line from stdin and prints one
 * JSON line per answer, so it can be scripted. Whatever ends it (/quit, Ctrl-D, Ctrl-C, end of
 * input, an error), the conversation is ended with EndDialogue first.
 */
/** What the chat needs of the shell: the streams and the one writer, the clock, colour, and the signed client. */
export interface ChatHost {
  readonly io: IOStreams;
  readonly now: Clock;
  out(text: string): void;
  err(text: string): void;
  colorFor(stream: 'stdout' | 'stderr'): boolean;
  client(): Promise<ApiClient>;
}

export async function runChat(ctx: ChatHost, opts: ChatOptions): Promise<void> {
  const tty = ctx.io.stdinIsTTY && ctx.io.stdoutIsTTY;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: ctx.colorFor('stdout') ? 1 : 0 });
  const client = await ctx.client();
  const recorder = new SessionRecorder(
    { instance: opts.instanceId, env: opts.env, callingNumber: opts.callingNumber, calledNumber: opts.calledNumber },
    ctx.now(),
  );
  // every request of a turn carries the chat's current signal, so Ctrl-C can cancel it
  const chat: Chat = new Chat(
    ctx,
    chalk,
    tty,
    opts,
    recorder,
    () => new DialogueSession((action, params) => client.call(action, params, { signal: chat.signal }), opts),
  );
  // the terminal belongs to IOStreams: readline draws only the prompt and the echo of what is typed
  const rl = await ctx.io.readline({ historySize: 500, prompt: `${chalk.cyan('you ›')} ` });
  // the iterator buffers from its creation: lines piped in while the greeting is on its way are kept
  const lines = rl[Symbol.asyncIterator]();
  let interrupted = false;
  /** A Ctrl-C at an empty prompt (or one that cancelled a turn) was seen: the next one leaves. */
  let leaveOnNext = false;
  const leave = () => {
    interrupted = true;
    chat.cancel();
    rl.close();
  };
  // Ctrl-C on the terminal reaches readline (raw mode): python's and psql's way, not the shell's
  const onTerminalInterrupt = () => {
    if (chat.busy) {
      // the turn in flight is cancelled; its handler reports it and the prompt comes back
      chat.cancel();
      leaveOnNext = true;
      return;
    }
    if (rl.line !== '') {
      // clears what was typed (Ctrl-E, Ctrl-U: readline's own editing keys, redrawn by readline)
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      leaveOnNext = false;
      return;
    }
    if (leaveOnNext) return leave();
    leaveOnNext = true;
    ctx.io.write('stdout', '\n');
    ctx.out(chalk.dim('(Ctrl-C again or Ctrl-D to leave)'));
    rl.prompt();
  };
  if (tty) rl.on('SIGINT', onTerminalInterrupt);
  else {
    // a SIGINT sent to a piped process (or Ctrl-C where stdin is not the terminal) leaves at once
    rl.on('SIGINT', leave);
    process.once('SIGINT', leave);
  }
  try {
    if (tty) ctx.out(chalk.dim(`vn dialogue chat · instance ${opts.instanceId} · ${opts.env} · /help for commands`));
    if (!(await chat.begin())) {
      interrupted = true;
      return;
    }
    if (tty) rl.prompt();
    for await (const line of { [Symbol.asyncIterator]: () => lines }) {
      if (line.trim() !== '') leaveOnNext = false;
      const go = await chat.handle(line);
      if (!go || interrupted) break;
      if (tty) rl.prompt();
    }
  } finally {
    process.off('SIGINT', leave);
    rl.close();
    if (tty) ctx.out('');
    await chat.close(interrupted ? 'interrupted' : 'bye');
  }
}

class Chat implements ChatControls {
  private session?: DialogueSession;
  /** The bot ended the call (transfer, hang-up): utterances wait for /restart. */
  private callOver = false;
  private pendingContext?: Record<string, unknown>;
  /** The greeting was cancelled: the conversation may or may not exist, so ending it may fail quietly. */
  private unconfirmed = false;
  /** The last context seen with --verbose, to show what a turn changed. */
  private lastContext?: Record<string, unknown>;
  /** Set while a line (a turn, a slash command) is being handled: Ctrl-C aborts it. */
  private inFlight?: AbortController;

  /** The signal the current line's requests carry. */
  get signal(): AbortSignal | undefined {
    return this.inFlight?.signal;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** Ctrl-C: aborts the requests of the line being handled (nothing when idle). */
  cancel(): void {
    this.inFlight?.abort();
  }

  /** Runs `work` cancellable, with the waiting indicator on a terminal after 300 ms. */
  private async inFlightDo<T>(work: () => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inFlight = controller;
    this.waiting = this.tty ? waitingIndicator(this.ctx.io, this.chalk) : undefined;
    try {
      return await work();
    } finally {
      this.stopWaiting();
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  private waiting?: { stop(): void };

  private stopWaiting(): void {
    this.waiting?.stop();
    this.waiting = undefined;
  }

  /** Everything the chat prints: the waiting indicator is erased first. */
  private out(text: string): void {
    this.stopWaiting();
    this.ctx.out(text);
  }

  private err(text: string): void {
    this.stopWaiting();
    this.ctx.err(text);
  }

  constructor(
    private readonly ctx: ChatHost,
    private readonly chalk: ChalkInstance,
    private readonly tty: boolean,
    private readonly opts: ChatOptions,
    private readonly recorder: SessionRecorder,
    private readonly newSession: () => DialogueSession,
  ) {}

  /** The greeting; false when Ctrl-C cancelled it (the chat then leaves). */
  async begin(): Promise<boolean> {
    return this.inFlightDo(() => this.greet());
  }

  private async greet(): Promise<boolean> {
    const session = this.newSession();
    this.callOver = false;
    this.lastContext = undefined;
    let r: TurnResult;
    try {
      r = await session.begin(this.opts.context);
    } catch (err) {
      if (err instanceof Cancelled) {
        // the request may have opened the conversation: it is ended on the way out, quietly
        this.session = session;
        this.unconfirmed = true;
        return false;
      }
      // no conversation was opened, so there is none to end: the real cause is the one reported
      this.session = undefined;
      if (!this.tty) this.out(JSON.stringify(errorEvent('greeting', err)));
      throw err;
    }
    this.session = session;
    this.unconfirmed = false;
    this.recorder.beginConversation(this.opts.context, r.turn);
    this.show('greeting', undefined, r);
    await this.details();
    await this.record();
    return true;
  }

  /** One input line; false when the chat should stop. */
  async handle(raw: string): Promise<boolean> {
    const line = raw.trim();
    if (line === '') return true;
    try {
      if (!line.startsWith('/')) {
        await this.inFlightDo(() => this.turn('say', line));
        return true;
      }
      const command = line.split(/\s+/)[0] ?? '';
      const arg = line.slice(command.length).trim();
      const slash = findSlashCommand(command);
      if (!slash) throw new UsageError(`unknown command ${command} (/help lists them)`);
      return (await this.inFlightDo(async () => slash.run(this, arg, command))) !== false;
    } catch (err) {
      if (err instanceof Cancelled) this.cancelled(line);
      else this.error(line, err);
    }
    return true;
  }

  // --- ChatControls: what the slash commands (chat-commands.ts) may do ---

  holdContext(context: Record<string, unknown>): void {
    this.pendingContext = context;
    this.note(`context for the next turn: ${JSON.stringify(context)}`);
  }

  async restart(): Promise<void> {
    await this.endCurrent();
    if (!(await this.greet())) throw new Cancelled('cancelled');
  }

  async end(): Promise<void> {
    if (!this.session || this.session.ended) throw new UsageError('no conversation to end: /restart to call again');
    await this.endCurrent();
    this.note('conversation ended. /restart to call again, /quit to leave');
  }

  async save(file: string, replace: boolean): Promise<void> {
    if (!replace && !this.opts.force && (await exists(file))) {
      throw new UsageError(`${file} exists: /save! ${file} replaces it (or start the chat with --force)`);
    }
    await this.recorder.save(file);
    this.emit(
      { type: 'saved', file, conversations: this.recorder.size },
      `saved ${this.recorder.size} conversation(s) to ${file} — run it with: vn dialogue test ${file}`,
    );
  }

  help(text: string): void {
    if (this.tty) this.out(text);
    else this.err(text);
  }

  async turn(kind: 'say' | 'dtmf' | 'silence', input: string | undefined): Promise<void> {
    const session = this.session;
    if (!session || session.ended || this.callOver) throw new UsageError('the call has ended: /restart to call again');
    // DebugCollectedNumber has no context parameter: a pending context waits for a turn that takes one
    const holdsContext = !session.takesContext(kind);
    const context = holdsContext ? undefined : this.pendingContext;
    if (!holdsContext) this.pendingContext = undefined;
    else if (this.pendingContext) this.note(`${session.request(kind).action} takes no context: it is kept for the next turn`);
    const r =
      kind === 'say'
        ? await session.say(input as string, context)
        : kind === 'dtmf'
          ? await session.dtmf(input as string, context)
          : await session.silence(context);
    this.recorder.turn(kind, input, context, r.turn);
    this.show(kind, input, r);
    await this.details();
    await this.record();
  }

  /** The conversation's context as the service keeps it (DescribeConversationContext). */
  private async fetchContext(): Promise<Record<string, unknown> | undefined> {
    const s = this.session;
    if (!s || s.ended) return undefined;
    const res = await this.describe(s.conversationId);
    const raw = (res as { ConversationContext?: unknown }).ConversationContext;
    if (typeof raw !== 'string' || raw.trim() === '') return {};
    try {
      const v = JSON.parse(raw) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
    } catch {
      return { value: raw };
    }
  }

  async showContext(): Promise<void> {
    if (!this.session || this.session.ended) throw new UsageError('no conversation: /restart to call again');
    const context = await this.fetchContext();
    this.lastContext = context;
    if (this.tty) this.out(this.chalk.dim(`context: ${JSON.stringify(context, null, 2)}`));
    else this.out(JSON.stringify({ type: 'context', conversationId: this.session.conversationId, context }));
  }

  /**
   * --verbose: what the answer does not say — the matched intent or rule when the service keeps
   * them in the context (the emulator does: lastIntent, lastRule), and every context change.
   */
  private async details(): Promise<void> {
    if (!this.opts.verbose || !this.session || this.session.ended) return;
    let context: Record<string, unknown> | undefined;
    try {
      context = await this.fetchContext();
    } catch (err) {
      if (err instanceof Cancelled) throw err;
      this.note(`(no context: ${(err as Error).message})`);
      return;
    }
    if (!context) return;
    const before = this.lastContext ?? {};
    this.lastContext = context;
    const changes: Record<string, { from?: unknown; to?: unknown }> = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(context)])) {
      if (JSON.stringify(before[k]) !== JSON.stringify(context[k])) changes[k] = { from: before[k], to: context[k] };
    }
    const { lastIntent, lastRule } = context as { lastIntent?: unknown; lastRule?: unknown };
    if (!this.tty) {
      this.out(
        JSON.stringify({
          type: 'details',
          conversationId: this.session.conversationId,
          ...(lastIntent ? { intent: lastIntent } : {}),
          ...(lastRule ? { rule: lastRule } : {}),
          contextChanges: changes,
        }),
      );
      return;
    }
    const parts: string[] = [];
    if (lastIntent) parts.push(`intent ${String(lastIntent)}`);
    if (lastRule) parts.push(`rule ${String(lastRule)}`);
    const shown = Object.entries(changes)
      .filter(([k]) => k !== 'lastIntent' && k !== 'lastRule')
      .map(([k, c]) =>
        c.from === undefined ? `+${k}=${JSON.stringify(c.to)}` : c.to === undefined ? `-${k}` : `${k}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`,
      );
    if (shown.length) parts.push(`context ${shown.join(', ')}`);
    if (parts.length) this.out(this.chalk.dim(`  ⋯ ${parts.join(' · ')}`));
  }

  private show(kind: string, input: string | undefined, r: TurnResult): void {
    const t: BotTurn = r.turn;
    const ends = ENDING_ACTIONS.has(t.Action ?? '');
    if (ends) this.callOver = true;
    if (!this.tty) {
      const { TextResponse, Action, ActionParams, Interruptible } = t;
      this.out(
        JSON.stringify({
          type: kind,
          ...(input !== undefined ? { input } : {}),
          conversationId: this.session?.conversationId,
          TextResponse,
          Action,
          ActionParams,
          Interruptible,
          latencyMs: Math.round(r.latencyMs),
          ...(ends ? { callEnded: true } : {}),
        }),
      );
      return;
    }
    this.out(formatTurn(this.chalk, t, { latencyMs: r.latencyMs, prefix: `${this.chalk.bold('bot ›')} ` }));
    if (ends) this.out(this.chalk.yellow(`the call ended (${t.Action}). /restart to call again, /quit to leave`));
  }

  private async endCurrent(): Promise<void> {
    const s = this.session;
    if (!s || s.ended) return;
    await s.end();
    this.recorder.end();
    await this.record();
    this.emit({ type: 'end', conversationId: s.conversationId }, this.chalk.dim(`EndDialogue sent for ${s.conversationId}`));
  }

  /** Leaving: the conversation is always ended first; a failure to end it is reported. */
  async close(why: 'bye' | 'interrupted'): Promise<void> {
    // EndDialogue is waited for, but a Ctrl-C (now a SIGINT: readline is closed) gives up on it
    const controller = new AbortController();
    this.inFlight = controller;
    const giveUp = () => controller.abort();
    process.once('SIGINT', giveUp);
    try {
      await this.endCurrent();
    } catch (err) {
      const s = this.session;
      if (err instanceof Cancelled) this.note(`EndDialogue for ${s?.conversationId} was cancelled: the service ends the conversation on its own`);
      else if (!this.unconfirmed) this.error('EndDialogue', err);
    } finally {
      process.off('SIGINT', giveUp);
      this.inFlight = undefined;
    }
    if (this.tty && why === 'interrupted') this.note('interrupted');
  }

  /** Ctrl-C cancelled the line's request: the conversation goes on from the last answer. */
  private cancelled(input: string): void {
    if (this.tty) this.out(this.chalk.yellow('cancelled (the service may have had the turn already) · Ctrl-C again or Ctrl-D to leave'));
    else {
      this.out(JSON.stringify({ type: 'cancelled', input }));
      this.err('cancelled');
    }
  }

  private async record(): Promise<void> {
    if (this.opts.recordFile) await this.recorder.save(this.opts.recordFile);
  }

  private async describe(conversationId: string): Promise<unknown> {
    const client = await this.ctx.client();
    const res = await client.call('DescribeConversationContext', { InstanceId: this.opts.instanceId, ConversationId: conversationId });
    return res.data;
  }

  private note(text: string): void {
    if (this.tty) this.out(this.chalk.dim(text));
    else this.err(text);
  }

  private emit(json: Record<string, unknown>, text: string): void {
    if (this.tty) this.out(text);
    else this.out(JSON.stringify(json));
  }

  /** A failed turn is reported and the session goes on. */
  private error(input: string, err: unknown): void {
    const e = err as Error;
    const code = err instanceof ServiceError ? err.code : undefined;
    const message = `${code ? `${code}: ` : ''}${e?.message ?? String(err)}`;
    if (this.tty) this.err(this.chalk.red(`error: ${message}`));
    else {
      this.out(JSON.stringify(errorEvent(input, err)));
      this.err(`error: ${message}`);
    }
  }
}

function errorEvent(input: string, err: unknown): Record<string, unknown> {
  const code = err instanceof ServiceError ? err.code : undefined;
  const requestId = err instanceof ServiceError ? err.requestId : undefined;
  return { type: 'error', input, ...(code ? { code } : {}), message: (err as Error)?.message ?? String(err), ...(requestId ? { requestId } : {}) };
}

async function exists(path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * A slow turn's waiting indicator: after 300 ms, a spinner with the seconds waited on stderr
 * (a terminal only), redrawn in place and erased before the answer is printed.
 */
function waitingIndicator(io: IOStreams, chalk: ChalkInstance): { stop(): void } | undefined {
  if (!io.stderrIsTTY) return undefined;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const started = Date.now();
  let frame = 0;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.write(
      'stderr',
      Control.carriageReturn,
      Control.eraseLine,
      chalk.dim(`${frames[frame++ % frames.length]} waiting for the bot… ${seconds} s (Ctrl-C cancels)`),
    );
    drawn = true;
  };
  const delay = setTimeout(() => {
    draw();
    timer = setInterval(draw, 100);
  }, 300);
  return {
    stop() {
      clearTimeout(delay);
      if (timer) clearInterval(timer);
      if (drawn) io.write('stderr', Control.carriageReturn, Control.eraseLine);
    },
  };
}
