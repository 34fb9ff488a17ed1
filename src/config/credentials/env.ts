import { CredentialsError } from '../../errors.js';
import { namedProfileMissing } from './profile-selection.js';
import { type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/** ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, with ALIBABA_CLOUD_SECURITY_TOKEN when set. */
export function envProvider(input: ProviderInput): ModeProvider {
  const { env } = input;
  return {
    name: 'env',
    source: 'env',
    profileName: () => 'env',
    describe: () =>
      env.ALIBABA_CLOUD_SECURITY_TOKEN
        ? 'the environment (ALIBABA_CLOUD_ACCESS_KEY_ID, _SECRET and _SECURITY_TOKEN)'
        : 'the environment (ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET)',
    async get() {
      const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
      const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
      if (!id && !secret) throw new NotApplicable('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set');
      if (!id || !secret) {
        // a --profile that does not exist is the first thing to fix (it is what the user asked for)
        const sel = await input.selection();
        if (!id && sel.named && !sel.profile) throw new CredentialsError(namedProfileMissing(sel));
        throw new CredentialsError('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together');
      }
      return { accessKeyId: id, accessKeySecret: secret, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined };
    },
  };
}
