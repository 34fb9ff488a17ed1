import type { CommandDef } from './define.js';

/**
 * Every group and verb with its one-line summary. Cheap: handlers are imported only when their
 * command runs (or its --help is asked for).
 */
export interface VerbEntry {
  name: string;
  summary: string;
  load: () => Promise<{ default: CommandDef }>;
  aliases?: string[];
}

export interface GroupEntry {
  name: string;
  summary: string;
  verbs: VerbEntry[];
  /** Nested groups, e.g. `ivr asr get`. */
  groups?: GroupEntry[];
  /** What the bare group runs (e.g. `vn configure` is interactive). */
  default?: VerbEntry;
}

export const GROUPS: GroupEntry[] = [
  {
    name: 'instance',
    summary: 'voice-navigation instances: list, create, modify, enable, delete',
    verbs: [
      { name: 'list', aliases: ['ls'], summary: 'list instances', load: () => import('./instance/list.js') },
      { name: 'describe', aliases: ['get'], summary: 'show one instance', load: () => import('./instance/describe.js') },
      { name: 'create', summary: 'create an instance', load: () => import('./instance/create.js') },
      { name: 'modify', summary: 'change an instance’s concurrency, name or description', load: () => import('./instance/modify.js') },
      { name: 'delete', aliases: ['rm'], summary: 'delete an instance', load: () => import('./instance/delete.js') },
      { name: 'enable', summary: 'enable (publish) an instance', load: () => import('./instance/enable.js') },
      { name: 'disable', summary: 'disable an instance', load: () => import('./instance/disable.js') },
    ],
  },
  {
    name: 'configure',
    summary: 'credential profiles: set up, list, switch, import from the aliyun CLI',
    default: { name: 'interactive', summary: 'set up a profile interactively', load: () => import('./configure/interactive.js') },
    verbs: [
      { name: 'set', summary: 'create or update a profile (the secret is read from stdin when piped)', load: () => import('./configure/set.js') },
      { name: 'list', aliases: ['ls'], summary: 'list profiles (secrets masked)', load: () => import('./configure/list.js') },
      { name: 'get', summary: 'print one setting of a profile', load: () => import('./configure/get.js') },
      { name: 'use', summary: 'make a profile the current one', load: () => import('./configure/use.js') },
      { name: 'delete', aliases: ['rm'], summary: 'delete a profile', load: () => import('./configure/delete.js') },
      { name: 'import-aliyun', summary: 'import AK and StsToken profiles from ~/.aliyun/config.json', load: () => import('./configure/import-aliyun.js') },
    ],
  },
  {
    name: 'emulator',
    summary: 'the offline Voice Navigator emulator (also behind --profile local)',
    verbs: [{ name: 'start', summary: 'run the emulator on a port', load: () => import('./emulator/start.js') }],
  },
];

/** Commands directly under `vn`. */
export const TOP_VERBS: VerbEntry[] = [];

/** Finds the deepest registry entry named by the leading positional words. */
export function lookup(words: string[]): { group?: GroupEntry; verb?: VerbEntry; path: string[] } {
  const top = TOP_VERBS.find((v) => v.name === words[0] || v.aliases?.includes(words[0] ?? ''));
  if (top) return { verb: top, path: [top.name] };
  let groups = GROUPS;
  let group: GroupEntry | undefined;
  const path: string[] = [];
  for (const w of words) {
    const g = groups.find((x) => x.name === w);
    if (g) {
      group = g;
      path.push(g.name);
      groups = g.groups ?? [];
      continue;
    }
    if (group) {
      const v = group.verbs.find((x) => x.name === w || x.aliases?.includes(w));
      if (v) return { group, verb: v, path: [...path, v.name] };
    }
    break;
  }
  return { group, verb: undefined, path };
}
