import type { CredentialProvider } from '../../client/credentials.js';
import { profileMode } from '../profiles.js';
import { providerForProfile } from './modes.js';
import { selectedProfile } from './profile-selection.js';
import { type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/**
 * A stored profile of a mode that yields temporary credentials: RamRoleArn, ChainableRamRoleArn,
 * EcsRamRole, OIDC, CredentialsURI, External (AK and StsToken have providers of their own).
 */
export function profileTemporaryProvider(input: ProviderInput): ModeProvider {
  let name = '';
  let mode = '';
  let inner: CredentialProvider | undefined;
  return {
    name: 'profile-role',
    source: 'profile',
    profileName: () => name,
    describe: () => `vn profile "${name}" (${mode})`,
    async get() {
      if (!inner) {
        const sel = await selectedProfile(await input.selection());
        const m = profileMode(sel.profile);
        if (m === 'AK' || m === 'StsToken') throw new NotApplicable(`profile "${sel.name}" is of mode ${m}`);
        const all = await input.selection();
        inner = await providerForProfile(`profile "${sel.name}"`, sel.profile, input.deps, (n) => all.lookup?.(n), [sel.name]);
        name = sel.name;
        mode = m;
      }
      return inner.get();
    },
  };
}
