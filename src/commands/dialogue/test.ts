import { describeCheck } from '../../dialogue/suite/coverage-gate.js';
import { CoverageUnmet, NetworkError, TestsFailed, UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import type { HandlerContext } from '../handler-context.js';
import { abortReporters, buildReporters, checkReportTargets, parseReporterSpecs, REPORTER_FLAGS } from './reporters.js';

function positiveInt(v: unknown, flag: string, min = 1): number {
  if (typeof v !== 'number' || v < min) throw new UsageError(`--${flag} must be ${min} or more`);
  return v;
}

export default defineCommand({
  description:
    'Runs the conversations of YAML test files (format: docs/testing.md, schema: schema/dialogue-test.schema.json) through ' +
    'the Debug* dialogue actions (or the live ones with --env live), checking each answer, and reports what failed, the ' +
    'latency per turn and the turns per second. Every file is validated before anything is sent. --shard i/n runs one part ' +
    'of the suite (merge the parts with vn dialogue merge). Exit 0 when all pass (flaky ones included), 1 when any fails or ' +
    'the latency gate fails, 2 on an invalid file, 3 when the service cannot be reached, 9 when all pass but --min-coverage is unmet.',
  args: [{ name: 'paths', variadic: true, complete: 'test-file', description: 'test files, directories (their *.test.yaml files) or globs' }],
  flags: [
    {
      name: 'instance',
      instanceRef: true,
      description: 'instance to test, by id or name (wins over the files’ `instance:`; also VN_INSTANCE)',
      valueName: 'id',
    },
    { name: 'env', choices: ['debug', 'live'], valueName: 'env', description: 'debug (Debug* actions, the default) or live; wins over the files’ `env:`' },
    { name: 'concurrency', type: 'int', default: 1, valueName: 'n', description: 'conversations run in parallel' },
    { name: 'repeat', type: 'int', default: 1, valueName: 'n', description: 'run each conversation n times (flakiness, load)' },
    {
      name: 'retries',
      type: 'int',
      default: 0,
      valueName: 'n',
      description: 'run a conversation that does not pass again, up to n times; passing on a retry is flaky',
    },
    { name: 'grep', valueName: 'pattern', description: 'only conversations whose name matches this regular expression' },
    { name: 'tag', repeatable: true, valueName: 'tag', description: 'only conversations with this tag (repeatable: any of them); !tag leaves them out' },
    { name: 'shard', valueName: 'i/n', description: 'run part i of n (CI matrix jobs), balanced by turn count' },
    { name: 'last-failed', type: 'bool', description: 'run only the conversations that did not pass in the last run of these files' },
    { name: 'list', type: 'bool', description: 'print the conversations that would run, and send nothing' },
    { name: 'bail', type: 'bool', description: 'start no new conversation after the first one that does not pass' },
    { name: 'timeout', type: 'int', valueName: 'ms', description: 'per-turn timeout in ms; a turn without an answer by then counts as timed out' },
    { name: 'max-p95', type: 'int', valueName: 'ms', description: 'fail the run when the turns’ latency p95 exceeds this many ms' },
    ...REPORTER_FLAGS,
    { name: 'update', type: 'bool', description: 'rewrite the expectations of failing turns from the actual answers' },
    {
      name: 'coverage',
      type: 'bool',
      description: 'report which navigation-config paths, actions and transfer targets the suite reached (with a chatbot model: intents, DTMF entries)',
    },
    {
      name: 'min-coverage',
      valueName: 'spec',
      description: 'fail (exit 9) when coverage is below PERCENT overall, or per kind: paths=100,intents=80,dtmf=50,transfers=100 (implies --coverage)',
    },
    {
      name: 'chatbots',
      valueName: 'file',
      complete: 'file',
      description: 'the chatbot model for coverage: an emulator chatbots file, or "demo" (the built-in bot); the local profile’s bots by default',
    },
    { name: 'progress', type: 'bool', description: 'show a progress line on stderr (default on a terminal)' },
  ],
  examples: [
    'vn --profile local dialogue test examples/',
    'vn dialogue test tests/ --instance 3f6e… --concurrency 8 --reporter pretty --reporter junit=junit.xml --reporter html=report.html',
    'vn dialogue test tests/ --shard 2/3 --reporter json=shard-2.json   # then: vn dialogue merge shard-*.json',
    'vn dialogue test bot.test.yaml --retries 2 --tag smoke --max-p95 800',
    'vn dialogue test bot.test.yaml --repeat 20 --concurrency 10   # flakiness and load',
    'vn dialogue test bot.test.yaml --coverage',
  ],
  async run(ctx, { args, flags }) {
    const concurrency = positiveInt(flags.concurrency, 'concurrency');
    const repeat = positiveInt(flags.repeat, 'repeat');
    const retries = positiveInt(flags.retries, 'retries', 0);
    let grep: RegExp | undefined;
    if (flags.grep !== undefined) {
      try {
        grep = new RegExp(flags.grep as string);
      } catch (e) {
        throw new UsageError(`--grep is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    // the per-turn timeout is this command's policy: its client's request timeout (an argument, not a global)
    const timeoutMs = flags.timeout === undefined ? ctx.globals.timeout * 1000 : positiveInt(flags.timeout, 'timeout');
    const maxP95Ms = flags.maxP95 === undefined ? undefined : positiveInt(flags.maxP95, 'max-p95');
    if (flags.update === true && retries > 0)
      throw new UsageError('--update rewrites what failed; with --retries a conversation may pass on a retry: use one or the other');
    const { parseShard, parseTags, selectConversations, shardOf, LastRunState } = await import('../../dialogue/suite/select.js');
    const tagValues = flags.tag === undefined ? [] : ([] as string[]).concat(flags.tag as string | string[]);
    const tags = tagValues.length ? parseTags(tagValues) : undefined;
    const shard = flags.shard === undefined ? undefined : parseShard(String(flags.shard));
    const specs = flags.list === true ? [] : parseReporterSpecs(flags.reporter, flags.reportFile as string | undefined);
    await checkReportTargets(specs);
    const { parseMinCoverage, checkMeasurable } = await import('../../dialogue/suite/coverage-gate.js');
    const minCoverage = flags.minCoverage === undefined ? undefined : parseMinCoverage(String(flags.minCoverage));
    const coverage = flags.coverage === true || minCoverage !== undefined;
    // a chatbots file is read (and refused, exit 2) at once; the local profile's bots once the run is sure to start
    let chatbots = coverage && flags.chatbots !== undefined ? await chatbotModel(String(flags.chatbots)) : undefined;

    const { readFile } = await import('node:fs/promises');
    const { expandTestPaths } = await import('../../dialogue/suite/files.js');
    const { parseTestFile, TestFileError } = await import('../../dialogue/suite/parse.js');
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
    const { checkInstances, resolveInstances, runSuites, NOT_PASSED } = await import('../../dialogue/suite/runner.js');
    const instance = (flags.instance as string | undefined) || ctx.env.VN_INSTANCE || undefined;

    let selected = selectConversations(files, { grep, tags });
    if (grep && selected.length === 0 && !tags) throw new UsageError(`--grep ${grep.source} matches no conversation`);
    if (tags && selected.length === 0)
      throw new UsageError(`--tag ${tagValues.join(' --tag ')} matches no conversation${grep ? ` (with --grep ${grep.source})` : ''}`);
    const state = await LastRunState.load(ctx.configDir);
    let lastFailedNote: string | undefined;
    if (flags.lastFailed === true) {
      state.usable();
      if (!state.known(files)) lastFailedNote = 'no earlier run of these files is recorded: running them all';
      else {
        selected = selected.filter((s) => state.failed(s.file, s.conversation));
        if (selected.length === 0) lastFailedNote = NOTHING_FAILED;
      }
    }
    if (shard) selected = shardOf(selected, shard.index, shard.count);

    if (flags.list === true) {
      // nothing is sent: the conversations that would run, one per line (JSON when asked or piped)
      const items = selected.map(({ file, conversation: c }) => ({ file: file.path, name: c.name, tags: c.tags, turns: c.steps.length, line: c.line }));
      if (lastFailedNote) ctx.err(lastFailedNote);
      const format = await ctx.outputFormat();
      if (format !== 'table' && format !== 'tsv') return { data: { Conversations: items } };
      for (const i of items) ctx.out(`${i.file}:${i.line}\t${i.name}${i.tags.length ? `\t${i.tags.map((t) => `@${t}`).join(' ')}` : ''}`);
      ctx.err(`${items.length} conversation${items.length === 1 ? '' : 's'}${shard ? ` in shard ${shard.index}/${shard.count}` : ''}`);
      return undefined;
    }
    if (lastFailedNote === NOTHING_FAILED) {
      // no run, so no reports and no latency summary of nothing: one line, exit 0 (the record stays)
      ctx.err(NOTHING_FAILED);
      return undefined;
    }
    const instanceIds = resolveInstances(
      files.filter((f) => selected.some((s) => s.file === f)),
      instance,
    );
    if (coverage && !chatbots) chatbots = await localChatbots(ctx);
    // a threshold on what vn cannot see is refused before anything is sent (and by --dry-run)
    if (minCoverage) checkMeasurable(minCoverage, chatbots !== undefined);
    if (ctx.globals.dryRun) {
      // nothing is sent, so there is no answer to check: --dry-run validates the files only
      ctx.out(
        `${files.length} test file${files.length === 1 ? '' : 's'} valid, ${selected.length} conversation${selected.length === 1 ? '' : 's'} selected (--dry-run: nothing sent)`,
      );
      return undefined;
    }
    if (lastFailedNote) ctx.err(lastFailedNote);

    // each instance is checked once before anything runs: a typo is one error, not one per conversation
    const client = await ctx.client({ timeoutMs });
    // (on the global timeout: --timeout is the turns' limit, and a check is no turn)
    const checked = await checkInstances(await ctx.client(), [...new Set(instanceIds.values())], (t) => ctx.err(t));
    const target = { profile: await profileLabel(ctx), endpoint: shownEndpoint(client.options.endpoint), instances: checked };

    const { reporters } = await buildReporters(ctx, specs, { repeat, progress: flags.progress === true || ctx.io.stderrIsTTY });
    const { ExpectationUpdater } = await import('../../dialogue/suite/update.js');
    const updater = flags.update === true ? new ExpectationUpdater() : undefined;
    // what ran and whether every run of it passed, for --last-failed next time (one entry per conversation)
    const ran = new Map<string, { file: string; name: string; passed: boolean }>();
    reporters.push({
      start() {},
      end() {},
      conversation(r) {
        const key = `${r.file}\0${r.name}`;
        const passed = !NOT_PASSED.has(r.outcome) && r.outcome !== 'updated' && (ran.get(key)?.passed ?? true);
        ran.set(key, { file: r.file, name: r.name, passed });
      },
    });

    let summary: import('../../dialogue/suite/summary.js').Summary;
    try {
      summary = await runSuites(files, selected, {
        client,
        target,
        instance,
        env: flags.env as 'debug' | 'live' | undefined,
        concurrency,
        repeat,
        retries,
        bail: flags.bail === true,
        timeoutMs,
        coverage,
        ...(chatbots ? { chatbots } : {}),
        ...(minCoverage ? { minCoverage } : {}),
        maxP95Ms,
        update: flags.update === true,
        shard,
        reporters,
        onFailedTurn: updater ? (file, conversation, step, failure) => updater.record(file.path, conversation.index, step, failure) : undefined,
      });
    } finally {
      // a report that failed half way, or a run that stopped, leaves no temp or spool file behind
      await abortReporters(reporters);
    }
    await state.save([...ran.values()], ctx.now()).catch((e: Error) => ctx.err(`warning: could not record this run for --last-failed: ${e.message}`));
    if (summary.unreachable) throw new NetworkError(`the service could not be reached: ${summary.unreachable}`, false);
    if (updater && updater.count > 0) {
      const updated = await updater.apply();
      ctx.err(`updated ${updated.map((u) => `${u.turns} turn${u.turns > 1 ? 's' : ''} in ${u.file}`).join(', ')}`);
    }
    return exitFor(summary);
  },
});

type ChatbotModel = import('../../dialogue/suite/coverage.js').ChatbotModel;

/**
 * `--chatbots`: the chatbot model coverage reads intents and DTMF entries from, an emulator
 * chatbots file or `demo` (the built-in bot); a file that cannot be used is exit 2, one line per problem.
 */
async function chatbotModel(value: string): Promise<ChatbotModel> {
  return value === 'demo' ? demoModel() : readChatbotsFile(value);
}

async function demoModel(): Promise<ChatbotModel> {
  const { demoChatbot } = await import('../../emulator/chatbots/demo.js');
  return { bots: [demoChatbot()], source: 'built-in' };
}

async function readChatbotsFile(file: string): Promise<ChatbotModel> {
  const { loadChatbotFile } = await import('../../emulator/chatbots/load.js');
  const { ChatbotFileError } = await import('../../emulator/chatbots/model.js');
  try {
    return loadChatbotFile(file);
  } catch (e) {
    if (!(e instanceof ChatbotFileError)) throw e;
    const err = new UsageError(e.message);
    err.lines = e.lines;
    throw err;
  }
}

/** Without --chatbots: on the local profile, the embedded emulator's own bots (VN_LOCAL_CHATBOTS or the demo); against the service, none (its bots cannot be read). */
async function localChatbots(ctx: HandlerContext): Promise<ChatbotModel | undefined> {
  if ((await ctx.profile()).source !== 'local') return undefined;
  const file = ctx.env.VN_LOCAL_CHATBOTS;
  return file ? readChatbotsFile(file) : demoModel();
}

/** The profile as the header names it: `local (the embedded emulator)` for the local one. */
async function profileLabel(ctx: HandlerContext): Promise<string> {
  const p = await ctx.profile();
  return p.source === 'local' ? `${p.name} (the embedded emulator)` : p.name;
}

/** The endpoint without any user info a URL may carry. */
function shownEndpoint(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return endpoint;
  }
}

/** What `--last-failed` says when the last run of the files had no failures. */
const NOTHING_FAILED = 'nothing to run: the last run of these files had no failures';

/**
 * Throws TestsFailed (exit 1) unless every conversation passed (flaky and updated ones count) and the latency gate held;
 * then CoverageUnmet (exit 9) when --min-coverage is not met.
 */
export function exitFor(summary: import('../../dialogue/suite/summary.js').Summary): undefined {
  const notPassed = summary.failed + summary.errored + summary.timedOut;
  const reasons: string[] = [];
  if (notPassed > 0) {
    const parts = [`${summary.failed} failed`, `${summary.errored} errored`, `${summary.timedOut} timed out`].filter((p) => !p.startsWith('0 '));
    reasons.push(`${notPassed} of ${summary.conversations} conversations did not pass (${parts.join(', ')})`);
  }
  const g = summary.latencyGate;
  if (g && !g.passed) reasons.push(`turn latency p95 ${g.p95Ms} ms exceeds --max-p95 ${g.maxP95Ms} ms`);
  const cg = summary.coverageGate;
  const unmet =
    cg && !cg.passed
      ? `coverage below --min-coverage: ${cg.checks
          .filter((c) => !c.passed)
          .map(describeCheck)
          .join(', ')}`
      : undefined;
  // a failing test is the worse news: exit 1 (the coverage shortfall is named too); else 9
  if (reasons.length) throw new TestsFailed([...reasons, ...(unmet && !summary.shard ? [unmet] : [])].join('; '));
  // a shard covers a part of the suite: it records the threshold, and `vn dialogue merge` checks it on the whole
  if (unmet && !summary.shard) throw new CoverageUnmet(unmet);
  return undefined;
}
