import { configDir } from '../paths.js';
import { LOCAL_PROFILE, readProfiles } from '../profiles.js';
import { NotApplicable, type ProfileSelection } from './provider.js';

export const NO_CREDENTIALS_HELP =
  'no credentials: run `vn configure` (or `vn configure set --profile NAME --access-key-id ID` with the secret on stdin), ' +
  'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or try the offline emulator with `--profile local`';

/** The selected profile: --profile / VN_PROFILE, else the store's current one. */
export async function readSelection(env: NodeJS.ProcessEnv, named: string | undefined): Promise<ProfileSelection> {
  const store = await readProfiles(configDir(env));
  const name = named ?? store.current;
  return { named, name, profile: name === undefined ? undefined : store.get(name), names: store.names() };
}

export function namedProfileMissing(sel: ProfileSelection): string {
  return `no profile named "${sel.named}" (profiles: ${sel.names.join(', ') || 'none'}, ${LOCAL_PROFILE})`;
}

/** The selected stored profile, or why there is none (a NotApplicable for the chain). */
export async function selectedProfile(sel: ProfileSelection): Promise<{ name: string; profile: NonNullable<ProfileSelection['profile']> }> {
  if (sel.name === undefined) throw new NotApplicable('no profile selected (no --profile, no VN_PROFILE, no current profile)');
  if (!sel.profile) throw new NotApplicable(sel.named ? namedProfileMissing(sel) : `the current profile "${sel.name}" does not exist`);
  return { name: sel.name, profile: sel.profile };
}
