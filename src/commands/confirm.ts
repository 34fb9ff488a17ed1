import { UsageError } from '../errors.js';
import type { HandlerContext } from './handler-context.js';

/**
 * The one confirmation helper: `--yes` skips it; on a terminal it asks; without a terminal it
 * refuses (a script must say --yes), so nothing destructive happens by accident.
 */
export async function confirm(ctx: HandlerContext, message: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) {
    throw new UsageError('refusing to go on without --yes when not on a terminal');
  }
  // the message may name what the service holds (an instance's name): IOStreams' prompts filter it
  return (await ctx.io.prompts()).confirm({ message, default: false });
}
