import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN } from './run.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

const devNullIsDevice = (() => {
  try {
    return statSync('/dev/null').isCharacterDevice();
  } catch {
    return false;
  }
})();

/** A tmux server that does not daemonise (`tmux -D`), ready once its socket answers. */
async function startForegroundServer(socket: string, conf: string | undefined): Promise<void> {
  const child = spawn('tmux', ['-u', '-L', socket, ...(conf ? ['-f', conf] : []), '-D'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, LANG: 'C.UTF-8' },
  });
  child.unref();
  const until = Date.now() + 5000;
  while (/error connecting|no server running/.test(spawnSync('tmux', ['-L', socket, 'list-sessions']).stderr?.toString() ?? '')) {
    if (Date.now() > until) throw new Error('the tmux server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface Terminal {
  screen(): string;
  /** Types text, then Enter. */
  type(text: string): void;
  /** Sends tmux key names (Enter, Up, Down, C-c, C-d, …). */
  keys(...names: string[]): void;
  waitFor(test: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Runs any other tmux command against this terminal's server (e.g. `display -p '#{pane_title}'`). */
  tmux(...args: string[]): string;
}

export interface TerminalOptions {
  /** tmux configuration lines read when the server starts (e.g. `set -g set-clipboard on`). */
  conf?: string[];
}

/**
 * Runs the built `vn` with `argv` in a real terminal (a detached tmux session, 160×50, UTF-8), hands
 * `fn` a way to type and read the screen, and always kills the session. The screen ends with
 * `EXIT=<code>` once vn has exited.
 */
export async function inTerminal(argv: string[], env: Record<string, string>, fn: (t: Terminal) => Promise<void>, opts: TerminalOptions = {}): Promise<void> {
  const socket = `vn-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fullEnv = { NO_COLOR: '1', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PATH: process.env.PATH ?? '', ...env };
  const command = `env ${Object.entries(fullEnv)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' ')} ${quote(process.execPath)} ${quote(BIN)} ${argv.map(quote).join(' ')}; echo "EXIT=$?"; sleep 60`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'vn', '-S', '-200');
  const conf = opts.conf ? join(mkdtempSync(join(tmpdir(), 'vn-tmux-')), 'tmux.conf') : undefined;
  if (conf) writeFileSync(conf, `${opts.conf?.join('\n')}\n`);
  // tmux daemonises its server, and refuses to when /dev/null is not the device (some sandboxes make it a
  // plain file): then the server is started in the foreground (-D), in the background of this process
  if (!devNullIsDevice) await startForegroundServer(socket, conf);
  // -f is read by the server, which this command starts
  tmux(...(conf ? ['-f', conf] : []), 'new-session', '-d', '-s', 'vn', '-x', '160', '-y', '50', command);
  try {
    await fn({
      screen,
      tmux,
      type(text) {
        tmux('send-keys', '-t', 'vn', '-l', text);
        tmux('send-keys', '-t', 'vn', 'Enter');
      },
      keys(...names) {
        for (const n of names) tmux('send-keys', '-t', 'vn', n);
      },
      async waitFor(test, what, timeoutMs = 15_000) {
        const until = Date.now() + timeoutMs;
        for (;;) {
          const s = screen();
          if (test(s)) return s;
          if (Date.now() > until) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    });
  } finally {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    if (conf) rmSync(dirname(conf), { recursive: true, force: true });
  }
}
