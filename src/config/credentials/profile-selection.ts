import { UsageError } from '../../errors.js';
import { configDir } from '../paths.js';
import { LOCAL_PROFILE, PROFILE_NAME_RE, readProfiles, shownName } from '../profiles.js';
import { NotApplicable, type ProfileSelection } from './provider.js';

export const NO_CREDENTIALS_HELP =
  'no credentials: run `vn configure` (or `vn configure set --profile NAME --access-key-id ID` with the secret on stdin), ' +
  'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or try the offline emulator with `--profile local`';

/**
 * The selected profile: --profile / VN_PROFILE, else the store's current one. A name no profile
 * could have (`vn configure set` refuses it) is bad input, whatever its length (exit 2).
 */
export async function readSelection(env: NodeJS.ProcessEnv, named: string | undefined, fromEnv: boolean): Promise<ProfileSelection> {
  const store = await readProfiles(configDir(env));
  const name = named ?? store.current;
  const profile = name === undefined ? undefined : store.get(name);
  if (named !== undefined && !profile && !PROFILE_NAME_RE.test(named)) {
    throw new UsageError(
      `invalid profile name ${shownName(named)}${fromEnv ? ' (from VN_PROFILE)' : ''}: use letters, digits, dot, dash and underscore, at most 64`,
    );
  }
  return { named, name, profile, names: store.names(), lookup: (n) => store.get(n) };
}

export function namedProfileMissing(sel: ProfileSelection): string {
  return `no profile named ${shownName(sel.named ?? '')} (profiles: ${sel.names.join(', ') || 'none'}, ${LOCAL_PROFILE})`;
}

/** The selected stored profile, or why there is none (a NotApplicable for the chain). */
export async function selectedProfile(sel: ProfileSelection): Promise<{ name: string; profile: NonNullable<ProfileSelection['profile']> }> {
  if (sel.name === undefined) throw new NotApplicable('no profile selected (no --profile, no VN_PROFILE, no current profile)');
  if (!sel.profile) throw new NotApplicable(sel.named ? namedProfileMissing(sel) : `the current profile "${sel.name}" does not exist`);
  return { name: sel.name, profile: sel.profile };
}
