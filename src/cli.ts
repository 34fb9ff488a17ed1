import type { Context } from './context.js';
import { VERSION } from './version.js';

/**
 * The entry: kept tiny so `vn --version` reads one small file; everything else (commander, the
 * registry, the context) is imported once a command needs it.
 */

/** Production entry: runs with the real process streams; the only place that sets process.exitCode. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (isVersion(argv)) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  // `vn … | head` closes stdout early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const { Context } = await import('./context.js');
  process.exitCode = await run(argv, Context.fromProcess());
}

/** Runs one command line against a Context and returns the exit code (tests call this in-process). */
export async function run(argv: string[], ctx: Context): Promise<number> {
  if (isVersion(argv)) {
    ctx.out(VERSION);
    return 0;
  }
  const { runProgram } = await import('./program.js');
  return runProgram(argv, ctx);
}

function isVersion(argv: string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}
