import { ProfileStore } from '../../config/profiles.js';
import type { Context } from '../../context.js';

export async function openStore(ctx: Context): Promise<ProfileStore> {
  return ProfileStore.open(ctx.configDir);
}

/** Reads the whole of stdin (the secret when it is piped), trimmed of its line ending. */
export async function readStdin(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
    .trim();
}
