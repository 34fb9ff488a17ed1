import { NetworkError, UsageError, VnError } from '../../errors.js';
import { defineCommand } from '../define.js';

/** Some conversation did not pass: exit 1 with a one-line summary (the report is already out). */
export class TestsFailed extends VnError {
  override readonly exitCode = 1;
  override name = 'TestsFailed';
}

function positiveInt(v: unknown, flag: string): number {
  if (typeof v !== 'number' || v < 1) throw new UsageError(`--${flag} must be 1 or more`);
  return v;
}

export default defineCommand({
  description:
    'Runs the conversations of YAML test files (format: docs/testing.md, schema: schema/dialogue-test.schema.json) through ' +
    'the Debug* dialogue actions (or the live ones with --env live), checking each answer, and reports what failed, the ' +
    'latency per turn and the turns per second. Every file is validated before anything is sent. Exit 0 when all pass, ' +
    '1 when any fails, 2 on an invalid file, 3 when the service cannot be reached.',
  args: [{ name: 'paths', variadic: true, description: 'test files, directories (their *.test.yaml files) or globs' }],
  flags: [
    { name: 'instance', description: 'instance to test (wins over the files’ `instance:`; also VN_INSTANCE)', valueName: 'id' },
    { name: 'env', choices: ['debug', 'live'], valueName: 'env', description: 'debug (Debug* actions, the default) or live; wins over the files’ `env:`' },
    { name: 'concurrency', type: 'int', default: 1, valueName: 'n', description: 'conversations run in parallel' },
    { name: 'repeat', type: 'int', default: 1, valueName: 'n', description: 'run each conversation n times (flakiness, load)' },
    { name: 'grep', valueName: 'pattern', description: 'only conversations whose name matches this regular expression' },
    { name: 'bail', type: 'bool', description: 'start no new conversation after the first one that does not pass' },
    { name: 'timeout', type: 'int', valueName: 'ms', description: 'per-turn timeout in ms; a turn without an answer by then counts as timed out' },
    { name: 'reporter', choices: ['pretty', 'junit', 'json'], default: 'pretty', valueName: 'name', description: 'report format' },
    { name: 'report-file', valueName: 'file', complete: 'file', description: 'write the report to this file (the pretty summary still goes to stdout)' },
    { name: 'update', type: 'bool', description: 'rewrite the expectations of failing turns from the actual answers' },
    { name: 'coverage', type: 'bool', description: 'report which navigation-config paths, actions and transfer targets the suite reached' },
    { name: 'progress', type: 'bool', description: 'show a progress line on stderr (default on a terminal)' },
  ],
  examples: [
    'vn --profile local dialogue test examples/',
    'vn dialogue test tests/*.test.yaml --instance 3f6e… --concurrency 8 --reporter junit --report-file junit.xml',
    'vn dialogue test bot.test.yaml --repeat 20 --concurrency 10   # flakiness and load',
    'vn dialogue test bot.test.yaml --coverage',
  ],
  async run(ctx, { args, flags }) {
    const concurrency = positiveInt(flags.concurrency, 'concurrency');
    const repeat = positiveInt(flags.repeat, 'repeat');
    let grep: RegExp | undefined;
    if (flags.grep !== undefined) {
      try {
        grep = new RegExp(flags.grep as string);
      } catch (e) {
        throw new UsageError(`--grep is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    if (flags.timeout !== undefined) {
      positiveInt(flags.timeout, 'timeout');
      // the client is built on first use, so the per-turn timeout becomes its request timeout
      ctx.globals.timeout = (flags.timeout as number) / 1000;
    }
    const timeoutMs = ctx.globals.timeout * 1000;

    const { readFile } = await import('node:fs/promises');
    const { expandTestPaths } = await import('../../dialogue/test/files.js');
    const { parseTestFile, TestFileError } = await import('../../dialogue/test/parse.js');
    const paths = await expandTestPaths(args.paths as string[]);
    // every file is read and validated before anything is sent
    const files = [];
    const issues = [];
    for (const path of paths) {
      try {
        files.push(await parseTestFile(path, await readFile(path, 'utf8')));
      } catch (e) {
        if (e instanceof TestFileError) issues.push(...e.issues);
        else throw e;
      }
    }
    if (issues.length) throw new TestFileError(issues);
    const { resolveInstances, runSuites } = await import('../../dialogue/test/runner.js');
    const instance = (flags.instance as string | undefined) || ctx.env.VN_INSTANCE || undefined;
    resolveInstances(files, instance);
    if (grep && !files.some((f) => f.conversations.some((c) => grep.test(c.name)))) throw new UsageError(`--grep ${grep.source} matches no conversation`);
    if (ctx.globals.dryRun) {
      // nothing is sent, so there is no answer to check: --dry-run validates the files only
      const count = files.reduce((n, f) => n + f.conversations.filter((c) => !grep || grep.test(c.name)).length, 0);
      ctx.out(
        `${files.length} test file${files.length === 1 ? '' : 's'} valid, ${count} conversation${count === 1 ? '' : 's'} selected (--dry-run: nothing sent)`,
      );
      return undefined;
    }

    const { Chalk } = await import('chalk');
    const { PrettyReporter } = await import('../../dialogue/test/reporters/pretty.js');
    const reporterName = flags.reporter as 'pretty' | 'junit' | 'json';
    const reportFile = flags.reportFile as string | undefined;
    // through the one redaction filter; the reporters draw their own progress line
    const stdout = { write: (s: string) => ctx.write('stdout', s, { drawsOwnControls: true }) };
    const stderr = { write: (s: string) => ctx.write('stderr', s, { drawsOwnControls: true }) };
    const reporters = [];
    let prettyToFile: string[] | undefined;
    if (reporterName === 'pretty') {
      if (reportFile) {
        prettyToFile = [];
        const buffer = prettyToFile;
        reporters.push(new PrettyReporter({ write: (s) => buffer.push(s) }, new Chalk({ level: 0 }), { repeat }));
      }
      reporters.push(new PrettyReporter(stdout, new Chalk({ level: ctx.colorFor('stdout') ? 1 : 0 }), { repeat }));
    } else {
      const { tmpdir } = await import('node:os');
      const machine =
        reporterName === 'junit'
          ? new (await import('../../dialogue/test/reporters/junit.js')).JunitReporter(stdout, reportFile, { repeat, scratchDir: tmpdir() })
          : new (await import('../../dialogue/test/reporters/json.js')).JsonReporter(stdout, reportFile);
      reporters.push(machine);
      // the machine-readable report owns stdout when it goes there; the summary then goes to stderr
      const human = reportFile ? stdout : stderr;
      reporters.push(
        new PrettyReporter(human, new Chalk({ level: ctx.colorFor(reportFile ? 'stdout' : 'stderr') ? 1 : 0 }), { repeat, quietPasses: !reportFile }),
      );
    }
    if (flags.progress === true || ctx.io.stderrIsTTY) {
      const { ProgressReporter } = await import('../../dialogue/test/reporters/progress.js');
      const progress = new ProgressReporter(stderr, ctx.io.stderrIsTTY);
      // cleared before the other reporters write a result, redrawn after them
      reporters.unshift({ start() {}, conversation: () => progress.clear(), end: () => progress.clear() });
      reporters.push(progress);
    }

    const { ExpectationUpdater, isUpdatable } = await import('../../dialogue/test/update.js');
    const updater = flags.update === true ? new ExpectationUpdater() : undefined;
    // conversations that --update cannot fix (errors, latency, save patterns, file defaults)
    let notFixed = 0;
    reporters.push({
      start() {},
      end() {},
      conversation(r) {
        if (r.outcome === 'passed') return;
        if (r.outcome !== 'failed' || r.error || r.failures.some((f) => f.mismatches.some((m) => !isUpdatable(f, m)))) notFixed++;
      },
    } satisfies import('../../dialogue/test/runner.js').Reporter);

    const summary = await runSuites(files, {
      client: await ctx.client(),
      instance,
      env: flags.env as 'debug' | 'live' | undefined,
      concurrency,
      repeat,
      grep,
      bail: flags.bail === true,
      timeoutMs,
      coverage: flags.coverage === true,
      reporters,
      onFailedTurn: updater ? (file, conversation, failure) => updater.record(file.path, conversation.index, failure) : undefined,
    });
    if (prettyToFile && reportFile) {
      const { writeFileAtomic } = await import('../../dialogue/test/reporters/file.js');
      await writeFileAtomic(reportFile, prettyToFile.join(''));
    }
    if (summary.unreachable) throw new NetworkError(`the service could not be reached: ${summary.unreachable}`, false);
    const notPassed = summary.failed + summary.errored + summary.timedOut;
    if (updater && updater.count > 0) {
      const updated = await updater.apply();
      ctx.err(`updated ${updated.map((u) => `${u.turns} turn${u.turns > 1 ? 's' : ''} in ${u.file}`).join(', ')}`);
      if (notFixed === 0) return undefined;
    }
    if (notPassed > 0) {
      const parts = [`${summary.failed} failed`, `${summary.errored} errored`, `${summary.timedOut} timed out`].filter((p) => !p.startsWith('0 '));
      throw new TestsFailed(`${notPassed} of ${summary.conversations} conversations did not pass (${parts.join(', ')})`);
    }
    return undefined;
  },
});
