import type { Credentials } from '../client/client.js';
import type { ResolvedProfile } from './resolve.js';

/**
 * Where a profile's requests go and with which key. An endpoint provider: the public endpoint of
 * the profile's region, the profile's (or --endpoint's) URL, or for the embedded `local` profile an
 * emulator opened in this process on a loopback port (closed by `close`).
 */
export interface Endpoint {
  url: string;
  credentials: Credentials;
  /** Set when the endpoint is a resource of this process (the embedded emulator). */
  close?: () => Promise<void>;
}

export async function endpointFor(profile: ResolvedProfile, opts: { configDir: string; env: NodeJS.ProcessEnv }): Promise<Endpoint> {
  const credentials: Credentials = { accessKeyId: profile.accessKeyId, accessKeySecret: profile.accessKeySecret, securityToken: profile.securityToken };
  if (profile.source === 'local' && !profile.endpoint) {
    // the emulator's state lives under the config dir: private to the user (0700) when made here
    const { ensureConfigDir } = await import('./paths.js');
    ensureConfigDir(opts.configDir);
    const { startLocalEmulator } = await import('../emulator/local.js');
    const emu = await startLocalEmulator(opts);
    return { url: emu.url, credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret }, close: () => emu.close() };
  }
  const { normalizeEndpoint, regionEndpoint } = await import('./resolve.js');
  return { url: profile.endpoint ? normalizeEndpoint(profile.endpoint) : regionEndpoint(profile.region), credentials };
}
