import { UsageError } from '../errors.js';
import type { HandlerContext } from './handler-context.js';

/**
 * The one confirmation helper: `--yes` skips it; on a terminal it asks; without a terminal it
 * refuses (a script must say --yes), so nothing destructive happens by accident. The message may be
 * a function, called only when it is asked (a read that names the target costs nothing with --yes).
 */
export async function confirm(ctx: HandlerContext, message: string | (() => Promise<string>), yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) {
    throw new UsageError('refusing to go on without --yes when not on a terminal');
  }
  const text = typeof message === 'string' ? message : await message();
  // the message may name what the service holds (an instance's name): IOStreams' prompts filter it
  return (await ctx.io.prompts()).confirm({ message: text, default: false });
}
