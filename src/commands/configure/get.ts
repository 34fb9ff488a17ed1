import { LOCAL_PROFILE, maskSecret, profileMode, shownName } from '../../config/profiles.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { openStore } from './shared.js';

const KEYS = [
  'mode',
  'access-key-id',
  'access-key-secret',
  'sts-token',
  'ram-role-arn',
  'role-session-name',
  'source-profile',
  'region',
  'endpoint',
  'output',
  'current',
] as const;

export default defineCommand({
  description: `Prints one setting: ${KEYS.join(', ')}. Secrets print masked.`,
  args: [{ name: 'key', description: KEYS.join(' | ') }],
  async run(ctx, { args }) {
    const key = String(args.key);
    if (!(KEYS as readonly string[]).includes(key)) throw new UsageError(`unknown key "${key}" (one of: ${KEYS.join(', ')})`);
    const store = await openStore(ctx);
    if (key === 'current') {
      ctx.out(store.current ?? '');
      return undefined;
    }
    const name = ctx.globals.profile ?? store.current;
    if (!name) throw new UsageError('no current profile: name one with --profile');
    if (name === LOCAL_PROFILE) throw new UsageError(`"${LOCAL_PROFILE}" is the built-in emulator profile and has no stored settings`);
    const p = store.get(name);
    if (!p) throw new UsageError(`no profile named ${shownName(name)}`);
    const value: Record<string, string | undefined> = {
      mode: profileMode(p),
      'access-key-id': p.accessKeyId,
      'ram-role-arn': p.ramRoleArn,
      'role-session-name': p.roleSessionName,
      'source-profile': p.sourceProfile,
      'access-key-secret': maskSecret(p.accessKeySecret),
      'sts-token': maskSecret(p.securityToken),
      region: p.region,
      endpoint: p.endpoint,
      output: p.output,
    };
    ctx.out(value[key] ?? '');
    return undefined;
  },
});
