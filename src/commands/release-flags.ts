import type { FlagDef } from './define.js';

/** The test gate's flags, shared by `vn apply` and `vn diff -f`. */
export const GATE_FLAGS: FlagDef[] = [
  {
    name: 'test',
    repeatable: true,
    valueName: 'glob',
    complete: 'test-file',
    description:
      'run these dialogue tests (files, directories, globs) on the current configuration and on the planned one, in sandbox emulators; refuse (exit 11) when one that passes now fails with the change',
  },
  {
    name: 'chatbots',
    valueName: 'file',
    complete: 'file',
    description: 'the chatbots the --test sandboxes answer with (a chatbots file, as vn emulator start --chatbots takes; default the demo bot)',
  },
  {
    name: 'min-coverage',
    valueName: 'pct',
    description: 'with --test: refuse (exit 9) unless the suites reach this much with the change: 80 (overall) or kind=pct pairs (paths=100,intents=80)',
  },
];

/** The release flags of `vn apply`: the gate, history and rollback. */
export const RELEASE_FLAGS: FlagDef[] = [
  ...GATE_FLAGS,
  {
    name: 'test-target',
    valueName: 'instance',
    instanceRef: true,
    description:
      'run the --test suites on this staging instance of the service instead of sandboxes (a bot whose logic is in the cloud): it is given the current configuration, then the planned one, and is left with it',
  },
  {
    name: 'impact-from',
    valueName: 'report',
    complete: 'file',
    description:
      'show per changed field the tests and coverage paths it touches, from a JSON report of vn dialogue test --coverage (--test does it from its own run)',
  },
  { name: 'history', type: 'bool', description: 'list the history of applies (newest last) and change nothing' },
  {
    name: 'rollback',
    optionalValue: true,
    valueName: 'entry',
    description: 'apply the configuration from before a history entry (the newest when no id is given), through the same plan, gate and confirmation',
  },
  {
    name: 'history-dir',
    valueName: 'dir',
    complete: 'file',
    description: 'where the history is kept (default: history/ under the config dir; also VN_HISTORY_DIR), e.g. a directory in git',
  },
];
