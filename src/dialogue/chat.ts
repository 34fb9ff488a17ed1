import type { ChalkInstance } from 'chalk';
import { ENDING_ACTIONS } from '../api/bot-actions.js';
import type { BotTurn } from '../api/turn.js';
import type { Context } from '../context.js';
import { ServiceError, UsageError } from '../errors.js';
import { formatTurn } from '../output/turn.js';
import { DialogueSession, type TurnResult } from './test/conversation.js';
import type { DialogueEnv } from './test/format.js';
import { SessionRecorder } from './test/record.js';

export interface ChatOptions {
  instanceId: string;
  env: DialogueEnv;
  callingNumber: string;
  calledNumber?: string;
  /** InitialContext of every conversation the chat begins. */
  context?: Record<string, unknown>;
  /** Keep the session in this test file after every turn (--record). */
  recordFile?: string;
}

const HELP = `Type what the caller says, or:
  /dtmf DIGITS     send keypad digits
  /silence         the caller says nothing (SilenceTimeout)
  /context JSON    AdditionalContext for the next turn, e.g. /context {"vip":true}
  /restart         end this conversation and call again
  /end             end this conversation (EndDialogue)
  /save FILE       save the session so far as a test file (vn dialogue test FILE)
  /help            this help
  /quit            end the conversation and leave (also Ctrl-D, Ctrl-C)`;

/**
 * The debug chat: a conversation turn by turn. On a terminal it reads lines with history and
 * prints formatted answers; otherwise it reads one utterance a line from stdin and prints one
 * JSON line per answer, so it can be scripted. Whatever ends it (/quit, Ctrl-D, Ctrl-C, end of
 * input, an error), the conversation is ended with EndDialogue first.
 */
export async function runChat(ctx: Context, opts: ChatOptions): Promise<void> {
  const tty = ctx.io.stdinIsTTY && ctx.io.stdoutIsTTY;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: ctx.colorFor('stdout') ? 1 : 0 });
  const client = await ctx.client();
  const recorder = new SessionRecorder(
    { instance: opts.instanceId, env: opts.env, callingNumber: opts.callingNumber, calledNumber: opts.calledNumber },
    ctx.now(),
  );
  const chat = new Chat(ctx, chalk, tty, opts, recorder, () => new DialogueSession(client, opts));
  const readline = await import('node:readline');
  const rl = readline.createInterface({
    input: ctx.io.stdin,
    output: tty ? ctx.io.stdout : undefined,
    terminal: tty,
    historySize: 500,
    prompt: `${chalk.cyan('you ›')} `,
  });
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

class Chat {
  private session?: DialogueSession;
  /** The bot ended the call (transfer, hang-up): utterances wait for /restart. */
  private callOver = false;
  private pendingContext?: Record<string, unknown>;

  constructor(
    private readonly ctx: Context,
    private readonly chalk: ChalkInstance,
    private readonly tty: boolean,
    private readonly opts: ChatOptions,
    private readonly recorder: SessionRecorder,
    private readonly newSession: () => DialogueSession,
  ) {}

  async begin(): Promise<void> {
    const session = this.newSession();
    this.session = session;
    this.callOver = false;
    const r = await session.begin(this.opts.context);
    this.recorder.beginConversation(this.opts.context, r.turn);
    this.show('greeting', undefined, r);
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
      switch (command) {
        case '/dtmf':
          if (!/^[0-9*#]+$/.test(arg)) throw new UsageError('/dtmf takes keypad digits (0-9, *, #), e.g. /dtmf 1');
          await this.turn('dtmf', arg);
          break;
        case '/silence':
          await this.turn('silence', undefined);
          break;
        case '/context':
          this.pendingContext = parseContext(arg);
          this.note(`context for the next turn: ${JSON.stringify(this.pendingContext)}`);
          break;
        case '/restart':
          await this.endCurrent();
          await this.begin();
          break;
        case '/end':
          if (!this.session || this.session.ended) throw new UsageError('no conversation to end: /restart to call again');
          await this.endCurrent();
          this.note('conversation ended. /restart to call again, /quit to leave');
          break;
        case '/save': {
          if (!arg) throw new UsageError('/save needs a file name, e.g. /save my-session.test.yaml');
          await this.recorder.save(arg);
          this.emit(
            { type: 'saved', file: arg, conversations: this.recorder.size },
            `saved ${this.recorder.size} conversation(s) to ${arg} — run it with: vn dialogue test ${arg}`,
          );
          break;
        }
        case '/help':
          if (this.tty) this.ctx.out(HELP);
          else this.ctx.err(HELP);
          break;
        case '/quit':
        case '/exit':
          return false;
        default:
          throw new UsageError(`unknown command ${command} (/help lists them)`);
      }
    } catch (err) {
      this.error(line, err);
    }
    return true;
  }

  private async turn(kind: 'say' | 'dtmf' | 'silence', input: string | undefined): Promise<void> {
    const session = this.session;
    if (!session || session.ended || this.callOver) throw new UsageError('the call has ended: /restart to call again');
    // DebugCollectedNumber has no context parameter: a pending context waits for a turn that takes one
    const holdsContext = kind === 'dtmf' && this.opts.env === 'debug';
    const context = holdsContext ? undefined : this.pendingContext;
    if (!holdsContext) this.pendingContext = undefined;
    else if (this.pendingContext) this.note('DebugCollectedNumber takes no context: it is kept for the next turn');
    const r =
      kind === 'say'
        ? await session.say(input as string, context)
        : kind === 'dtmf'
          ? await session.dtmf(input as string, context)
          : await session.silence(context);
    this.recorder.turn(kind, input, context, r.turn);
    this.show(kind, input, r);
    await this.record();
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
      this.ctx.out(JSON.stringify({ type: 'error', input, ...(code ? { code } : {}), message: e?.message ?? String(err) }));
      this.ctx.err(`error: ${message}`);
    }
  }
}

function parseContext(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`/context takes a JSON object: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError('/context takes a JSON object, e.g. /context {"vip":true}');
  return v as Record<string, unknown>;
}
