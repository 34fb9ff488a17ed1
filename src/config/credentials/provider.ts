import type { Profile } from '../profiles.js';

export type { CredentialProvider, Credentials } from '../../client/credentials.js';

import type { CredentialProvider } from '../../client/credentials.js';
import type { HttpPolicy } from '../../client/http.js';

/**
 * Thrown by a provider whose mode does not apply here (no variable set, no such profile): the
 * chain moves on to the next one and records the message as the reason it was skipped. Any other
 * error stops the chain (a mode that applies but is broken is not silently passed over).
 */
export class NotApplicable extends Error {
  override name = 'NotApplicable';
}

/** A provider in vn's chain: how `resolveProfile` reports it when it wins. */
export interface ModeProvider extends CredentialProvider {
  /** ResolvedProfile.source: `env`, `profile`, `local`, … */
  readonly source: string;
  /** ResolvedProfile.name once this provider has yielded: the profile's name, or the mode's. */
  profileName(): string;
  /** Once it has yielded: what it used, in words (`aliyun CLI profile "ci" (RamRoleArn)`), for whoami. */
  describe?(): string;
}

/** The profile the flags, the environment and the store select (read once, when first needed). */
export interface ProfileSelection {
  /** --profile, else VN_PROFILE: named by the user (so a missing one is an error of its own). */
  named?: string;
  /** The selected profile's name: the named one, else the store's current one. */
  name?: string;
  profile?: Profile;
  /** Every stored profile's name (for the message that names a missing one). */
  names: string[];
  /** Another stored profile (a ChainableRamRoleArn's source). */
  lookup?: (name: string) => Profile | undefined;
}

/** What a provider that fetches temporary credentials needs besides its settings. */
export interface FetchDeps {
  env: NodeJS.ProcessEnv;
  /** The transport (a test's httpmock), --debug trace, timeout, retries: as for every request. */
  http: HttpPolicy;
  /** Where the inter-process token cache lives (token-cache.ts). */
  configDir: string;
  /** --sts-endpoint: wins over the profile's and the environment's. */
  stsEndpoint?: string;
  /** Milliseconds since the epoch (a fake clock in tests). */
  now: () => number;
}

/** What the providers of vn's modes read. */
export interface ProviderInput {
  env: NodeJS.ProcessEnv;
  deps: FetchDeps;
  /** --profile, else VN_PROFILE. */
  named?: string;
  /** Reads the store on first call (never for `--profile local`). */
  selection(): Promise<ProfileSelection>;
}
