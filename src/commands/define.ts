import type { ActionName } from '../api/catalog.js';
import type { FlagParams, ParamType } from '../api/types.js';
import type { Output } from '../output/render.js';
import type { WatchSpec } from '../output/watch.js';
import type { HandlerContext } from './handler-context.js';

/** How a flag's text becomes a value. Defaults to the catalog type of its parameter. */
export type FlagType = 'string' | 'int' | 'bool' | 'json' | 'list';

export interface ArgDef {
  /** kebab-case, shown as <name> */
  name: string;
  /** Wire parameter this argument fills. */
  param?: string;
  description?: string;
  optional?: boolean;
  variadic?: boolean;
  /** Completion hint: a file path, a profile name, or an instance id (fetched with a short timeout). */
  complete?: 'file' | 'test-file' | 'profile' | 'instance';
}

export interface FlagDef {
  /** kebab-case long name without dashes, e.g. "page-size" */
  name: string;
  short?: string;
  /** Wire parameter this flag fills. Type, required-ness and help come from the catalog. */
  param?: string;
  description?: string;
  /** Overrides the catalog's required flag (e.g. a default makes it optional). */
  required?: boolean;
  type?: FlagType;
  choices?: readonly string[];
  /** Values completion offers without the flag checking them (a value may add to one, as `--reporter json=FILE`). */
  suggest?: readonly string[];
  default?: string | boolean | number;
  /** Value placeholder in help; defaults to the flag name's last word. */
  valueName?: string;
  /** Value optional: `--download [file]`. */
  optionalValue?: boolean;
  /** Completion hint for values: a file path, a profile name, or an instance id. */
  complete?: 'file' | 'test-file' | 'profile' | 'instance';
  hidden?: boolean;
  /** Older spellings still accepted but not shown in help (e.g. --save for --output-file). */
  aliases?: string[];
  /** May be given several times; the value is then a list. */
  repeatable?: boolean;
  /** Takes the words that follow it, up to the next flag (`--compare A B`); the value is a list. */
  variadic?: boolean;
  /** The value names an instance of this profile without being its InstanceId parameter: a name is resolved to the id (commands/instance-ref.ts). */
  instanceRef?: boolean;
}

export interface Input {
  args: Record<string, string | string[] | undefined>;
  /** Flag values by camelCase name, already coerced (int → number, json → parsed object). */
  flags: Record<string, unknown>;
  /** Wire parameters built from every arg/flag that names one (already checked by the validator). */
  params: FlagParams;
  /** The registry's tree, for a command that walks every command (completion). */
  commands?: CommandTree;
}

export type { FlagParams } from '../api/types.js';
export type { HandlerContext } from './handler-context.js';

export interface CommandDef {
  /** The long help text. The one-line summary is the registry's (commands/registry.ts), the one place it is written. */
  description?: string;
  /** The catalog action this command sends; flags with `param` are typed from it. */
  action?: ActionName;
  /** Other actions the command may send instead (e.g. the live variant chosen by --env). */
  alsoSends?: ActionName[];
  args?: ArgDef[];
  flags?: FlagDef[];
  examples?: string[];
  /** The list field of the result when it is not the action's (help names its columns). */
  listField?: string;
  /**
   * Add -w/--watch and --interval: poll and redraw until Ctrl-C (src/output/watch.ts); with a
   * WatchSpec, also until a final state (exit 0 on success, 1 on failure), ignoring its volatile fields.
   */
  watch?: boolean | WatchSpec;
  /** Offer --wait-until (src/output/wait-until.ts). Default: for a read command that writes no file and has no wait of its own. */
  waitUntil?: boolean;
  /** Add --all (follow every page) when the action pages. Default: true for paginated actions. */
  paginate?: boolean;
  /** Extra help text that depends on the words after the command (vn call <Action> --help). */
  helpAfter?: (words: string[]) => string | undefined;
  /** Accept unknown options (vn call). */
  passThrough?: boolean;
  /**
   * Returns what to render (or undefined when the command printed through ctx itself, e.g. chat).
   * Default: send `action` with `params` and render the response.
   */
  run?: (ctx: HandlerContext, input: Input) => Promise<Output | undefined>;
}

export function defineCommand(def: CommandDef): CommandDef {
  return def;
}

/**
 * A command that is all declaration (its action, arguments and examples; the default handler sends
 * the action and renders the answer), written in its registry line instead of a file of its own.
 * A new API action with a named command is then three hand-written places: its spec entry, its
 * emulator handler and this line. A command with logic of its own keeps its verb file.
 */
export function declared(def: CommandDef): () => Promise<{ default: CommandDef }> {
  return () => Promise.resolve({ default: def });
}

export function flagTypeOf(paramType: ParamType | undefined, jsonString?: boolean): FlagType {
  if (paramType === 'integer' || paramType === 'long') return 'int';
  if (paramType === 'boolean') return 'bool';
  if (paramType === 'array<string>') return 'list';
  if (jsonString) return 'json';
  return 'string';
}

export function camel(kebab: string): string {
  return kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

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

/** The registry's tree, handed to what walks every command (completion) so that it need not import the registry. */
export interface CommandTree {
  groups: readonly GroupEntry[];
  topVerbs: readonly VerbEntry[];
}
