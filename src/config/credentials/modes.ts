import { type CredentialProvider, staticCredentials } from '../../client/credentials.js';
import { CredentialsError } from '../../errors.js';
import { type Profile, profileMode } from '../profiles.js';
import type { FetchDeps } from './provider.js';

/** A provider from a fetch function (each call fetches; the token cache and the refresher keep it cheap). */
function fetching(name: string, fetch: () => Promise<import('./provider.js').Credentials>): CredentialProvider {
  return { name, get: fetch };
}

/**
 * The provider for a profile of any mode, from vn's store, the aliyun CLI's config.json or the
 * credentials file (all read into vn's Profile shape). `lookup` finds a ChainableRamRoleArn's source
 * profile in the same place. Each temporary mode's file is loaded only when a profile uses it.
 */
export async function providerForProfile(
  where: string,
  profile: Profile,
  deps: FetchDeps,
  lookup: (name: string) => Profile | undefined,
  seen: string[] = [],
): Promise<CredentialProvider> {
  const mode = profileMode(profile);
  const what = `${where} (${mode})`;
  const key = () => {
    if (!profile.accessKeyId || !profile.accessKeySecret) throw new CredentialsError(`${what} has no AccessKey ID and secret`);
    return { accessKeyId: profile.accessKeyId, accessKeySecret: profile.accessKeySecret };
  };
  switch (mode) {
    case 'AK':
      return staticCredentials(key(), 'ak');
    case 'StsToken':
      if (!profile.securityToken) throw new CredentialsError(`${what} has no STS token`);
      return staticCredentials({ ...key(), securityToken: profile.securityToken }, 'sts-token');
    case 'RamRoleArn': {
      const { ramRoleArnProvider } = await import('./ram-role-arn.js');
      return ramRoleArnProvider(staticCredentials(key(), 'ak'), profile, deps, what);
    }
    case 'ChainableRamRoleArn': {
      const sourceName = profile.sourceProfile;
      if (!sourceName) throw new CredentialsError(`${what} names no source profile`);
      if (seen.includes(sourceName)) throw new CredentialsError(`${what}: the source profiles go round in a circle (${[...seen, sourceName].join(' → ')})`);
      const source = lookup(sourceName);
      if (!source) throw new CredentialsError(`${what}: its source profile ${JSON.stringify(sourceName)} does not exist`);
      const inner = await providerForProfile(where.replace(/"[^"]*"/, JSON.stringify(sourceName)), source, deps, lookup, [...seen, sourceName]);
      const { chainableRamRoleArnProvider } = await import('./chainable-ram-role-arn.js');
      return chainableRamRoleArnProvider(inner, profile, deps, what);
    }
    case 'EcsRamRole': {
      const { ecsCredentials } = await import('./ecs-ram-role.js');
      return fetching('ecs-ram-role', ecsCredentials(profile.ramRoleName, deps));
    }
    case 'OIDC': {
      const { oidcCredentials } = await import('./oidc.js');
      return fetching('oidc', oidcCredentials(profile, deps, what));
    }
    case 'CredentialsURI': {
      if (!profile.credentialsUri) throw new CredentialsError(`${what} has no credentials URI`);
      const { uriCredentials } = await import('./credentials-uri.js');
      return fetching('credentials-uri', uriCredentials(profile.credentialsUri, deps, what));
    }
    case 'External': {
      if (!profile.processCommand) throw new CredentialsError(`${what} has no process_command`);
      const { externalCredentials } = await import('./external.js');
      return fetching('external', externalCredentials(profile.processCommand, deps, what));
    }
  }
}
