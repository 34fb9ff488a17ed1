import { selectedProfile } from './profile-selection.js';
import { type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/** A stored profile of mode StsToken: an AccessKey ID, secret and STS token (`vn configure set --sts-token`). */
export function profileStsTokenProvider(input: ProviderInput): ModeProvider {
  let name = '';
  return {
    name: 'profile-sts-token',
    source: 'profile',
    profileName: () => name,
    async get() {
      const sel = await selectedProfile(await input.selection());
      if (!sel.profile.securityToken) throw new NotApplicable(`profile "${sel.name}" holds no STS token`);
      name = sel.name;
      return { accessKeyId: sel.profile.accessKeyId, accessKeySecret: sel.profile.accessKeySecret, securityToken: sel.profile.securityToken };
    },
  };
}
