/**
 * What the client signs with, and where it gets it: the client's port to credentials. The modes
 * (environment, profiles, the local emulator, and those to come) are providers in
 * src/config/credentials/; the client asks its provider once per request, so a provider that
 * renews itself (src/config/credentials/refresh.ts) is renewed under a long run.
 */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** When these credentials stop working (an STS token's expiry); none: they do not expire. */
  expiration?: Date;
}

export interface CredentialProvider {
  /** Short and stable (`env`, `profile-ak`, …): named in skip reasons and by a later `whoami`. */
  readonly name: string;
  get(): Promise<Credentials>;
}

/** A provider of one fixed set of credentials. */
export function staticCredentials(credentials: Credentials, name = 'static'): CredentialProvider {
  const value = Promise.resolve(credentials);
  return { name, get: () => value };
}

export function isCredentialProvider(x: Credentials | CredentialProvider): x is CredentialProvider {
  return typeof (x as CredentialProvider).get === 'function';
}
