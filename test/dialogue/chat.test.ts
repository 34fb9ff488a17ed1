import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';
import { hasTmux, inTerminal } from '../helpers/tmux.js';

let emu: TestEmulator;
let instance: string;
let tmp: { dir: string; cleanup: () => void };

function conversation(id: string): { status: string; end_reason: number } | undefined {
  return emu.state.db.prepare('SELECT status, end_reason FROM conversations WHERE conversation_id = ?').get(id) as
    | { status: string; end_reason: number }
    | undefined;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  tmp = tempDir('vn-chat-test-');
  emu = await startTestEmulator();
  const r = await runVn(['instance', 'create', '--name', 'chat-tests', '--concurrency', '10', '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  instance = JSON.parse(r.stdout).InstanceId;
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

describe('vn dialogue chat without a terminal', () => {
  it('reads utterances from stdin and prints JSON lines; a failed turn is reported and the session goes on; EOF ends the conversation', async () => {
    const stdin = ['我想查余额', '/dtmf 12x', '/dtmf 1', '/silence', '/context {"vip":true}', '再说一遍', '/nope', ''].join('\n');
    const r = await runVn(['dialogue', 'chat', instance], { env: emu.env, stdin });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['greeting', 'say', 'error', 'dtmf', 'silence', 'say', 'error', 'end']);
    const [greeting, balance, badDtmf, dtmf, silence, repeat, unknown, end] = lines;
    expect(greeting!.TextResponse).toContain('欢迎');
    expect(balance).toMatchObject({ input: '我想查余额', Action: 'Broadcast' });
    expect(String(balance!.TextResponse)).toMatch(/余额|账户/);
    expect(typeof balance!.latencyMs).toBe('number');
    expect(badDtmf!.message).toMatch(/keypad digits/);
    expect(String(dtmf!.TextResponse)).toMatch(/^您选择了/);
    expect(silence!.TextResponse).toBe('抱歉，我没听到您说话');
    expect(repeat!.TextResponse).toBe(silence!.TextResponse);
    expect(unknown!.message).toMatch(/unknown command \/nope/);
    const id = greeting!.conversationId as string;
    expect(end!.conversationId).toBe(id);
    expect(conversation(id)?.status).toBe('ended');
    expect(r.stderr).toContain('context for the next turn: {"vip":true}');
    // the context reached the bot with the turn after /context
    const turn = emu.state.db
      .prepare("SELECT action_params FROM conversation_turns WHERE conversation_id = ? AND speaker = 'Customer' AND utterance = '再说一遍'")
      .get(id) as { action_params: string };
    expect(JSON.parse(turn.action_params)).toEqual({ vip: true });
  });

  it('says when a transfer ends the call, refuses turns until /restart, and ends both conversations', async () => {
    const r = await runVn(['dialogue', 'chat', instance], { env: emu.env, stdin: '我要投诉\n你好\n/restart\n/quit\n' });
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['greeting', 'say', 'error', 'end', 'greeting', 'end']);
    expect(lines[1]).toMatchObject({ Action: 'TransferToAgent', callEnded: true });
    expect(lines[2]!.message).toMatch(/the call has ended: \/restart/);
    const first = lines[0]!.conversationId as string;
    const second = lines[4]!.conversationId as string;
    expect(first).not.toBe(second);
    expect(conversation(first)?.status).toBe('ended');
    expect(conversation(second)?.status).toBe('ended');
  });

  it('/save writes the session as a test file that passes when run again; --record keeps it after every turn', async () => {
    const saved = join(tmp.dir, 'saved.test.yaml');
    const recorded = join(tmp.dir, 'recorded.test.yaml');
    const stdin = ['我想查余额', '再说一遍', '/dtmf 1', '/silence', '/context {"vip":true}', '随便聊聊', `/save ${saved}`, '/restart', '我要投诉', ''].join(
      '\n',
    );
    const r = await runVn(['dialogue', 'chat', instance, '--context', '{"channel":"test"}', '--record', recorded], { env: emu.env, stdin });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).find((l) => l.type === 'saved')).toMatchObject({ file: saved, conversations: 1 });
    const text = readFileSync(saved, 'utf8');
    expect(text).toContain(`instance: ${instance}`);
    expect(text).toMatch(/context:\n\s+channel: test/);
    expect(text).toContain('dtmf: "1"');
    const again = await runVn(['dialogue', 'test', saved, '--reporter', 'json'], { env: emu.env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ passed: 1, turns: 6 });
    // the recording has both conversations, each closed with `end: true`
    const rec = readFileSync(recorded, 'utf8');
    expect(rec.match(/- name: /g)).toHaveLength(2);
    expect(rec.match(/- end: true/g)).toHaveLength(2);
    const replay = await runVn(['dialogue', 'test', recorded], { env: emu.env });
    expect(replay.code, replay.stdout).toBe(0);
  });

  it('/save never replaces a file: /save! or --force does; --record refuses an existing file without --force', async () => {
    const file = join(tmp.dir, 'keep.test.yaml');
    writeFileSync(file, '# three conversations of yesterday\n');
    const r = await runVn(['dialogue', 'chat', instance], { env: emu.env, stdin: `我想查余额\n/save ${file}\n/save! ${file}\n` });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['greeting', 'say', 'error', 'saved', 'end']);
    expect(lines[2]!.message).toBe(`${file} exists: /save! ${file} replaces it (or start the chat with --force)`);
    expect(readFileSync(file, 'utf8')).toContain(`instance: ${instance}`);
    writeFileSync(file, '# again\n');
    const forced = await runVn(['dialogue', 'chat', instance, '--force'], { env: emu.env, stdin: `/save ${file}\n` });
    expect(jsonLines(forced.stdout).map((l) => l.type)).toEqual(['greeting', 'saved', 'end']);
    writeFileSync(file, '# again\n');
    const rec = await runVn(['dialogue', 'chat', instance, '--record', file], { env: emu.env, stdin: '' });
    expect(rec.code).toBe(2);
    expect(rec.stderr).toMatch(/--record .*keep\.test\.yaml: the file exists; --force replaces it/);
    expect(rec.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('# again\n');
  });

  it('/context with no argument shows the context the service keeps; --verbose shows the matched intent or rule and what changed', async () => {
    const r = await runVn(['dialogue', 'chat', instance, '--context', '{"vip":true}'], { env: emu.env, stdin: '我想查余额\n/context\n' });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['greeting', 'say', 'context', 'end']);
    expect(lines[2]!.context).toMatchObject({ vip: true, lastAction: 'Broadcast' });
    const v = await runVn(['dialogue', 'chat', instance, '--verbose'], { env: emu.env, stdin: '我想查余额\n随便\n' });
    expect(v.code, v.stderr).toBe(0);
    const events = jsonLines(v.stdout);
    expect(events.map((l) => l.type)).toEqual(['greeting', 'details', 'say', 'details', 'say', 'details', 'end']);
    const [, , , balance, , unrecognized] = events;
    expect(balance!.intent ?? balance!.rule).toBeTruthy();
    expect(unrecognized!.contextChanges).toMatchObject({ unrecognizedCount: { from: 0, to: 1 } });
  });

  it('--verbose explains the turn that ends the call too (the rule that transferred it)', async () => {
    const r = await runVn(['dialogue', 'chat', instance, '--verbose'], { env: emu.env, stdin: '我要投诉\n' });
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.map((l) => l.type)).toEqual(['greeting', 'details', 'say', 'details', 'end']);
    expect(events[2]).toMatchObject({ Action: 'TransferToAgent', callEnded: true });
    expect(events[3]).toMatchObject({ rule: 'complaining', contextChanges: { lastAction: { from: 'Broadcast', to: 'TransferToAgent' } } });
  });

  it.skipIf(!hasTmux)('--verbose in a terminal: a dimmed line with the rule and the context changes', async () => {
    await inTerminal(['dialogue', 'chat', instance, '--verbose'], emu.env, async (term) => {
      await term.waitFor((s) => s.includes('you ›'), 'the prompt');
      term.type('随便');
      const s = await term.waitFor((x) => /⋯ .*unrecognizedCount: 0 → 1/.test(x), 'the details line');
      expect(s).toMatch(/⋯ (intent|rule) /);
      term.keys('C-d');
      await term.waitFor((x) => x.includes('EXIT='), 'the exit');
    });
  });

  it('on a disabled instance (--env live) the real cause comes first (and as a JSON event), with no clean-up error after it', async () => {
    const created = await runVn(['instance', 'create', '--name', 'disabled-chat', '--concurrency', '1', '-o', 'json'], { env: emu.env });
    const id = JSON.parse(created.stdout).InstanceId as string;
    const d = await runVn(['instance', 'disable', id], { env: emu.env });
    expect(d.code, d.stderr).toBe(0);
    const r = await runVn(['dialogue', 'chat', id, '--env', 'live'], { env: emu.env, stdin: '你好\n' });
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: 'error', input: 'greeting', code: 'OperationDenied.InstanceDisabled' });
    expect(r.stderr).toMatch(/OperationDenied\.InstanceDisabled/);
    expect(r.stderr + r.stdout).not.toMatch(/InvalidConversationId\.NotFound/);
  });

  it('exits 2 on a --context that is not a JSON object', async () => {
    const r = await runVn(['dialogue', 'chat', instance, '--context', '[1]'], { env: emu.env, stdin: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--context must be a JSON object/);
  });
});

describe('vn dialogue chat in a real terminal', () => {
  it.skipIf(!hasTmux)('takes typed utterances, history, /dtmf and /save, and ends the conversation on Ctrl-D', async () => {
    const saved = join(tmp.dir, 'tmux.test.yaml');
    await inTerminal(['dialogue', 'chat', instance], emu.env, async (term) => {
      await term.waitFor((s) => s.includes('欢迎') && s.includes('you ›'), 'the greeting and the prompt');
      term.type('我想查余额');
      await term.waitFor((s) => /bot › .*余额/.test(s), 'the balance answer');
      // arrow up brings back the last utterance, as in a shell
      term.keys('Up', 'Enter');
      await term.waitFor((s) => (s.match(/you › 我想查余额/g) ?? []).length === 2 && (s.match(/bot › .*余额/g) ?? []).length === 2, 'the repeated utterance');
      term.type('/dtmf 1');
      await term.waitFor((s) => s.includes('bot › 您选择了'), 'the DTMF answer');
      expect(term.screen()).toMatch(/Broadcast · interruptible · \d+ ms/);
      term.type(`/save ${saved}`);
      await term.waitFor((s) => s.includes(`saved 1 conversation(s) to ${saved}`), 'the save confirmation');
      term.keys('C-d');
      const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
      expect(end).toContain('EXIT=0');
      expect(end).toMatch(/EndDialogue sent for [0-9a-f-]{36}/);
      const id = /EndDialogue sent for ([0-9a-f-]{36})/.exec(end)?.[1] as string;
      expect(conversation(id)?.status).toBe('ended');
    });
    expect(existsSync(saved)).toBe(true);
    const again = await runVn(['dialogue', 'test', saved], { env: emu.env });
    expect(again.code, again.stdout).toBe(0);
  });

  it.skipIf(!hasTmux)('Ctrl-C at a typed line clears it; at an empty prompt it asks, and a second Ctrl-C ends the conversation with EndDialogue', async () => {
    await inTerminal(['dialogue', 'chat', instance], emu.env, async (term) => {
      await term.waitFor((s) => s.includes('you ›'), 'the prompt');
      term.tmux('send-keys', '-t', 'vn', '-l', '半句话');
      await term.waitFor((s) => s.includes('you › 半句话'), 'the typed text');
      term.keys('C-c');
      await term.waitFor((s) => !s.includes('半句话'), 'the line cleared');
      expect(term.screen()).not.toContain('EXIT=');
      term.keys('C-c');
      await term.waitFor((s) => s.includes('(Ctrl-C again or Ctrl-D to leave)'), 'the hint');
      expect(term.screen()).not.toContain('EXIT=');
      term.keys('C-c');
      const s = await term.waitFor((x) => x.includes('EXIT='), 'the exit');
      expect(s).toContain('EXIT=0');
      expect(s).toContain('interrupted');
      const id = /EndDialogue sent for ([0-9a-f-]{36})/.exec(s)?.[1] as string;
      expect(conversation(id)?.status).toBe('ended');
    });
  });
});

describe('vn dialogue chat on a slow service, in a real terminal', () => {
  // every answer takes 1.2 s, EndDialogue too: a turn is slow, and leaving still fits in 2 s
  let slow: TestEmulator;
  let slowInstance: string;
  beforeAll(async () => {
    slow = await startTestEmulator({ latencyMs: 1200 });
    const r = await runVn(['instance', 'create', '--name', 'slow-chat', '--concurrency', '10', '-o', 'json'], { env: slow.env });
    slowInstance = JSON.parse(r.stdout).InstanceId;
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it.skipIf(!hasTmux)('shows a waiting indicator; Ctrl-C during a turn cancels it and returns to the prompt; a second Ctrl-C leaves within 2 s', async () => {
    await inTerminal(['dialogue', 'chat', slowInstance], slow.env, async (term) => {
      await term.waitFor((s) => s.includes('欢迎') && s.includes('you ›'), 'the greeting and the prompt', 20_000);
      term.type('我想查余额');
      await term.waitFor((s) => s.includes('waiting for the bot'), 'the waiting indicator');
      term.keys('C-c');
      const back = await term.waitFor((s) => s.includes('cancelled') && /you › $/m.test(s), 'the prompt after the cancelled turn', 1000);
      expect(back).not.toMatch(/bot › .*余额/);
      expect(back).not.toContain('waiting for the bot');
      expect(back).not.toContain('EXIT=');
      const started = Date.now();
      term.keys('C-c');
      const s = await term.waitFor((x) => x.includes('EXIT='), 'the exit', 2000);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(s).toContain('EXIT=0');
      const id = /EndDialogue sent for ([0-9a-f-]{36})/.exec(s)?.[1] as string;
      const row = slow.state.db.prepare('SELECT status FROM conversations WHERE conversation_id = ?').get(id) as { status: string };
      expect(row.status).toBe('ended');
    });
  });

  it('piped: a SIGINT during a slow turn cancels it (a `cancelled` event), ends the conversation and exits at once', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/run.js');
    const child = spawn(process.execPath, [BIN, 'dialogue', 'chat', slowInstance], { env: { ...process.env, ...slow.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stdin.write('我想查余额\n');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // the greeting (1.2 s), then the turn is on its way
    const until = Date.now() + 15_000;
    while (!out.includes('"greeting"') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(code).toBe(0);
    const types = jsonLines(out).map((l) => l.type);
    expect(types).toEqual(['greeting', 'cancelled', 'end']);
  });

  it.skipIf(!hasTmux)('a slow turn that is not interrupted: the indicator is erased and the answer printed', async () => {
    await inTerminal(['dialogue', 'chat', slowInstance], slow.env, async (term) => {
      await term.waitFor((s) => s.includes('you ›'), 'the prompt', 20_000);
      term.type('我想查余额');
      await term.waitFor((s) => s.includes('waiting for the bot'), 'the waiting indicator');
      const s = await term.waitFor((x) => /bot › .*余额/.test(x) && /you › $/m.test(x), 'the answer');
      expect(s).not.toContain('waiting for the bot');
      term.keys('C-d');
      await term.waitFor((x) => x.includes('EXIT=0'), 'the exit', 5000);
    });
  });
});
