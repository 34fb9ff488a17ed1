import type { Command } from 'commander';
import type { CommandDef } from './commands/define.js';
import { GLOBAL_FLAGS, parseGlobalFlags, valueTakingGlobals } from './commands/globals.js';
import { GROUPS, type GroupEntry, lookup, TOP_VERBS, type VerbEntry } from './commands/registry.js';
import type { Context, GlobalOptions } from './context.js';
import { DifferencesFound, DryRunDone, ServiceError, UsageError, VnError } from './errors.js';
import { HELP_FLAG, helpWidth, PROGRAM_DESCRIPTION, PROGRAM_EXAMPLES, VERSION_FLAG } from './help.js';
import { FORMATS } from './output/formats/index.js';
import { similarCommands } from './suggest.js';
import { VERSION } from './version.js';

/** Parses and runs one command line; returns the exit code. Loaded by cli.ts once it knows it needs it. */
export async function runProgram(argv: string[], ctx: Context): Promise<number> {
  let code = 0;
  try {
    // the selected command's definition and commander load side by side
    const selected = loadSelected(argv, ctx);
    const commander = await import('commander');
    const early: Record<string, string | boolean> = {};
    const program = buildProgram(commander, ctx, commandWords(argv), early);
    const shadowed = await attachSelected(program, argv, ctx, commander, selected);
    await program.parseAsync(takeEarlyGlobals(argv, shadowed, early), { from: 'user' });
  } catch (err) {
    code = await reportError(err, ctx);
  } finally {
    try {
      await ctx.dispose();
    } catch {
      /* closing is best effort */
    }
  }
  return code;
}

function buildProgram(commander: typeof import('commander'), ctx: Context, words: string[], early: Record<string, string | boolean>): Command {
  const program = new (vnCommand(commander))('vn');
  program
    .description(PROGRAM_DESCRIPTION)
    .version(VERSION, VERSION_FLAG.flags, VERSION_FLAG.description)
    .helpOption(HELP_FLAG.flags, HELP_FLAG.description)
    .configureHelp({ sortSubcommands: false })
    .exitOverride();
  inherit(program, ctx);
  for (const g of GLOBAL_FLAGS) {
    const opt = new commander.Option(g.flags, g.choices ? `${g.description} (one of: ${g.choices.join(', ')})` : g.description);
    // fixed values are checked by parseGlobalFlags: in any case, with a suggestion (commander's choices are case-sensitive)
    program.addOption(opt);
  }
  program.hook('preAction', async () => {
    ctx.globals = await parseGlobals({ ...program.opts(), ...early }, ctx);
  });
  // only the group named on the command line gets its verbs: `vn --help` lists groups, and building
  // every verb's Command would cost start-up time for nothing
  const named = words[0] === 'help' ? words[1] : words[0];
  for (const group of GROUPS) addGroupStub(program, group, ctx, group.name === named);
  for (const verb of TOP_VERBS) addVerbStub(program, verb, ctx);
  program.addHelpText('after', PROGRAM_EXAMPLES);
  return program;
}

/**
 * commander's Command, with an unknown command's "Did you mean" naming each command once by its
 * canonical name: commander's own lists an alias beside its command (`list, ls`).
 */
function vnCommand(commander: typeof import('commander')): typeof Command {
  class VnCommand extends commander.Command {
    override createCommand(name?: string): Command {
      return new VnCommand(name);
    }

    /** Called by commander for a word that names no subcommand (not in its typings, hence no `override`). */
    unknownCommand(): never {
      const word = this.args[0] ?? '';
      const near = similarCommands(
        word,
        this.createHelp()
          .visibleCommands(this)
          .map((c) => ({ name: c.name(), aliases: c.aliases() })),
      );
      const hint = near.length === 0 ? '' : `\n(Did you mean ${near.length > 1 ? 'one of ' : ''}${near.join(', ')}?)`;
      this.error(`error: unknown command '${word}'${hint}`, { code: 'commander.unknownCommand' });
    }
  }
  return VnCommand;
}

function addGroupStub(parent: Command, group: GroupEntry, ctx: Context, withVerbs = true): Command {
  const cmd = parent.command(group.name).description(group.summary);
  inherit(cmd, ctx);
  cmd.addHelpText('after', GLOBAL_OPTIONS_HINT);
  if (!withVerbs) return cmd;
  for (const sub of group.groups ?? []) addGroupStub(cmd, sub, ctx);
  for (const v of group.verbs) addVerbStub(cmd, v, ctx);
  return cmd;
}

function addVerbStub(parent: Command, verb: VerbEntry, ctx: Context): Command {
  const cmd = parent.command(verb.name).description(verb.summary);
  for (const a of verb.aliases ?? []) cmd.alias(a);
  inherit(cmd, ctx);
  return cmd;
}

function inherit(cmd: Command, ctx: Context): void {
  cmd.exitOverride().configureOutput({
    writeOut: (s) => ctx.write('stdout', s),
    writeErr: (s) => ctx.write('stderr', s),
    // the context's streams decide the width (tests use in-memory ones), by commander's rule
    getOutHelpWidth: () => helpWidth(ctx.io.stdoutIsTTY, ctx.io.columns),
    getErrHelpWidth: () => helpWidth(ctx.io.stderrIsTTY, ctx.io.columns),
    // bad usage is one line: commander's message and its "Did you mean" joined, then the hint
    outputError: (str, write) => write(`${str.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
  });
  // the global options are listed once, by `vn --help`; a command's help points there
  cmd.configureHelp({ showGlobalOptions: false });
}

/** The global options are listed once, by `vn --help`; every other help points there. */
const GLOBAL_OPTIONS_HINT = '\nGlobal options (--profile, --output, --query, --dry-run, --debug, …): see vn --help';

interface Selected {
  path: string[];
  target: VerbEntry;
  /** The definition and the builder, loading. */
  loading: Promise<[CommandDef, typeof import('./commands/build.js')]>;
}

/**
 * Starts loading only the handler named on the command line, so start-up stays light; an API
 * command also starts loading what its call goes through (Context.prepareCall).
 */
function loadSelected(argv: string[], ctx: Context): Selected | undefined {
  const words = commandWords(argv);
  const { group, verb, path } = lookup(words[0] === 'help' ? words.slice(1) : words);
  let target: VerbEntry | undefined = verb;
  if (!verb && !(group?.default && path.length === words.filter((w) => w !== 'help').length)) return undefined;
  if (!verb) target = group?.default;
  if (!target) return undefined;
  const def = target.load().then(({ default: d }) => {
    if (d.action && !words.includes('help') && !argv.some((a) => a === '--help' || a === '-h')) ctx.prepareCall();
    return d;
  });
  const loading = Promise.all([def, import('./commands/build.js')]);
  loading.catch(() => undefined); // awaited (and reported) by attachSelected
  return { path, target, loading };
}

/** Attaches the selected command's definition; returns the global flags its own flags shadow. */
async function attachSelected(
  program: Command,
  argv: string[],
  ctx: Context,
  commander: typeof import('commander'),
  selected: Selected | undefined,
): Promise<Set<string>> {
  if (!selected) return new Set();
  const words = commandWords(argv);
  const { path, target } = selected;
  const cmd = findCommand(program, path);
  if (!cmd) return new Set();
  const [def, { buildVerb }] = await selected.loading;
  buildVerb(cmd, def, ctx, commander, { summary: target.summary, commands: { groups: GROUPS, topVerbs: TOP_VERBS } });
  const extra = def.helpAfter?.(words.filter((w) => w !== 'help').slice(path.length));
  if (extra) cmd.addHelpText('after', extra);
  cmd.addHelpText('after', GLOBAL_OPTIONS_HINT);
  // A command's own flag shadows a global flag of the same name after the command (`ivr
  // set-silence-timeout --timeout` and `dialogue test --timeout` are not the request timeout);
  // commander would otherwise let the program take it wherever it stands. Before the command it
  // stays the global flag (takeEarlyGlobals).
  const own = new Set(cmd.options.map((o) => o.long).filter((l): l is string => Boolean(l)));
  const mutable = program as unknown as { options: import('commander').Option[] };
  const taken = mutable.options.filter((o) => o.long && own.has(o.long));
  const shadowed = new Set(taken.map((o) => o.long as string));
  mutable.options = mutable.options.filter((o) => !(o.long && shadowed.has(o.long)));
  // a short spelling before the command (`vn -o json instance export …`) is the global flag too
  for (const o of taken) if (o.short) shadowed.add(o.short);
  return shadowed;
}

/**
 * Takes shadowed global flags that stand before the command words out of argv (into `early`, by
 * attribute name), so `vn --timeout 5 dialogue test …` still sets the request timeout.
 */
function takeEarlyGlobals(argv: string[], shadowed: Set<string>, early: Record<string, string | boolean>): string[] {
  if (shadowed.size === 0) return argv;
  const takes = valueTakingGlobals();
  const out: string[] = [];
  let beforeCommand = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (beforeCommand && !a.startsWith('-')) beforeCommand = false;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (beforeCommand && shadowed.has(flag)) {
      const key = GLOBAL_FLAGS.find((g) => g.flags.split(/[, ]+/).includes(flag))?.key ?? flag.replace(/^--/, '');
      // a shadowed switch (`vn --dry-run apply …`) takes no value: the next word is the command
      early[key] = takes.has(flag) ? (inline ?? (argv[++i] as string)) : true;
      continue;
    }
    if (beforeCommand && takes.has(flag) && inline === undefined) {
      out.push(a, argv[++i] as string);
      continue;
    }
    out.push(a);
  }
  return out;
}

function findCommand(program: Command, path: string[]): Command | undefined {
  let cur: Command | undefined = program;
  for (const name of path) cur = cur?.commands.find((c) => c.name() === name);
  return cur;
}

/** The positional words before the first verb option (global flags' values skipped). */
export function commandWords(argv: string[]): string[] {
  const takes = valueTakingGlobals();
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 3; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (takes.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  return words;
}

async function parseGlobals(o: Record<string, unknown>, ctx: Context): Promise<GlobalOptions> {
  const g = parseGlobalFlags(o, ctx.env);
  // an empty --endpoint is refused, not read as "unset" (it would send to the public endpoint)
  if (g.endpoint !== undefined) {
    const { normalizeEndpoint } = await import('./config/resolve.js');
    g.endpoint = normalizeEndpoint(g.endpoint);
  }
  if (g.query !== undefined) {
    if (g.output !== undefined && !FORMATS[g.output].acceptsQuery)
      throw new (await import('./errors.js')).UsageError(
        `--query applies to JSON and cannot be used with -o ${g.output} (the raw ${g.output.toUpperCase()} body is printed as it is)`,
      );
    const { checkQuery } = await import('./output/render.js');
    await checkQuery(g.query);
  }
  return g;
}

/**
 * The one error printer: one line on stderr (the message may quote the server, so its control
 * characters are neutralised here and its secrets redacted by ctx.err), and the exit code.
 */
/** Exit 2 is "nothing sent": once a change has been carried out, a usage error is exit 6 instead. */
function afterChanges(ctx: Context): number {
  return ctx.changesCarriedOut().length > 0 ? 6 : 2;
}

async function reportError(err: unknown, ctx: Context): Promise<number> {
  const { CommanderError } = await import('commander');
  if (err instanceof CommanderError) {
    // help asked for, or --version: 0; anything else commander refused (it printed one line): 2
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof DryRunDone) return 0;
  if (err instanceof DifferencesFound) return err.exitCode;
  const { sanitizeLine } = await import('./output/sanitize.js');
  const debug = ctx.globals.debug || ctx.env.VN_DEBUG === '1';
  if (err instanceof VnError) {
    if (err.exitCode === 2 && ctx.changesCarriedOut().length > 0) {
      // exit 2 promises "nothing sent": after a change was made that would invite a blind retry
      const done = [...new Set(ctx.changesCarriedOut())].join(', ');
      const lines = err instanceof UsageError ? err.lines : undefined;
      if (lines?.length) for (const line of lines) ctx.err(sanitizeLine(line));
      const what = lines?.length ? `${lines.length === 1 ? 'the problem' : 'the problems'} above came` : sanitizeLine(err.message);
      ctx.err(`error: ${what} — after ${done} was carried out (exit 6): check before repeating the command`);
    } else if (err instanceof ServiceError) {
      const where = [`HTTP ${err.httpStatus}`, err.requestId ? `RequestId: ${sanitizeLine(err.requestId)}` : undefined].filter(Boolean).join(', ');
      ctx.err(`error: ${sanitizeLine(err.code)}: ${sanitizeLine(err.message) || '(no message)'} (${where})`);
    } else if (err instanceof UsageError && err.lines?.length) {
      // one line per problem, as compilers print them (docs/testing.md, docs/config-as-code.md)
      for (const line of err.lines) ctx.err(sanitizeLine(line));
    } else {
      ctx.err(`error: ${sanitizeLine(err.message)}`);
    }
    if (debug && err.stack) ctx.err(err.stack);
    return err.exitCode === 2 ? afterChanges(ctx) : err.exitCode;
  }
  const e = err as Error;
  ctx.err(`error: ${sanitizeLine(e?.message ?? String(err))}${debug ? '' : ' (run with --debug for details)'}`);
  if (debug && e?.stack) ctx.err(e.stack);
  return 1;
}
