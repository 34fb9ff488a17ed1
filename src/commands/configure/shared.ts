import { ProfileStore } from '../../config/profiles.js';
import type { Context } from '../../context.js';

export async function openStore(ctx: Context): Promise<ProfileStore> {
  return ProfileStore.open(ctx.configDir);
}

/** Reads the whole of stdin (the secret when it is piped), trimmed of its line ending. */
export async function readStdin(ctx: Context): Promise<string> {
  return (await ctx.io.readStdin()).replace(/\r?\n$/, '').trim();
}
