import { allActions } from '../api/catalog.js';
import { resolveFlags } from '../commands/build.js';
import type { ArgDef, CommandTree, GroupEntry, VerbEntry } from '../commands/define.js';
import { GLOBAL_FLAGS } from '../commands/globals.js';

/** One option as completion sees it. */
export interface CompletionFlag {
  /** e.g. "--page-size" */
  long: string;
  /** e.g. "-o" */
  short?: string;
  takesValue: boolean;
  /** Fixed values offered after the flag. */
  choices?: readonly string[];
  /** Values completed from the file system, the profile store or the instances of the profile. */
  complete?: Completes;
  description: string;
}

/** What a value or an argument is completed from. */
export type Completes = 'file' | 'test-file' | 'profile' | 'instance';

/** One positional argument: what completes it; a variadic one takes every later word too. */
export interface CompletionArg {
  complete?: Completes;
  variadic?: boolean;
}

/** A group, a command, or a fixed word a command takes (`vn call <Action>`, `vn completion <shell>`). */
export interface CompletionNode {
  name: string;
  aliases: string[];
  description: string;
  flags: CompletionFlag[];
  children: CompletionNode[];
  /** The command's positional arguments, in order. */
  args?: CompletionArg[];
}

export interface CompletionTree {
  root: CompletionNode;
  /** Flags every command accepts (the global table, plus --help). */
  globals: CompletionFlag[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function globalFlags(): CompletionFlag[] {
  const flags = GLOBAL_FLAGS.map((g): CompletionFlag => {
    const parts = g.flags.split(/[, ]+/).filter((p) => p.startsWith('-'));
    return {
      long: parts.find((p) => p.startsWith('--')) as string,
      short: parts.find((p) => !p.startsWith('--')),
      takesValue: g.takesValue,
      choices: g.choices,
      complete: g.complete,
      description: oneLine(g.description),
    };
  });
  flags.push({ long: '--help', short: '-h', takesValue: false, description: 'show help' });
  return flags;
}

/** Arguments completed as profile names, by command path (their definitions call them just "name"). */
const PROFILE_ARGS = new Set(['configure use', 'configure delete']);

/** What completes an argument: its own hint, else what its name or wire parameter says. */
function argCompletes(path: string, a: ArgDef): Completes | undefined {
  if (a.complete) return a.complete;
  if (PROFILE_ARGS.has(path)) return 'profile';
  if (a.param === 'InstanceId' || a.name === 'instance-id') return 'instance';
  if (/^(paths?|files?)$/.test(a.name)) return 'file';
  return undefined;
}

async function verbNode(verb: VerbEntry, path: string): Promise<CompletionNode> {
  const { default: def } = await verb.load();
  const flags = resolveFlags(def).map(
    (f): CompletionFlag => ({
      long: `--${f.name}`,
      short: f.short ? `-${f.short}` : undefined,
      takesValue: f.kind !== 'bool',
      choices: f.choices ?? f.suggest,
      complete: f.complete ?? (f.param === 'InstanceId' || f.name === 'instance' ? 'instance' : undefined),
      description: oneLine(f.description ?? f.spec?.name ?? ''),
    }),
  );
  const args = (def.args ?? []).map((a): CompletionArg => ({ complete: argCompletes(path, a), variadic: a.variadic }));
  return { name: verb.name, aliases: verb.aliases ?? [], description: oneLine(verb.summary), flags, children: [], args };
}

async function groupNode(group: GroupEntry, parent = ''): Promise<CompletionNode> {
  const path = parent ? `${parent} ${group.name}` : group.name;
  const children: CompletionNode[] = [];
  for (const g of group.groups ?? []) children.push(await groupNode(g, path));
  for (const v of group.verbs) children.push(await verbNode(v, `${path} ${v.name}`));
  // a bare group that runs something (`vn configure`) takes that command's flags
  const flags = group.default ? (await verbNode(group.default, path)).flags : [];
  return { name: group.name, aliases: [], description: oneLine(group.summary), flags, children };
}

/** `vn call <Action>`: every action is a word, and its wire parameters are its flags. */
function callActions(call: CompletionNode): CompletionNode[] {
  return allActions().map((a) => ({
    name: a.name,
    aliases: [],
    description: `${a.method}${a.readOnly ? ', read-only' : ''} (${a.group})`,
    flags: [
      ...a.params.map(
        (p): CompletionFlag => ({
          long: `--${p.name}`,
          takesValue: true,
          choices: p.type === 'boolean' ? ['true', 'false'] : undefined,
          description: `${p.type}${p.jsonString ? ', JSON' : ''}${p.required ? ', required' : ''}`,
        }),
      ),
      ...call.flags.filter((f) => f.long !== '--list'),
    ],
    children: [],
  }));
}

/** The command tree from the registry and every command's definition (all modules are loaded). */
export async function buildCompletionTree(commands: CommandTree): Promise<CompletionTree> {
  const children: CompletionNode[] = [];
  for (const g of commands.groups) children.push(await groupNode(g));
  for (const v of commands.topVerbs) {
    const node = await verbNode(v, v.name);
    if (v.name === 'call') node.children = callActions(node);
    // words, not arguments: the shells offer them as children
    if (v.name === 'call' || v.name === 'completion') node.args = [];
    if (v.name === 'completion') node.children = SHELLS.map((s) => ({ name: s, aliases: [], description: `${s} completion script`, flags: [], children: [] }));
    children.push(node);
  }
  const root: CompletionNode = {
    name: 'vn',
    aliases: [],
    description: 'Alibaba Cloud Intelligent Voice Navigator',
    flags: [{ long: '--version', short: '-V', takesValue: false, description: 'print the version' }],
    children,
  };
  return { root, globals: globalFlags() };
}

/** Every node with its path ("" for the root, "ivr asr get"), parents first. */
export function walk(tree: CompletionTree): { path: string; node: CompletionNode }[] {
  const out: { path: string; node: CompletionNode }[] = [];
  const visit = (node: CompletionNode, path: string) => {
    out.push({ path, node });
    for (const c of node.children) visit(c, path ? `${path} ${c.name}` : c.name);
  };
  visit(tree.root, '');
  return out;
}

/** The command that lists profile names, one a line, filtered to safe words (used by every shell for --profile). */
export const PROFILE_LIST_COMMAND = 'vn completion --profile-names 2>/dev/null';

/**
 * The command that lists the instance ids of a profile, one a line: cached for a minute and fetched
 * with a 2-second limit, so TAB never hangs (see src/completion/instances.ts). The shells put
 * `--profile NAME` in front when the line names one.
 */
export const INSTANCE_LIST_COMMAND = 'completion --instance-ids';

/** The same list as `id<TAB>name` lines, for the shells that show a description beside a word (zsh, fish). */
export const INSTANCE_NAMES_COMMAND = 'completion --instances';

/** The file names `vn dialogue test` takes (with directories, to walk into). */
export const TEST_FILE_SUFFIXES = ['.test.yaml', '.test.yml'] as const;

/** Each argument's completion as a word ("@file", "@test-file", "@instance", "@profile" or ""), and whether the last is variadic. */
export function argSpecs(node: CompletionNode): { specs: string[]; variadic: boolean } {
  const args = node.args ?? [];
  return { specs: args.map((a) => (a.complete ? `@${a.complete}` : '')), variadic: Boolean(args[args.length - 1]?.variadic) };
}

/** A POSIX-shell single-quoted word (bash and zsh). */
export const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The long and short spellings of a flag. */
export function flagNames(f: CompletionFlag): string[] {
  return f.short ? [f.long, f.short] : [f.long];
}

/** What follows a value-taking flag: "@file", "@profile", a list of fixed values, or nothing. */
export function valueSpec(f: CompletionFlag): string {
  if (f.complete) return `@${f.complete}`;
  return (f.choices ?? []).join(' ');
}
