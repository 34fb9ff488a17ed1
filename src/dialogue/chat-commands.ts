import { UsageError } from '../errors.js';

/** What a slash command may do to the chat it runs in (implemented by dialogue/chat.ts). */
export interface ChatControls {
  turn(kind: 'say' | 'dtmf' | 'silence', input: string | undefined): Promise<void>;
  showContext(): Promise<void>;
  /** AdditionalContext for the next turn that takes one. */
  holdContext(context: Record<string, unknown>): void;
  restart(): Promise<void>;
  end(): Promise<void>;
  save(file: string, replace: boolean): Promise<void>;
  help(text: string): void;
}

export interface SlashCommand {
  /** The name and its aliases, with the slash (`/quit`, `/exit`). */
  names: readonly string[];
  /** Help lines: usage and summary. */
  help: readonly (readonly [usage: string, summary: string])[];
  /** Returns false when the chat should stop. */
  run(chat: ChatControls, arg: string, name: string): Promise<boolean | undefined> | boolean | undefined;
}

/**
 * The chat's slash commands, one entry each: `/help`, dispatch and the typo message read this
 * table. A new command is one entry here (and, if it needs a new power, a method of ChatControls).
 */
export const SLASH_COMMANDS: readonly SlashCommand[] = [
  {
    names: ['/dtmf'],
    help: [['/dtmf DIGITS', 'send keypad digits']],
    async run(chat, arg) {
      if (!/^[0-9*#]+$/.test(arg)) throw new UsageError('/dtmf takes keypad digits (0-9, *, #), e.g. /dtmf 1');
      await chat.turn('dtmf', arg);
      return true;
    },
  },
  {
    names: ['/silence'],
    help: [['/silence', 'the caller says nothing (SilenceTimeout)']],
    async run(chat) {
      await chat.turn('silence', undefined);
      return true;
    },
  },
  {
    names: ['/context'],
    help: [
      ['/context JSON', 'AdditionalContext for the next turn, e.g. /context {"vip":true}'],
      ['/context', "show the conversation's context as the service keeps it"],
    ],
    async run(chat, arg) {
      if (arg === '') await chat.showContext();
      else chat.holdContext(parseContext(arg));
      return true;
    },
  },
  {
    names: ['/restart'],
    help: [['/restart', 'end this conversation and call again']],
    async run(chat) {
      await chat.restart();
      return true;
    },
  },
  {
    names: ['/end'],
    help: [['/end', 'end this conversation (EndDialogue)']],
    async run(chat) {
      await chat.end();
      return true;
    },
  },
  {
    names: ['/save', '/save!'],
    help: [
      ['/save FILE', 'save the session so far as a test file (vn dialogue test FILE); never replaces a file'],
      ['/save! FILE', 'the same, replacing FILE if it exists'],
    ],
    async run(chat, arg, name) {
      if (!arg) throw new UsageError(`${name} needs a file name, e.g. ${name} my-session.test.yaml`);
      await chat.save(arg, name === '/save!');
      return true;
    },
  },
  {
    names: ['/help'],
    help: [['/help', 'this help']],
    run(chat) {
      chat.help(chatHelp());
      return true;
    },
  },
  {
    names: ['/quit', '/exit'],
    help: [['/quit', 'end the conversation and leave (also Ctrl-D, or Ctrl-C twice)']],
    run: () => false,
  },
];

const BY_NAME = new Map(SLASH_COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)));

export function findSlashCommand(name: string): SlashCommand | undefined {
  return BY_NAME.get(name);
}

/** `/help`: from the table, usages aligned. */
export function chatHelp(): string {
  const lines = SLASH_COMMANDS.flatMap((c) => c.help);
  const width = Math.max(...lines.map(([u]) => u.length)) + 2;
  return ['Type what the caller says, or:', ...lines.map(([u, s]) => `  ${u.padEnd(Math.max(width, 17))}${s}`)].join('\n');
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
