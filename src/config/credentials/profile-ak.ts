import { selectedProfile } from './profile-selection.js';
import { type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/** A stored profile of mode AK: an AccessKey ID and secret. */
export function profileAkProvider(input: ProviderInput): ModeProvider {
  let name = '';
  return {
    name: 'profile-ak',
    source: 'profile',
    profileName: () => name,
    async get() {
      const sel = await selectedProfile(await input.selection());
      if (sel.profile.securityToken) throw new NotApplicable(`profile "${sel.name}" holds an STS token`);
      name = sel.name;
      return { accessKeyId: sel.profile.accessKeyId, accessKeySecret: sel.profile.accessKeySecret };
    },
  };
}
