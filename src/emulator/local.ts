import { join } from 'node:path';

/**
 * The embedded `local` profile: an emulator opened in this process on a loopback port, with its
 * state in a SQLite file under the vn config dir, so separate (and concurrent) `vn --profile local`
 * processes share one state. Its key pair is fixed and not a secret: it opens nothing but this
 * process's own loopback emulator.
 */
export const LOCAL_ACCESS_KEY_ID = 'vn-local';
export const LOCAL_ACCESS_KEY_SECRET = 'vn-local-emulator-key';

/** A running local emulator (the embedded `local` profile). */
export interface LocalEmulatorHandle {
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
  close(): Promise<void>;
}

export function localDataFile(configDir: string, env: NodeJS.ProcessEnv): string {
  return env.VN_LOCAL_DATA || join(configDir, 'emulator', 'local.db');
}

export async function startLocalEmulator(opts: { configDir: string; env: NodeJS.ProcessEnv }): Promise<LocalEmulatorHandle> {
  const { startEmulator } = await import('./server.js');
  const handle = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    dataFile: localDataFile(opts.configDir, opts.env),
    accessKeys: [{ id: LOCAL_ACCESS_KEY_ID, secret: LOCAL_ACCESS_KEY_SECRET, policy: 'full' }],
    chatbotsFile: opts.env.VN_LOCAL_CHATBOTS || undefined,
  });
  return { url: handle.url, accessKeyId: LOCAL_ACCESS_KEY_ID, accessKeySecret: LOCAL_ACCESS_KEY_SECRET, close: () => handle.close() };
}
