import { spawn } from 'node:child_process';
import { chmodSync, createReadStream, type ReadStream, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BIN, type RunResult, runVn, tempDir } from './run.js';

/**
 * A `vn` for shell scripts that costs a socket round-trip instead of a Node start-up.
 *
 * `startVnShim(dir)` writes `dir/vn`, a small bash script, and listens on a loopback port. Each time
 * a script runs that `vn`, it writes its request (working directory, pid, argv, every exported
 * variable) to a file, sends the file's name over /dev/tcp (a bash built-in, so no process is
 * started), and the test process runs the command line in-process (test/helpers/run.ts) in that
 * directory with exactly that environment. The answer is the exit code; stdout and stderr come
 * back through two files that the script `cat`s to its own stdout and stderr, so redirections,
 * pipes and `$(…)` around `vn` behave as with the real binary. Stdin is opened lazily from
 * /proc/<pid>/fd/0, only when the command reads it, so a `vn` inside `while read …; do …; done`
 * does not swallow the loop's input.
 *
 * Where the process is the point, the server answers `exec` and the script becomes the real CLI
 * (`exec node bin/vn.js "$@"`): a server that runs until it is killed (`vn emulator start`) and
 * `--watch`, which runs until a signal.
 *
 * Commands run side by side when they share a working directory and TZ (the two ends of
 * `vn instance export | vn apply -f -` must: the second reads what the first writes), and wait
 * their turn otherwise, as each sets the process's working directory and TZ for its run.
 */

export interface ShimRequest {
  cwd: string;
  pid: number;
  argv: string[];
  env: Record<string, string>;
}

export interface VnShim {
  /** The directory holding the `vn` script (put it first on PATH). */
  bin: string;
  /** Every command line the shim saw, and how it ran. */
  log: { argv: string[]; mode: 'in-process' | 'process' }[];
  close(): Promise<void>;
}

export interface ShimOptions {
  /** Runs a command in-process (default: runVn in the request's directory, env and TZ). */
  run?: (req: ShimRequest, stdin: Readable) => Promise<RunResult>;
  /** True where the command must be a real process (default: `needsProcess`). */
  needsProcess?: (argv: string[]) => boolean;
}

/** The command lines that stay real processes: a long-running server, and polling until a signal. */
export function needsProcess(argv: string[]): boolean {
  const emulator = argv.indexOf('emulator');
  if (emulator >= 0 && argv[emulator + 1] === 'start') return true;
  return argv.some((a) => a === '--watch' || a === '-w' || a.startsWith('--watch='));
}

/** Parses a request file: NUL-separated cwd, pid, argc, the args, then NAME=value for each export. */
export function parseRequest(raw: Buffer): ShimRequest {
  const parts = raw.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  const [cwd = '', pid = '', argc = ''] = parts;
  const n = Number(argc);
  if (!cwd || !Number.isInteger(Number(pid)) || !Number.isInteger(n)) throw new Error(`vn shim: malformed request (${parts.slice(0, 3).join(' ')})`);
  const argv = parts.slice(3, 3 + n);
  const env: Record<string, string> = {};
  for (const entry of parts.slice(3 + n)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { cwd, pid: Number(pid), argv, env };
}

/** A stream over a file (here the caller's fd 0) opened on the first read, never if nobody reads. */
class LazyFile extends Readable {
  private src?: ReadStream;
  constructor(private readonly path: string) {
    super();
  }
  override _read(): void {
    if (this.src) {
      this.src.resume();
      return;
    }
    this.src = createReadStream(this.path);
    this.src.on('data', (c) => {
      if (!this.push(c)) this.src?.pause();
    });
    this.src.on('end', () => this.push(null));
    this.src.on('error', (e) => this.destroy(e));
  }
  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.src?.destroy();
    cb(err);
  }
}

/** Any number of holders with the same key at once; another key waits until they are all gone. */
export class SharedLock {
  private key: string | undefined;
  private held = 0;
  private readonly waiting: { key: string; go: () => void }[] = [];

  acquire(key: string): Promise<void> {
    // a waiter of another key goes first, so a stream of one key cannot starve it
    if (this.held === 0 || (key === this.key && this.waiting.length === 0)) {
      this.key = key;
      this.held++;
      return Promise.resolve();
    }
    return new Promise((go) => this.waiting.push({ key, go }));
  }

  release(): void {
    if (--this.held > 0) return;
    const next = this.waiting[0]?.key;
    if (next === undefined) return;
    this.key = next;
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i] as { key: string; go: () => void };
      if (w.key !== next) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.held++;
      w.go();
    }
  }
}

/** runVn as the real binary would run it, given the caller's environment (the server has set cwd and TZ). */
function runInProcess(req: ShimRequest, stdin: Readable): Promise<RunResult> {
  // runVn adds PATH, HOME and NO_COLOR=1 to what it is given: the script's own say what they are
  const env: Record<string, string | undefined> = { PATH: undefined, HOME: undefined, NO_COLOR: undefined, ...req.env };
  return runVn(req.argv, { env, stdin });
}

/** The process-wide part of a caller's environment: its directory (relative paths) and TZ. */
function enter(req: ShimRequest): void {
  process.chdir(req.cwd);
  if (req.env.TZ === undefined) delete process.env.TZ;
  else process.env.TZ = req.env.TZ;
}

function script(port: number, dir: string): string {
  // every step a bash built-in but the two `cat`s (skipped when there is nothing to show)
  return `#!/bin/bash
# vn for test scripts: the command runs in the test process (test/helpers/vn-shim.ts)
f=${JSON.stringify(dir)}/req.$$
{ printf '%s\\0' "$PWD" "$$" "$#"; (($#)) && printf '%s\\0' "$@"; for n in $(compgen -e); do printf '%s=%s\\0' "$n" "\${!n}"; done; } > "$f"
exec 3<>/dev/tcp/127.0.0.1/${port} || { echo "vn shim: no server on port ${port}" >&2; exit 70; }
printf '%s\\n' "$f" >&3
IFS= read -r -u 3 reply  # -u: a redirection would put the socket on fd 0 while the command may read it
exec 3<&-
if [ "$reply" = exec ]; then exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"; fi
[ -s "$f.out" ] && cat "$f.out"
[ -s "$f.err" ] && cat "$f.err" >&2
case $reply in (''|*[!0-9]*) echo "vn shim: bad answer '$reply'" >&2; exit 70;; esac
exit "$reply"
`;
}

/** Starts the server and writes `dir/vn`; `close()` stops it (after the command in flight). */
export async function startVnShim(dir: string, opts: ShimOptions = {}): Promise<VnShim> {
  const run = opts.run ?? runInProcess;
  const spawnIf = opts.needsProcess ?? needsProcess;
  const log: VnShim['log'] = [];
  const home = { cwd: process.cwd(), tz: process.env.TZ };
  const inFlight = new Set<Promise<unknown>>();
  const lock = new SharedLock();
  const handle = async (file: string): Promise<string> => {
    const req = parseRequest(readFileSync(file));
    unlinkSync(file);
    if (spawnIf(req.argv)) {
      log.push({ argv: req.argv, mode: 'process' });
      return 'exec';
    }
    log.push({ argv: req.argv, mode: 'in-process' });
    const stdin = new LazyFile(`/proc/${req.pid}/fd/0`);
    await lock.acquire(`${req.cwd}\0${req.env.TZ}`);
    enter(req);
    let r: RunResult;
    try {
      r = await run(req, stdin);
    } finally {
      lock.release();
      stdin.destroy();
    }
    writeFileSync(`${file}.out`, r.stdout);
    writeFileSync(`${file}.err`, r.stderr);
    return String(r.code);
  };
  const server: Server = createServer((socket) => {
    let line = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      line += chunk;
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      const file = line.slice(0, nl);
      line = '';
      const answer = handle(file);
      const settled = answer.catch(() => {});
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      answer.then(
        (reply) => socket.end(`${reply}\n`),
        (e: Error) => {
          // the script prints what went wrong and exits 70: a shim failure is never a pass
          try {
            writeFileSync(`${file}.out`, '');
            writeFileSync(`${file}.err`, `vn shim: ${e.stack ?? e.message}\n`);
          } catch {
            /* the directory is gone */
          }
          socket.end('70\n');
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  const path = join(dir, 'vn');
  writeFileSync(path, script(port, dir));
  chmodSync(path, 0o755);
  return {
    bin: dir,
    log,
    close: async () => {
      await Promise.all(inFlight);
      process.chdir(home.cwd);
      if (home.tz === undefined) delete process.env.TZ;
      else process.env.TZ = home.tz;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface BashResult extends RunResult {
  /** The `vn` command lines the script ran, and how. */
  log: VnShim['log'];
}

/**
 * Runs `bash …args` with the shim's `vn` first on PATH, in its own process group (ended with
 * whatever it left in the background when it exits or times out). Never spawnSync here: the
 * commands run in this process, which must keep its event loop.
 */
export async function bashWithVn(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<BashResult> {
  const tmp = tempDir('vn-shim-');
  const shim = await startVnShim(tmp.dir);
  const env = { ...opts.env, PATH: `${shim.bin}:${opts.env.PATH ?? process.env.PATH}` };
  try {
    return await new Promise<BashResult>((resolve, reject) => {
      const child = spawn('bash', args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const killGroup = () => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          /* the group is gone */
        }
      };
      const timer = setTimeout(() => {
        stderr += `\n(killed after ${opts.timeoutMs} ms)\n`;
        killGroup();
      }, opts.timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        killGroup();
        resolve({ code: code ?? -1, stdout, stderr, log: shim.log });
      });
    });
  } finally {
    await shim.close();
    tmp.cleanup();
  }
}
