import { readFile } from 'node:fs/promises';
import { CredentialsError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { type Credentials, type FetchDeps, type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';
import { callStsUnsigned, checkDuration, credentialsFromAnswer, defaultSessionName, stsEndpoint } from './sts.js';
import { cachedCredentials } from './token-cache.js';

export interface OidcSettings {
  ramRoleArn?: string;
  oidcProviderArn?: string;
  oidcTokenFile?: string;
  roleSessionName?: string;
  policy?: string;
  durationSeconds?: number;
  stsEndpoint?: string;
  stsRegion?: string;
}

/**
 * OIDC (ACK RRSA, GitHub Actions): STS AssumeRoleWithOIDC with the token in a file. The file is
 * read again for every exchange, since the platform rotates it; the credentials go through the
 * inter-process token cache.
 */
export function oidcCredentials(s: OidcSettings, deps: FetchDeps, what: string): () => Promise<Credentials> {
  return async () => {
    const { ramRoleArn, oidcProviderArn, oidcTokenFile } = s;
    if (!ramRoleArn || !oidcProviderArn || !oidcTokenFile)
      throw new CredentialsError(`${what}: the role ARN, the OIDC provider ARN and the token file are all needed`);
    const session = s.roleSessionName || defaultSessionName(deps.env);
    const endpoint = stsEndpoint(deps, s);
    const duration = checkDuration(s.durationSeconds, what, endpoint);
    const key = { action: 'AssumeRoleWithOIDC', endpoint, roleArn: ramRoleArn, oidcProviderArn, session, policy: s.policy, duration };
    return cachedCredentials({ configDir: deps.configDir, now: deps.now, trace: deps.http.debug }, key, async () => {
      let token: string;
      try {
        token = (await readFile(oidcTokenFile, 'utf8')).trim();
      } catch (err) {
        throw new CredentialsError(
          `${what}: cannot read the OIDC token file ${oidcTokenFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
      if (!token) throw new CredentialsError(`${what}: the OIDC token file ${oidcTokenFile} is empty`);
      registerSecret(token);
      const params: Record<string, string> = {
        RoleArn: ramRoleArn,
        OIDCProviderArn: oidcProviderArn,
        OIDCToken: token,
        RoleSessionName: session,
        DurationSeconds: String(duration),
      };
      if (s.policy) params.Policy = s.policy;
      return credentialsFromAnswer(await callStsUnsigned(deps, endpoint, 'AssumeRoleWithOIDC', params), 'STS AssumeRoleWithOIDC');
    });
  };
}

/** The environment's OIDC settings (ACK RRSA sets them in the pod), as the official library reads them. */
export function oidcFromEnv(env: NodeJS.ProcessEnv): OidcSettings {
  return {
    ramRoleArn: env.ALIBABA_CLOUD_ROLE_ARN || undefined,
    oidcProviderArn: env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN || undefined,
    oidcTokenFile: env.ALIBABA_CLOUD_OIDC_TOKEN_FILE || undefined,
    roleSessionName: env.ALIBABA_CLOUD_ROLE_SESSION_NAME || undefined,
  };
}

/** The chain's OIDC step: applies when ALIBABA_CLOUD_ROLE_ARN, _OIDC_PROVIDER_ARN and _OIDC_TOKEN_FILE are all set. */
export function oidcEnvProvider(input: ProviderInput): ModeProvider {
  const s = oidcFromEnv(input.env);
  let fetch: (() => Promise<Credentials>) | undefined;
  return {
    name: 'oidc',
    source: 'oidc',
    profileName: () => 'oidc',
    describe: () => `OIDC from the environment (role ${s.ramRoleArn})`,
    get() {
      const missing = (
        [
          ['ALIBABA_CLOUD_ROLE_ARN', s.ramRoleArn],
          ['ALIBABA_CLOUD_OIDC_PROVIDER_ARN', s.oidcProviderArn],
          ['ALIBABA_CLOUD_OIDC_TOKEN_FILE', s.oidcTokenFile],
        ] as const
      ).filter(([, v]) => !v);
      if (missing.length === 3)
        return Promise.reject(new NotApplicable('ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set'));
      if (missing.length > 0) return Promise.reject(new NotApplicable(`${missing.map(([k]) => k).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`));
      fetch ??= oidcCredentials(s, input.deps, 'OIDC from the environment');
      return fetch();
    },
  };
}
