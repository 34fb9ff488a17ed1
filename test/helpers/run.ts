import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli.js';
import type { Transport } from '../../src/client/transport.js';
import { Context } from '../../src/context.js';
import { IOStreams } from '../../src/output/iostreams.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'vn.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Text, or a stream (read only if the command reads stdin). */
  stdin?: string | Readable;
  tty?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** The HTTP seam: requests go to this transport (test/helpers/httpmock.ts) instead of the network. */
  transport?: Transport;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'vn-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the CLI in-process with in-memory streams (fast; what most tests use). */
export async function runVn(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const t = IOStreams.test({ stdin: opts.stdin, tty: opts.tty, columns: 120, env });
  const ctx = new Context(t.io, env);
  if (opts.transport) ctx.transport = opts.transport;
  const code = await run(argv, ctx);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

/** Spawns the built bin/vn.js (for exit codes, TTY detection, signals, start-up). */
export function spawnVn(argv: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}
