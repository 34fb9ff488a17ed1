import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where profiles and the local emulator's data live: VN_CONFIG_DIR, else the XDG config dir. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.VN_CONFIG_DIR) return env.VN_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'vn');
}
