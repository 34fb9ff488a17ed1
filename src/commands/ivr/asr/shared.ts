import { UsageError } from '../../../errors.js';
import type { ArgDef, FlagDef } from '../../define.js';

/**
 * Where an ASR config lives, as the SDK documents ConfigLevel: 0 = system (the account-wide
 * default), 1 = tenant, 2 = instance, with EntryId naming the tenant or the instance. The
 * positional instance id is the usual way to say level 2.
 */
export const CONFIG_LEVELS = { system: 0, tenant: 1, instance: 2 } as const;

export const ASR_TARGET_ARGS: ArgDef[] = [{ name: 'instance-id', optional: true, description: 'the instance (omit for the system-wide default)' }];

export const ASR_TARGET_FLAGS: FlagDef[] = [
  {
    name: 'config-level',
    param: 'ConfigLevel',
    valueName: 'level',
    description: '0 = system, 1 = tenant (with --entry-id), 2 = instance (set by <instance-id>)',
  },
  { name: 'entry-id', param: 'EntryId', valueName: 'id', description: 'the tenant (level 1) or instance (level 2) the config belongs to' },
];

/** Fills ConfigLevel/EntryId from the positional instance id, and refuses what cannot name a config. */
export function asrTarget(args: Record<string, unknown>, params: Record<string, unknown>): void {
  const id = args.instanceId as string | undefined;
  if (id !== undefined) {
    if (id.trim() === '') throw new UsageError('<instance-id> must not be empty');
    if (params.EntryId !== undefined && params.EntryId !== id) throw new UsageError('give either <instance-id> or --entry-id, not both');
    if (params.ConfigLevel !== undefined && params.ConfigLevel !== CONFIG_LEVELS.instance) {
      throw new UsageError(`<instance-id> means --config-level ${CONFIG_LEVELS.instance}; use --entry-id for another level`);
    }
    params.EntryId = id;
    params.ConfigLevel = CONFIG_LEVELS.instance;
  }
  // the level's range (0..2) is the model's rule, checked with the flag
  const level = params.ConfigLevel;
  if ((level === CONFIG_LEVELS.tenant || level === CONFIG_LEVELS.instance) && params.EntryId === undefined) {
    throw new UsageError(
      `--config-level ${String(level)} needs the ${level === CONFIG_LEVELS.tenant ? 'tenant (--entry-id)' : 'instance (<instance-id>)'} it applies to`,
    );
  }
}
