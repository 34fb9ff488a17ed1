import type { FlagDef } from '../commands/define.js';

/** The release flags of `vn apply` (history and rollback; the test gate and the impact view are added beside them). */
export const RELEASE_FLAGS: FlagDef[] = [
  { name: 'history', type: 'bool', description: 'list the history of applies (newest last) and change nothing' },
  {
    name: 'rollback',
    optionalValue: true,
    valueName: 'entry',
    description: 'apply the configuration from before a history entry (the newest when no id is given), through the same plan and confirmation',
  },
  {
    name: 'history-dir',
    valueName: 'dir',
    complete: 'file',
    description: 'where the history is kept (default: history/ under the config dir; also VN_HISTORY_DIR), e.g. a directory in git',
  },
];
