import { describe, expect, it } from 'vitest';
import { type ChatControls, chatHelp, findSlashCommand, SLASH_COMMANDS } from '../../src/dialogue/chat-commands.js';

/** Records what a command asked of the chat. */
function recorder(): ChatControls & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const rec =
    (name: string) =>
    async (...args: unknown[]) =>
      void calls.push([name, ...args]);
  return {
    calls,
    turn: rec('turn'),
    showContext: rec('showContext'),
    holdContext: (c) => void calls.push(['holdContext', c]),
    restart: rec('restart'),
    end: rec('end'),
    save: rec('save'),
    help: (t) => void calls.push(['help', t]),
  };
}

describe('the chat slash-command table', () => {
  it('/help lists every command of the table, aligned, as it always has', () => {
    const help = chatHelp();
    expect(help.split('\n')[0]).toBe('Type what the caller says, or:');
    expect(help).toContain('  /dtmf DIGITS     send keypad digits');
    expect(help).toContain('  /quit            end the conversation and leave (also Ctrl-D, or Ctrl-C twice)');
    for (const c of SLASH_COMMANDS) for (const [usage] of c.help) expect(help).toContain(`  ${usage} `);
  });

  it('finds each name and alias, and nothing else', () => {
    for (const c of SLASH_COMMANDS) for (const n of c.names) expect(findSlashCommand(n)).toBe(c);
    expect(findSlashCommand('/nope')).toBeUndefined();
    expect(findSlashCommand('dtmf')).toBeUndefined();
  });

  it('dispatches to the chat with the parsed argument', async () => {
    const chat = recorder();
    await findSlashCommand('/dtmf')?.run(chat, '12#', '/dtmf');
    await findSlashCommand('/context')?.run(chat, '{"vip":true}', '/context');
    await findSlashCommand('/context')?.run(chat, '', '/context');
    await findSlashCommand('/save!')?.run(chat, 'a.test.yaml', '/save!');
    await findSlashCommand('/save')?.run(chat, 'b.test.yaml', '/save');
    expect(chat.calls).toEqual([
      ['turn', 'dtmf', '12#'],
      ['holdContext', { vip: true }],
      ['showContext'],
      ['save', 'a.test.yaml', true],
      ['save', 'b.test.yaml', false],
    ]);
    expect(await findSlashCommand('/exit')?.run(chat, '', '/exit')).toBe(false);
  });

  it('refuses bad arguments with one line, sending nothing', async () => {
    const chat = recorder();
    await expect(findSlashCommand('/dtmf')?.run(chat, '12a', '/dtmf')).rejects.toThrow('/dtmf takes keypad digits');
    await expect(findSlashCommand('/context')?.run(chat, '[1]', '/context')).rejects.toThrow('/context takes a JSON object');
    await expect(findSlashCommand('/save')?.run(chat, '', '/save')).rejects.toThrow('/save needs a file name');
    expect(chat.calls).toEqual([]);
  });
});
