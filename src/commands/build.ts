import type { Command } from 'commander';
import { ACTION_SPECS } from '../api/catalog.js';
import type { ActionSpec, ParamSpec } from '../api/types.js';
import { checkParamValue, describeRules } from '../api/validate.js';
import type { Context } from '../context.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { COLUMNS_BY_LIST_FIELD } from '../output/columns.js';
import { FORMATS } from '../output/formats/index.js';
import { closest } from '../suggest.js';
import { type CommandDef, type CommandTree, camel, type FlagDef, type FlagType, flagTypeOf, type Input } from './define.js';
import { isInstanceIdShaped } from './instance-ref.js';

type CommanderModule = typeof import('commander');

export interface ResolvedFlag extends FlagDef {
  key: string;
  kind: FlagType;
  required: boolean;
  spec?: ParamSpec;
}

/** The flags of a command with their catalog types filled in (+ --all for paginated actions). */
export function resolveFlags(def: CommandDef): ResolvedFlag[] {
  const action = def.action ? ACTION_SPECS[def.action] : undefined;
  const flags: ResolvedFlag[] = (def.flags ?? []).map((f) => {
    const spec = f.param && action ? action.params.find((p) => p.name === f.param) : undefined;
    if (f.param && action && !spec) throw new Error(`${def.action} has no parameter ${f.param} (flag --${f.name})`);
    return {
      ...f,
      key: camel(f.name),
      kind: f.type ?? flagTypeOf(spec?.type, spec?.jsonString),
      required: f.required ?? (spec?.required === true && f.default === undefined),
      // a parameter with fixed values offers them (completion, help) and takes them in any case
      choices: f.choices ?? (f.type === undefined ? spec?.rules?.enum?.filter((e) => e !== '') : undefined),
      spec,
    };
  });
  const waits = action !== undefined && waitsUntil(def, action, flags);
  if (def.watch) {
    const final = typeof def.watch === 'object' && def.watch.final !== undefined;
    flags.push({
      name: 'watch',
      short: 'w',
      key: 'watch',
      kind: 'bool',
      required: false,
      description: final
        ? 'poll and redraw until a final state (exit 0 on success, 1 on failure) or Ctrl-C (piped: print each change)'
        : 'poll and redraw until Ctrl-C (piped: print each change)',
    });
  }
  if (waits) {
    flags.push(
      {
        name: 'wait-until',
        key: 'waitUntil',
        kind: 'string',
        required: false,
        valueName: 'jmespath',
        description: 'poll until this JMESPath is true of the answer, then print the answer (exit 8 when --wait-timeout passes first)',
      },
      {
        name: 'wait-timeout',
        key: 'waitTimeout',
        kind: 'string',
        required: false,
        valueName: 'seconds',
        description: 'give up --wait-until after this many seconds (default 300)',
      },
    );
  }
  if (def.watch || waits) {
    flags.push({
      name: 'interval',
      key: 'interval',
      kind: 'string',
      required: false,
      valueName: 'seconds',
      description: `seconds between polls with ${[def.watch ? '--watch' : '', waits ? '--wait-until' : ''].filter(Boolean).join(' or ')} (default 2)`,
    });
  }
  if (action && wantsAll(def, action) && !flags.some((f) => f.name === 'all')) {
    flags.push(
      { name: 'all', key: 'all', kind: 'bool', required: false, description: 'follow every page and print one response with every item' },
      {
        name: 'no-paginate',
        key: 'paginate',
        kind: 'bool',
        required: false,
        description: 'one page only, also when stdout is not a terminal (piped, every page is followed by default)',
      },
    );
  }
  return flags;
}

/**
 * --wait-until is offered by a read command: its actions change nothing, it writes no file, and it
 * has no wait of its own (the export commands' --wait). `waitUntil: false` opts out.
 */
function waitsUntil(def: CommandDef, action: ActionSpec, flags: readonly FlagDef[]): boolean {
  if (def.waitUntil !== undefined) return def.waitUntil;
  if (!action.readOnly || def.passThrough) return false;
  if (!(def.alsoSends ?? []).every((a) => ACTION_SPECS[a].readOnly)) return false;
  return !flags.some((f) => ['output-file', 'wait', 'wait-until', 'wait-timeout', 'interval'].includes(f.name));
}

function wantsAll(def: CommandDef, action: ActionSpec): boolean {
  if (def.paginate !== undefined) return def.paginate;
  return action.paginator !== undefined;
}

function flagHelp(f: ResolvedFlag): string {
  const parts: string[] = [];
  if (f.description) parts.push(f.description);
  if (f.spec) {
    const rules = describeRules(f.spec);
    const eg = f.spec.example && f.spec.example.length <= 40 ? `, e.g. ${f.spec.example}` : '';
    parts.push(`(${f.spec.name}: ${f.spec.type}${f.spec.jsonString && !f.spec.rules?.json ? ', JSON' : ''}${rules ? `, ${rules}` : ''}${eg})`);
  }
  if (f.choices && !f.spec?.rules?.enum) parts.push(`(one of: ${f.choices.join(', ')}; any case)`);
  else if (f.choices) parts.push('(any case)');
  if (f.required) parts.push('[required]');
  return parts.join(' ');
}

/** Turns a CommandDef into the commander command's arguments, options and action. */
export function buildVerb(cmd: Command, def: CommandDef, ctx: Context, commander: CommanderModule, entry: { summary: string; commands: CommandTree }): void {
  const { summary } = entry;
  const action = def.action ? ACTION_SPECS[def.action] : undefined;
  cmd.description(def.description ?? summary).summary(summary);
  for (const a of def.args ?? []) {
    const spec = a.param && action ? action.params.find((p) => p.name === a.param) : undefined;
    const name = `${a.name}${a.variadic ? '...' : ''}`;
    cmd.argument(a.optional ? `[${name}]` : `<${name}>`, a.description ?? (spec ? `${spec.name}` : ''));
  }
  const flags = resolveFlags(def);
  for (const f of flags) {
    const value =
      f.kind === 'bool' ? '' : f.optionalValue ? ` [${f.valueName ?? lastWord(f.name)}]` : ` <${f.valueName ?? lastWord(f.name)}${f.variadic ? '...' : ''}>`;
    const opt = new commander.Option(`${f.short ? `-${f.short}, ` : ''}--${f.name}${value}`, flagHelp(f));
    // choices are checked in coerce(), case-insensitively and with a suggestion, not by commander
    if (f.default !== undefined) opt.default(f.default);
    if (f.hidden) opt.hideHelp();
    if (f.repeatable) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    cmd.addOption(opt);
    for (const alias of f.aliases ?? []) {
      cmd.addOption(new commander.Option(`--${alias}${value}`, `same as --${f.name}`).hideHelp());
    }
  }
  if (def.passThrough) cmd.allowUnknownOption(true).allowExcessArguments(true);
  const columns = listColumnsHelp(def);
  if (columns) cmd.addHelpText('after', columns);
  if (def.examples?.length) cmd.addHelpText('after', `\nExamples:\n${def.examples.map((e) => `  $ ${e}`).join('\n')}`);
  cmd.action(async (...received: unknown[]) => {
    const positional = received.slice(0, (def.args ?? []).length) as (string | string[] | undefined)[];
    const input = collectInput(def, flags, positional, cmd.opts());
    input.commands = entry.commands;
    if (def.passThrough) input.args._rest = cmd.args.slice((def.args ?? []).length);
    await resolveInstanceNames(ctx, def, flags, input);
    if (
      followsEveryPage(def, flags, input, (key) => cmd.getOptionValueSource(key), ctx.io.stdoutIsTTY || FORMATS[await ctx.outputFormat()].wire !== undefined)
    ) {
      input.flags.all = true;
    }
    const produce = async () =>
      def.run ? await def.run(ctx, input) : def.action ? await ctx.call(def.action, input.params, { all: input.flags.all === true }) : undefined;
    const title = `vn ${cmd.parent?.name() ?? ''} ${cmd.name()} ${positional.filter(Boolean).join(' ')}`.replace(/\s+/g, ' ').trim();
    if (input.flags.waitUntil !== undefined || (input.flags.waitTimeout !== undefined && flags.some((f) => f.key === 'waitUntil'))) {
      const { waitUntil, waitOptions } = await import('../output/wait-until.js');
      if (input.flags.watch === true) throw new UsageError('--watch and --wait-until do not go together: give one');
      await waitUntil(ctx, produce, { ...(await waitOptions(input.flags)), title });
      return;
    }
    if (def.watch && (input.flags.watch === true || input.flags.interval !== undefined)) {
      const { watch, pollInterval } = await import('../output/watch.js');
      const interval = pollInterval(input.flags.interval);
      if (input.flags.watch !== true) throw new UsageError(`--interval needs --watch${flags.some((f) => f.key === 'waitUntil') ? ' or --wait-until' : ''}`);
      const final = await watch(ctx, produce, { interval, title, spec: typeof def.watch === 'object' ? def.watch : undefined });
      if (final && !final.ok) throw new RuntimeFailure(`${title}: ended in ${final.state}`);
      return;
    }
    // the builder's own --interval (a command may have one of its own: `vn top`)
    if (input.flags.interval !== undefined && flags.some((f) => f.key === 'waitUntil')) throw new UsageError('--interval needs --wait-until');
    const out = await produce();
    if (out) await ctx.render(out);
  });
}

/**
 * No silent truncation (as the AWS CLI v2): when stdout is not a terminal, a paged list follows
 * every page unless one page was asked for (--no-paginate, or --page-number / --page-size given).
 * On a terminal the table shows one page and says so in its footer; `-o xml` prints the service's
 * own body, which is one page and carries its TotalCount (`onePage`).
 */
export function followsEveryPage(def: CommandDef, flags: ResolvedFlag[], input: Input, source: (key: string) => string | undefined, onePage: boolean): boolean {
  const action = def.action ? ACTION_SPECS[def.action] : undefined;
  const paginator = action?.paginator;
  if (!action || !paginator || !wantsAll(def, action)) return false;
  if (input.flags.paginate === false) {
    if (input.flags.all === true) throw new UsageError('--all and --no-paginate contradict each other: give one');
    return false;
  }
  if (input.flags.all === true || onePage) return false;
  return !flags.some((f) => (f.param === paginator.page || f.param === paginator.size) && source(f.key) === 'cli');
}

/** "Columns: …" for a command whose result is a list: what the table and -o tsv show, in order. */
function listColumnsHelp(def: CommandDef): string | undefined {
  const listField = def.listField ?? (def.action ? ACTION_SPECS[def.action].listField : undefined);
  const cols = listField ? COLUMNS_BY_LIST_FIELD[listField] : undefined;
  if (!cols) return undefined;
  const names = cols.map((c) => c.header ?? c.key);
  return `\nColumns (table and -o tsv, in this order; -o wide adds every other field):\n  ${names.join(', ')}`;
}

/** A choice given in any case becomes the canonical spelling; anything else is refused with a suggestion. */
export function matchChoice(flag: string, choices: readonly string[], value: string): string {
  const exact = choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (exact !== undefined) return exact;
  const near = closest(value, choices);
  throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${value}"${near ? ` (did you mean ${near}?)` : ''}`);
}

function lastWord(name: string): string {
  return name.split('-').pop() ?? name;
}

/** Coerces flag text to values, checks required ones, and maps both args and flags to wire params. */
export function collectInput(def: CommandDef, flags: ResolvedFlag[], positional: (string | string[] | undefined)[], opts: Record<string, unknown>): Input {
  const input: Input = { args: {}, flags: {}, params: {} as Input['params'] };
  const action = def.action ? ACTION_SPECS[def.action] : undefined;
  (def.args ?? []).forEach((a, i) => {
    const v = positional[i];
    input.args[camel(a.name)] = v;
    if (a.param && v !== undefined) {
      const spec = action?.params.find((p) => p.name === a.param);
      // an instance's name is checked by its look-up (instance-ref.ts), not by the id's rule
      const why = typeof v === 'string' && v.trim() === '' ? 'must not be empty' : spec && !isInstanceName(a.param, v) ? checkParamValue(spec, v) : undefined;
      if (why) throw new UsageError(`<${a.name}> ${why}`);
      input.params[a.param] = v;
    }
  });
  const missing: string[] = [];
  for (const f of flags) {
    let raw = opts[f.key];
    for (const alias of f.aliases ?? []) if (raw === undefined || raw === f.default) raw = opts[camel(alias)] ?? raw;
    if (raw === undefined) {
      if (f.required) missing.push(`--${f.name}`);
      continue;
    }
    const value = coerce(f, raw);
    input.flags[f.key] = value;
    if (f.param) {
      const wire = toWire(f, raw, value);
      // the model's rules (ranges, enums, lengths, JSON shapes), named by the flag: nothing is sent.
      // A flag of its own type (a time, a file) is turned into the wire value by its command, and
      // that value is checked when it is sent.
      const why = f.spec && !Array.isArray(wire) && ownKind(f) && !isInstanceName(f.param, wire) ? checkParamValue(f.spec, wire) : undefined;
      if (why) throw new UsageError(`--${f.name} ${why}`);
      input.params[f.param] = wire;
    }
  }
  if (missing.length) throw new UsageError(`missing required ${missing.length > 1 ? 'options' : 'option'} ${missing.join(', ')}`);
  return input;
}

const INSTANCE_NAME = ACTION_SPECS.CreateInstance.params.find((p) => p.name === 'Name');

/**
 * A value of InstanceId that is a name to look up rather than an id to check: not shaped like an
 * id, and within a name's rules (what is neither is refused by the id's rule, nothing sent).
 */
function isInstanceName(param: string, value: unknown): boolean {
  if (param !== 'InstanceId' || typeof value !== 'string' || value.trim() === '' || isInstanceIdShaped(value)) return false;
  return INSTANCE_NAME === undefined || checkParamValue(INSTANCE_NAME, value) === undefined;
}

/**
 * The arguments and flags that name an instance of this profile: those of InstanceId, an argument
 * called <instance-id>, and a flag marked `instanceRef` (`dialogue test --instance`; `emulator seed
 * --instance` names another profile's and looks its names up itself).
 */
function namesInstance(x: { name: string; param?: string; instanceRef?: boolean }, flag: boolean): boolean {
  return x.param === 'InstanceId' || (flag ? x.instanceRef === true : x.name === 'instance-id');
}

/**
 * Turns each instance name among the arguments and flags into its id (src/commands/instance-ref.ts):
 * a read sent before the command's own request, also under --dry-run. Ids pass untouched, and
 * nothing is looked up when every value is shaped like an id.
 */
export async function resolveInstanceNames(ctx: Context, def: CommandDef, flags: ResolvedFlag[], input: Input): Promise<void> {
  const slots: { key: string; param?: string; bag: Record<string, unknown>; what: string }[] = [
    ...(def.args ?? []).filter((a) => namesInstance(a, false)).map((a) => ({ key: camel(a.name), param: a.param, bag: input.args, what: `<${a.name}>` })),
    ...flags.filter((f) => namesInstance(f, true)).map((f) => ({ key: f.key, param: f.param, bag: input.flags, what: `--${f.name}` })),
  ];
  const named = (v: unknown): v is string => isInstanceName('InstanceId', v);
  if (!slots.some((s) => [s.bag[s.key]].flat().some(named))) return;
  const { resolveInstanceRef } = await import('./instance-ref.js');
  const api = ctx.caller({ dryRun: false });
  for (const s of slots) {
    const v = s.bag[s.key];
    const resolved = Array.isArray(v)
      ? await Promise.all(v.map((x) => (named(x) ? resolveInstanceRef(api, x, s.what) : x)))
      : named(v)
        ? await resolveInstanceRef(api, v, s.what)
        : v;
    (s.bag as Record<string, unknown>)[s.key] = resolved;
    if (s.param && resolved !== undefined) input.params[s.param] = resolved;
  }
}

function coerce(f: ResolvedFlag, raw: unknown): unknown {
  if (f.kind === 'bool' || typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) return raw.map((r) => coerce({ ...f, repeatable: false }, r));
  const s = f.choices ? matchChoice(f.name, f.choices, String(raw)) : String(raw);
  switch (f.kind) {
    case 'int': {
      if (!/^\s*[-+]?\d+\s*$/.test(s)) throw new UsageError(`--${f.name} must be an integer, got "${s}"`);
      const n = Number(s);
      if (!Number.isSafeInteger(n)) throw new UsageError(`--${f.name} is out of range: ${s}`);
      return n;
    }
    case 'json':
      try {
        return JSON.parse(s);
      } catch (e) {
        throw new UsageError(`--${f.name} must be valid JSON: ${(e as Error).message}`);
      }
    case 'list':
      return s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    default:
      return s;
  }
}

/** The flag's value is the parameter's own: its kind comes from the catalog, or it is a number or JSON in a string. */
function ownKind(f: ResolvedFlag): boolean {
  return f.type === undefined || (f.type === 'int' && f.spec?.rules?.integerString === true) || (f.type === 'json' && f.spec?.type === 'string');
}

function toWire(f: ResolvedFlag, raw: unknown, value: unknown): unknown {
  if (f.kind === 'json') return String(raw);
  if (f.kind === 'bool') return value ? 'true' : 'false';
  return value;
}
