import { freshLocalKey } from '../../emulator/local.js';
import { LOCAL_PROFILE } from '../profiles.js';
import { type Credentials, type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/**
 * The embedded `local` profile, when named or current: a key pair for this run only, which the
 * in-process emulator (config/endpoint.ts) is started with and accepts alone; it lives only in this
 * process's memory.
 */
export function localProvider(input: ProviderInput): ModeProvider {
  let key: Credentials | undefined;
  return {
    name: 'local',
    source: 'local',
    profileName: () => LOCAL_PROFILE,
    describe: () => 'the embedded emulator (the local profile)',
    async get() {
      // named: the store is not read at all (a broken config.json does not stop the emulator)
      if (input.named !== undefined && input.named !== LOCAL_PROFILE) throw new NotApplicable(`the profile asked for is "${input.named}"`);
      if (input.named === undefined) {
        const sel = await input.selection();
        if (sel.name !== LOCAL_PROFILE) throw new NotApplicable(sel.name === undefined ? 'no profile is current' : `the current profile is "${sel.name}"`);
      }

      if (!key) {
        const fresh = freshLocalKey();
        key = { accessKeyId: fresh.id, accessKeySecret: fresh.secret };
      }
      return key;
    },
  };
}
