import type { CredentialProvider } from '../client/credentials.js';
import { CredentialsError } from '../errors.js';
import type { ResolvedProfile } from './resolve.js';

/**
 * Where a profile's requests go and with which key. An endpoint provider: the public endpoint of
 * the profile's region, the profile's (or --endpoint's) URL, or for the embedded `local` profile an
 * emulator opened in this process on a loopback port (started, and closed, by the Factory).
 */
export interface Endpoint {
  url: string;
  /** Asked once per request by the client. */
  credentials: CredentialProvider;
}

export interface EndpointInput {
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Starts the embedded emulator of the `local` profile with its one key (the Factory's emulator(), which owns its closing). */
  emulator: (key: { id: string; secret: string }) => Promise<{ url: string }>;
}

export async function resolveEndpoint(profile: ResolvedProfile, opts: EndpointInput): Promise<Endpoint> {
  if (profile.source === 'local') {
    // the local key is this run's, accepted by the embedded emulator alone: it signs nothing else
    if (profile.endpoint) throw new CredentialsError(localWithEndpoint(profile.localChosenBy ?? '--profile local', profile.endpoint));
    // the emulator's state lives under the config dir: private to the user (0700) when made here
    const { ensureConfigDir } = await import('./paths.js');
    ensureConfigDir(opts.configDir);
    const emu = await opts.emulator({ id: profile.accessKeyId, secret: profile.accessKeySecret });
    return { url: emu.url, credentials: profile.credentials };
  }
  const { normalizeEndpoint, regionEndpoint } = await import('./resolve.js');
  return { url: profile.endpoint ? normalizeEndpoint(profile.endpoint) : regionEndpoint(profile.region), credentials: profile.credentials };
}

/**
 * Why the `local` profile and --endpoint do not go together, and the two ways out: the local key
 * exists only for the emulator inside this process, so another endpoint needs its own credentials.
 */
export function localWithEndpoint(chosenBy: string, endpoint: string): string {
  const dropLocal =
    chosenBy === '--profile local'
      ? 'drop --profile local'
      : chosenBy === 'VN_PROFILE=local'
        ? 'unset VN_PROFILE'
        : 'pick another profile (vn configure use NAME)';
  return (
    `no AccessKey for --endpoint ${endpoint}: the local profile (${chosenBy}) is the emulator embedded in vn, and its key is for that emulator alone. ` +
    `To call ${endpoint}, give its credentials (for a \`vn emulator\`, the --access-key it was started with) in ` +
    `ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET or a profile, and ${dropLocal}; or drop --endpoint to use the embedded emulator`
  );
}
