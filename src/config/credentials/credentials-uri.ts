import { CredentialsError, NetworkError } from '../../errors.js';
import { registerSecret, registerSecretParams } from '../../redact.js';
import { metadataCredentials } from './ecs-ram-role.js';
import { type Credentials, type FetchDeps, type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';
import { cachedCredentials } from './token-cache.js';

/**
 * CredentialsURI: a GET to a URL that answers `{Code, AccessKeyId, AccessKeySecret, SecurityToken,
 * Expiration}` (ALIBABA_CLOUD_CREDENTIALS_URI, or a profile's credentials_uri).
 */
export function uriCredentials(uri: string, deps: FetchDeps, what: string): () => Promise<Credentials> {
  let url: URL | undefined;
  try {
    url = new URL(uri);
  } catch {
    url = undefined;
  }
  if (url) {
    // a URI may carry its own credential (?token=…, user:password@): never shown, not even by --debug
    registerSecretParams(Object.fromEntries(url.searchParams));
    registerSecret(decodeURIComponent(url.password));
  }
  return async () => {
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new CredentialsError(`${what}: ${JSON.stringify(uri.slice(0, 200))} is not an http(s) URL`);
    const shown = `${url.protocol}//${url.host}${url.pathname}`;
    const target = url.href;
    return cachedCredentials({ configDir: deps.configDir, now: deps.now, trace: deps.http.debug }, { action: 'CredentialsURI', uri: target }, async () => {
      const { HttpCaller } = await import('../../client/http.js');
      const data = await new HttpCaller(deps.http).getJson<unknown>(target);
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new NetworkError(`${shown} answered something that is not a JSON object`, true);
      return metadataCredentials(data as Record<string, unknown>, `the credentials URI ${shown}`);
    });
  };
}

/** The chain's last step: ALIBABA_CLOUD_CREDENTIALS_URI. */
export function credentialsUriProvider(input: ProviderInput): ModeProvider {
  const uri = input.env.ALIBABA_CLOUD_CREDENTIALS_URI;
  let fetch: (() => Promise<Credentials>) | undefined;
  return {
    name: 'credentials-uri',
    source: 'credentials-uri',
    profileName: () => 'credentials-uri',
    describe: () => 'ALIBABA_CLOUD_CREDENTIALS_URI',
    async get() {
      if (!uri) throw new NotApplicable('ALIBABA_CLOUD_CREDENTIALS_URI is not set');
      fetch ??= uriCredentials(uri, input.deps, 'ALIBABA_CLOUD_CREDENTIALS_URI');
      return fetch();
    },
  };
}
