import type { CredentialProvider, FetchDeps } from './provider.js';
import { type RoleSettings, ramRoleArnProvider } from './ram-role-arn.js';
import { RefreshingProvider } from './refresh.js';

/**
 * ChainableRamRoleArn: the source profile's credentials (any mode, itself perhaps a role), renewed
 * before they expire, then AssumeRole with them.
 */
export function chainableRamRoleArnProvider(source: CredentialProvider, role: RoleSettings, deps: FetchDeps, what: string): CredentialProvider {
  const renewed = new RefreshingProvider(source, { now: deps.now });
  return { ...ramRoleArnProvider(renewed, role, deps, what), name: 'chainable-ram-role-arn' };
}
