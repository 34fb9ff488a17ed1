import type { ChalkInstance } from 'chalk';
import { ENDING_ACTIONS } from '../api/bot-actions.js';
import type { BotTurn } from '../api/bot-turn.js';
import { ServiceError, UsageError } from '../errors.js';
import { formatTurn } from '../output/format-bot-turn.js';
import type { IOStreams } from '../output/iostreams.js';
import type { ApiClient, Clock } from '../ports.js';
import { type ChatControls, findSlashCommand } from './chat-commands.js';
import { clientSend, DialogueSession, type TurnResult } from './session.js';
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
  const chat = new Chat(ctx, chalk, tty, opts, recorder, () => new DialogueSession(clientSend(client), opts));
  // the terminal belongs to IOStreams: readline draws only the prompt and the echo of what is typed
  const rl = await ctx.io.readline({ historySize: 500, prompt: `${chalk.cyan('you ›')} ` });
  // the iterator buffers from its creation: lines piped in while the greeting is on its way are kept
  const lines = rl[Symbol.asyncIterator]();
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    rl.close();
  };
  // Ctrl-C on the terminal reaches readline; a SIGINT sent to a piped process reaches the process
  rl.on('SIGINT', interrupt);
  if (!tty) process.once('SIGINT', interrupt);
  try {
    if (tty) ctx.out(chalk.dim(`vn dialogue chat · instance ${opts.instanceId} · ${opts.env} · /help for commands`));
    await chat.begin();
    if (tty) rl.prompt();
    for await (const line of { [Symbol.asyncIterator]: () => lines }) {
      const go = await chat.handle(line);
      if (!go) break;
      if (tty) rl.prompt();
    }
  } finally {
    process.off('SIGINT', interrupt);
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
  /** The last context seen with --verbose, to show what a turn changed. */
  private lastContext?: Record<string, unknown>;

  constructor(
    private readonly ctx: ChatHost,
    private readonly chalk: ChalkInstance,
    private readonly tty: boolean,
    private readonly opts: ChatOptions,
    private readonly recorder: SessionRecorder,
    private readonly newSession: () => DialogueSession,
  ) {}

  async begin(): Promise<void> {
    const session = this.newSession();
    this.callOver = false;
    this.lastContext = undefined;
    let r: TurnResult;
    try {
      r = await session.begin(this.opts.context);
    } catch (err) {
      // no conversation was opened, so there is none to end: the real cause is the one reported
      this.session = undefined;
      if (!this.tty) this.ctx.out(JSON.stringify(errorEvent('greeting', err)));
      throw err;
    }
    this.session = session;
    this.recorder.beginConversation(this.opts.context, r.turn);
    this.show('greeting', undefined, r);
    await this.details();
    await this.record();
  }

  /** One input line; false when the chat should stop. */
  async handle(raw: string): Promise<boolean> {
    const line = raw.trim();
    if (line === '') return true;
    try {
      if (!line.startsWith('/')) {
        await this.turn('say', line);
        return true;
      }
      const command = line.split(/\s+/)[0] ?? '';
      const arg = line.slice(command.length).trim();
      const slash = findSlashCommand(command);
      if (!slash) throw new UsageError(`unknown command ${command} (/help lists them)`);
      return (await slash.run(this, arg, command)) !== false;
    } catch (err) {
      this.error(line, err);
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
    await this.begin();
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
    if (this.tty) this.ctx.out(text);
    else this.ctx.err(text);
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
    if (this.tty) this.ctx.out(this.chalk.dim(`context: ${JSON.stringify(context, null, 2)}`));
    else this.ctx.out(JSON.stringify({ type: 'context', conversationId: this.session.conversationId, context }));
  }

  /**
   * --verbose: what the answer does not say — the matched intent or rule when the service keeps
   * them in the context (the emulator does: lastIntent, lastRule), and every context change.
   */
  private async details(): Promise<void> {
    if (!this.opts.verbose || this.callOver || !this.session || this.session.ended) return;
    let context: Record<string, unknown> | undefined;
    try {
      context = await this.fetchContext();
    } catch (err) {
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
      this.ctx.out(
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
    if (parts.length) this.ctx.out(this.chalk.dim(`  ⋯ ${parts.join(' · ')}`));
  }

  private show(kind: string, input: string | undefined, r: TurnResult): void {
    const t: BotTurn = r.turn;
    const ends = ENDING_ACTIONS.has(t.Action ?? '');
    if (ends) this.callOver = true;
    if (!this.tty) {
      const { TextResponse, Action, ActionParams, Interruptible } = t;
      this.ctx.out(
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
    this.ctx.out(formatTurn(this.chalk, t, { latencyMs: r.latencyMs, prefix: `${this.chalk.bold('bot ›')} ` }));
    if (ends) this.ctx.out(this.chalk.yellow(`the call ended (${t.Action}). /restart to call again, /quit to leave`));
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
    try {
      await this.endCurrent();
    } catch (err) {
      this.error('EndDialogue', err);
    }
    if (this.tty && why === 'interrupted') this.note('interrupted');
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
    if (this.tty) this.ctx.out(this.chalk.dim(text));
    else this.ctx.err(text);
  }

  private emit(json: Record<string, unknown>, text: string): void {
    if (this.tty) this.ctx.out(text);
    else this.ctx.out(JSON.stringify(json));
  }

  /** A failed turn is reported and the session goes on. */
  private error(input: string, err: unknown): void {
    const e = err as Error;
    const code = err instanceof ServiceError ? err.code : undefined;
    const message = `${code ? `${code}: ` : ''}${e?.message ?? String(err)}`;
    if (this.tty) this.ctx.err(this.chalk.red(`error: ${message}`));
    else {
      this.ctx.out(JSON.stringify(errorEvent(input, err)));
      this.ctx.err(`error: ${message}`);
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
