import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where profiles and the local emulator's data live: VN_CONFIG_DIR, else the XDG config dir. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.VN_CONFIG_DIR) return env.VN_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'vn');
}

/**
 * Creates the config directory (and its parents) private to the user: it holds the profiles and
 * the local emulator's state. A directory that exists is left as it is.
 */
export function ensureConfigDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is narrowed by the umask, never widened; make sure of 0700 on the leaf
  chmodSync(dir, 0o700);
}
