import type { Context } from './context.js';
import { sanitizeLine } from './output/sanitize.js';
import { quickAnswer } from './quick.js';

/**
 * The entry: kept small; commander, the registry's commands and the context are imported once a
 * command needs them. (bin/vn.js answers --version and the top-level --help before loading this.)
 */

/** Production entry: runs with the real process streams; the only place that sets process.exitCode. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  // quick.cjs has answered --version and the top-level help: this is a command, so the program is
  // needed too; both load side by side
  const [{ Context }] = await Promise.all([import('./context.js'), import('./program.js')]);
  // `vn … | head` closes stdout early: that is not an error
  const ctx = Context.fromProcess({ onBrokenPipe: () => process.exit(process.exitCode ?? 0) });
  // the last net: a failure nothing caught (a library's own crash) is still one line through the
  // redaction filter and the sanitiser, not a stack trace that may quote a secret or server text
  const fatal = (err: unknown) => {
    const e = err as Error;
    const debug = ctx.globals.debug || ctx.env.VN_DEBUG === '1';
    const message = sanitizeLine((e?.message ?? String(err)).replace(/\s*\n\s*/g, ' '));
    ctx.err(`error: internal failure: ${message}${debug ? '' : ' (run with --debug for details)'}`);
    if (debug && e?.stack) ctx.err(e.stack);
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.exitCode = await run(argv, ctx);
}

/** Runs one command line against a Context and returns the exit code (tests call this in-process). */
export async function run(argv: string[], ctx: Context): Promise<number> {
  if (quickAnswer(argv, { write: (s) => ctx.io.write('stdout', s), isTTY: ctx.io.stdoutIsTTY, columns: ctx.io.columns })) return 0;
  const { runProgram } = await import('./program.js');
  return runProgram(argv, ctx);
}
