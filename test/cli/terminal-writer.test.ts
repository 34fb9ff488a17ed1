import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { Control, IOStreams } from '../../src/output/iostreams.js';
import { progressBar } from '../../src/output/progress.js';
import { watch } from '../../src/output/watch.js';
import { REDACTED, registerSecret } from '../../src/redact.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { BIN, runVn, tempDir } from '../helpers/run.js';
import { hasTmux, inTerminal } from '../helpers/tmux.js';

/**
 * Issue #18 item 1: one way out to the terminal. Everything printed — the reporters of `dialogue
 * test` and `dialogue merge`, the progress line, --watch, progress bars — goes through IOStreams'
 * writer: redaction, then sanitising on a terminal.
 */

// an OSC 0 retitle, an OSC 52 clipboard write, a screen clear, a carriage return, a one-byte
// CSI (U+009B) and a right-to-left override
const HOSTILE = 'ok \u001b]0;pwned\u0007 \u001b]52;c;cHduZWQ=\u0007 \u001b[2J\rhidden \u009b31m \u202eevil';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: vn's own colours, the only escapes it may write in text
const SGR = /\u001b\[[0-9;]*m/g;
const clean = (s: string) => s.replace(SGR, '').replace(/\n/g, '');

const SUITE = `instance: i-hostile
env: debug
callingNumber: "13800000000"
conversations:
  - name: a hostile answer
    turns:
      - say: hello
        bot: { text: never-said }
  - name: a hostile error
    turns:
      - say: boom
`;

describe('IOStreams, the one writer', () => {
  it('redacts every text, sanitises it on a terminal, and writes only its own Controls as controls', () => {
    registerSecret('writer-secret-4711');
    const tty = IOStreams.test({ tty: { stdout: true } });
    tty.io.write('stdout', Control.carriageReturn, Control.eraseToLineEnd, `${HOSTILE} writer-secret-4711`, '\u001b[1mbold\u001b[0m');
    const out = tty.stdout();
    expect(out.startsWith('\r\u001b[K')).toBe(true);
    const text = out.slice(4);
    expect(clean(text)).not.toMatch(CONTROLS);
    expect(text).toContain('\\x1b]0;pwned\\x07');
    expect(text).toContain('\\x9b31m');
    expect(text).toContain('\\u202eevil');
    expect(text).toContain(REDACTED);
    expect(text).not.toContain('writer-secret-4711');
    // vn's colours stay
    expect(text).toContain('\u001b[1mbold\u001b[0m');
    // piped: the data as it is (a script reads it), but never a secret
    const pipe = IOStreams.test();
    pipe.io.write('stdout', 'a\u001b]0;t\u0007 writer-secret-4711');
    expect(pipe.stdout()).toBe(`a\u001b]0;t\u0007 ${REDACTED}`);
  });

  it('a control sequence inside a string is text: only Control values are obeyed', () => {
    const t = IOStreams.test({ tty: { stderr: true } });
    t.io.sink('stderr').write('\r\u001b[K', Control.up(2), Control.up(0));
    expect(t.stderr()).toBe('\\r\\x1b[K\u001b[2A');
  });

  it('decides colour from the TTY, NO_COLOR, FORCE_COLOR and --no-color', () => {
    expect(IOStreams.test({ tty: { stdout: true } }).io.colorEnabled('stdout')).toBe(true);
    expect(IOStreams.test({ tty: { stdout: true } }).io.colorEnabled('stdout', false)).toBe(false);
    expect(IOStreams.test({ tty: { stdout: true }, env: { NO_COLOR: '1' } }).io.colorEnabled('stdout')).toBe(false);
    expect(IOStreams.test({ env: { FORCE_COLOR: '1' } }).io.colorEnabled('stderr')).toBe(true);
    expect(IOStreams.test().io.colorEnabled('stdout')).toBe(false);
  });

  it('a progress bar draws its label (a file name) as one sanitised line', () => {
    const t = IOStreams.test({ tty: { stderr: true }, columns: 80 });
    const bar = progressBar(`evil\u001b]0;pwned\u0007\n.wav`, t.io, { now: () => 0 });
    bar?.update({ received: 1, total: 2 });
    bar?.done();
    const text = t.stderr().split('\r\u001b[2K').join('');
    expect(text).not.toMatch(CONTROLS);
    expect(text).toContain('evil\\x1b]0;pwned\\x07\\n.wav');
  });
});

describe('dialogue test and merge print a hostile bot through the one writer', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const dir = tempDir('vn-writer-');
  const suite = join(dir.dir, 'hostile.test.yaml');
  const env = () => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKID-WRITER',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'writer-secret-0815',
    VN_ENDPOINT: server.url,
    VN_CONFIG_DIR: join(dir.dir, 'config'),
  });

  beforeAll(async () => {
    writeFileSync(suite, SUITE);
    // a service whose bot answers with terminal escapes in its Action, ActionParams and text,
    // and whose error message carries them too
    server = await startRecordingServer((req, res) => {
      if (req.params.Utterance === 'boom') return json(res, 400, { RequestId: 'R-ERR', Code: `Evil\u001b[2J`, Message: HOSTILE });
      if (req.params.Action === 'EndDialogue') return json(res, 200, { RequestId: 'R-END' });
      json(res, 200, { RequestId: 'R-TURN', TextResponse: HOSTILE, Action: `Broadcast${HOSTILE}`, ActionParams: `{"x":1}${HOSTILE}`, Interruptible: true });
    });
  });
  afterAll(async () => {
    await server.close();
    dir.cleanup();
  });

  it.each([
    ['on a terminal', true],
    ['piped', false],
  ])('dialogue test: the pretty report shows the Action, ActionParams and error message as escapes (%s)', async (_, tty) => {
    const r = await runVn(['dialogue', 'test', suite], { env: { ...env(), FORCE_COLOR: '1', NO_COLOR: undefined }, tty: { stdout: tty } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('a hostile answer');
    // vn's colours may remain; nothing else does
    expect(clean(r.stdout)).not.toMatch(CONTROLS);
    expect(r.stdout).toContain('Broadcastok \\x1b]0;pwned\\x07');
    expect(r.stdout).toContain('\\x1b]52;c;cHduZWQ=\\x07');
    expect(r.stdout).toContain('\\x9b31m');
    expect(r.stdout).toContain('\\u202eevil');
    // the service's error message (and its Code) of the second conversation
    expect(r.stdout).toMatch(/Evil\\x1b\[2J: ok \\x1b\]0;pwned/);
  });

  it('dialogue test --progress on a terminal: the line is redrawn with vn’s controls and nothing else', async () => {
    const r = await runVn(['dialogue', 'test', suite, '--progress'], { env: env(), tty: { stdout: true, stderr: true } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('\r\u001b[K[2/2] 0 passed, 2 not passed');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escapes of vn's own redraw
    expect(r.stderr.replace(/\r\u001b\[K/g, '')).not.toMatch(CONTROLS);
  });

  it('dialogue merge: a shard report’s hostile text is shown, not obeyed; JSON on a terminal stays valid JSON', async () => {
    const shard = join(dir.dir, 'shard.json');
    const t = await runVn(['dialogue', 'test', suite, '--reporter', `json=${shard}`], { env: env() });
    expect(t.code).toBe(1);
    // the report keeps the data (as \u escapes where a terminal would obey a raw character)
    const report = JSON.parse(readFileSync(shard, 'utf8'));
    expect(report.conversations[0].failures[0].answer.Action).toBe(`Broadcast${HOSTILE}`);
    const m = await runVn(['dialogue', 'merge', shard], { env: { ...env(), FORCE_COLOR: '1', NO_COLOR: undefined }, tty: { stdout: true } });
    expect(m.code).toBe(1);
    expect(clean(m.stdout)).not.toMatch(CONTROLS);
    expect(m.stdout).toContain('Broadcastok \\x1b]0;pwned\\x07');
    expect(m.stdout).toContain('\\u202eevil');
    const j = await runVn(['dialogue', 'merge', shard, '--reporter', 'json'], { env: env(), tty: { stdout: true } });
    expect(j.stdout.replace(/\n/g, '')).not.toMatch(CONTROLS);
    expect(JSON.parse(j.stdout).conversations[0].failures[0].answer.Action).toBe(`Broadcast${HOSTILE}`);
  });

  it.skipIf(!hasTmux)('in a real terminal: the title and the clipboard stay as they were (tmux)', async () => {
    await inTerminal(
      ['dialogue', 'test', suite],
      env(),
      async (term) => {
        const screen = await term.waitFor((s) => /EXIT=\d/.test(s), 'the run to end');
        expect(screen).toContain('EXIT=1');
        expect(screen).toContain('Broadcastok \\x1b]0;pwned\\x07');
        expect(screen).toContain('\\x1b]52;c;cHduZWQ=\\x07');
        expect(screen).toContain('\\x9b31m');
        expect(term.tmux('display', '-p', '-t', 'vn', '#{pane_title}').trim()).not.toBe('pwned');
        // OSC 52 would have made a paste buffer (set-clipboard on)
        expect(term.tmux('list-buffers')).toBe('');
      },
      { conf: ['set -g set-clipboard on'] },
    );
  });
});

describe.skipIf(!hasTmux)('a hostile chatbot of the emulator, in a real terminal (tmux)', () => {
  let emu: TestEmulator;
  let instance: string;
  const dir = tempDir('vn-writer-bot-');

  beforeAll(async () => {
    const bots = join(dir.dir, 'bots.yaml');
    // the answer and the params of an intent carry a one-byte CSI (U+009B), an 8-bit OSC
    // (U+009D … U+009C) and a right-to-left override: JSON keeps these raw
    writeFileSync(
      bots,
      [
        'chatbots:',
        '  - id: chatbot-hostile',
        '    intents:',
        '      - name: evil',
        '        examples: [hello there]',
        '        answer: "fine \\u009b2J \\u009d0;pwned\\u009c \\u202eevil"',
        '        params: { note: "\\u009b31m \\u202ertl" }',
        '',
      ].join('\n'),
    );
    emu = await startTestEmulator({ chatbotsFile: bots });
    const r = await runVn(['instance', 'create', '--name', 'hostile-bot', '--concurrency', '2', '-o', 'json'], { env: emu.env });
    instance = JSON.parse(r.stdout).InstanceId;
    writeFileSync(
      join(dir.dir, 'bot.test.yaml'),
      `instance: ${instance}\nenv: debug\ncallingNumber: "13800000000"\nconversations:\n  - name: the bot says something else\n    turns:\n      - say: hello there\n        bot: { text: never-said }\n`,
    );
  });
  afterAll(async () => {
    await emu.stop();
    dir.cleanup();
  });

  it('dialogue test: the pretty report shows the bot’s 8-bit CSI and bidi override as escapes', async () => {
    await inTerminal(['dialogue', 'test', join(dir.dir, 'bot.test.yaml')], emu.env, async (term) => {
      const screen = await term.waitFor((s) => /EXIT=\d/.test(s), 'the run to end');
      expect(screen).toContain('EXIT=1');
      expect(screen).toContain('the bot says something else');
      // the answer (got …) and the params (answer: … Broadcast {…})
      expect(screen).toMatch(/got "fine \\+x9b2J \\+x9d0;pwned\\+x9c \\+u202eevil/);
      expect(screen).toContain('Broadcast {"note":"\\x9b31m \\u202ertl"}');
      expect(screen).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
    });
  });
});

describe('--watch goes through the redaction filter', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const SECRET = 'watch-secret-Qz81';
  const cfg = tempDir('vn-watch-');
  const env = () => ({
    PATH: process.env.PATH,
    NO_COLOR: '1',
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKID-WATCH',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
    VN_ENDPOINT: server.url,
    VN_CONFIG_DIR: cfg.dir,
  });

  beforeAll(async () => {
    // a service that echoes the AccessKey secret in its answer
    server = await startRecordingServer((_req, res) =>
      json(res, 200, { RequestId: 'R-W', InstanceId: 'a1111111-0000-4000-8000-000000000001', MaxConcurrency: 3, Note: `signed with ${SECRET}` }),
    );
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
  });

  it('vn instance concurrency ID --watch -o json, piped, prints <redacted> as it does without --watch (spawned)', async () => {
    const once = await runVn(['instance', 'concurrency', 'a1111111-0000-4000-8000-000000000001', '-o', 'json'], { env: env() });
    expect(once.stdout).toContain(REDACTED);
    const child = spawn(
      process.execPath,
      [BIN, 'instance', 'concurrency', 'a1111111-0000-4000-8000-000000000001', '--watch', '--interval', '0.2', '-o', 'json'],
      {
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain(`"Note":"signed with ${REDACTED}"`);
    expect(out).not.toContain(SECRET);
  });

  it('on a terminal: each frame is redacted and sanitised, the redraw is vn’s controls (in process)', async () => {
    registerSecret(SECRET);
    const t = IOStreams.test({ tty: { stdout: true }, columns: 100, env: { NO_COLOR: '1' } });
    const ctx = new Context(t.io);
    ctx.globals.output = 'json';
    let polls = 0;
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    await watch(
      ctx,
      async () => {
        if (++polls === 3) stop();
        return { data: { Note: `signed with ${SECRET}`, Name: HOSTILE } };
      },
      { interval: 0.01, title: 'vn instance concurrency a1111111-0000-4000-8000-000000000001', stop: stopped },
    );
    const out = t.stdout();
    expect(out).not.toContain(SECRET);
    expect(out).toContain(REDACTED);
    // the cursor hidden and shown again, the second frame drawn over the first
    expect(out.startsWith('\u001b[?25l')).toBe(true);
    expect(out.endsWith('\u001b[?25h')).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escapes of vn's own redraw
    expect(out).toMatch(/\u001b\[\d+A\r\u001b\[0J/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escapes of vn's own redraw
    const text = out.replace(/\u001b\[\?25[lh]|\u001b\[\d+A\r\u001b\[0J/g, '');
    expect(text.replace(/\n/g, '')).not.toMatch(CONTROLS);
    await ctx.dispose();
  });
});
