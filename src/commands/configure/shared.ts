import type { ProfileStore } from '../../config/profiles.js';
import type { HandlerContext } from '../handler-context.js';

export async function openStore(ctx: HandlerContext): Promise<ProfileStore> {
  return ctx.factory.config();
}

/** Reads the whole of stdin (the secret when it is piped), trimmed of its line ending. */
export async function readStdin(ctx: HandlerContext): Promise<string> {
  return (await ctx.io.readStdin()).replace(/\r?\n$/, '').trim();
}
