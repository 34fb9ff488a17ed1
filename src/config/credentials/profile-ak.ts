import { CredentialsError } from '../../errors.js';
import { profileMode } from '../profiles.js';
import { selectedProfile } from './profile-selection.js';
import { type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/** A stored profile of mode AK: an AccessKey ID and secret. */
export function profileAkProvider(input: ProviderInput): ModeProvider {
  let name = '';
  return {
    name: 'profile-ak',
    source: 'profile',
    profileName: () => name,
    describe: () => `vn profile "${name}" (AK)`,
    async get() {
      const sel = await selectedProfile(await input.selection());
      const mode = profileMode(sel.profile);
      if (mode !== 'AK') throw new NotApplicable(`profile "${sel.name}" is of mode ${mode}`);
      if (!sel.profile.accessKeyId || !sel.profile.accessKeySecret) throw new CredentialsError(`profile "${sel.name}" has no AccessKey ID and secret`);
      name = sel.name;
      return { accessKeyId: sel.profile.accessKeyId, accessKeySecret: sel.profile.accessKeySecret };
    },
  };
}
