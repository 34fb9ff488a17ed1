import { CredentialsError } from '../../errors.js';
import type { Profile } from '../profiles.js';
import type { CredentialProvider, Credentials, FetchDeps } from './provider.js';
import { callSts, checkDuration, credentialsFromAnswer, defaultSessionName, stsEndpoint } from './sts.js';
import { cachedCredentials } from './token-cache.js';

/** What AssumeRole is asked for (RamRoleArn and ChainableRamRoleArn): the profile's role settings. */
export type RoleSettings = Pick<Profile, 'ramRoleArn' | 'roleSessionName' | 'externalId' | 'policy' | 'durationSeconds' | 'stsEndpoint' | 'stsRegion'>;

/**
 * RamRoleArn: STS AssumeRole signed with the source's credentials (a stored key, or for
 * ChainableRamRoleArn another profile's credentials). Each call goes through the inter-process
 * token cache, keyed by the role, session, policy, source key id and external id.
 */
export function ramRoleArnProvider(source: CredentialProvider, role: RoleSettings, deps: FetchDeps, what: string): CredentialProvider {
  return {
    name: 'ram-role-arn',
    async get(): Promise<Credentials> {
      const roleArn = role.ramRoleArn;
      if (!roleArn) throw new CredentialsError(`${what}: no role ARN (ram_role_arn)`);
      const session = role.roleSessionName || defaultSessionName(deps.env);
      const endpoint = stsEndpoint(deps, role);
      const duration = checkDuration(role.durationSeconds, what, endpoint);
      const src = await source.get();
      const key = { action: 'AssumeRole', endpoint, roleArn, session, policy: role.policy, source: src.accessKeyId, externalId: role.externalId, duration };
      return cachedCredentials({ configDir: deps.configDir, now: deps.now, trace: deps.http.debug }, key, async () => {
        const params: Record<string, string> = { RoleArn: roleArn, RoleSessionName: session, DurationSeconds: String(duration) };
        if (role.policy) params.Policy = role.policy;
        if (role.externalId) params.ExternalId = role.externalId;
        return credentialsFromAnswer(await callSts(deps, endpoint, src, 'AssumeRole', params), 'STS AssumeRole');
      });
    },
  };
}
