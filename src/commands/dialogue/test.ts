import { describeCheck } from '../../dialogue/suite/coverage-gate.js';
import { CoverageUnmet, NetworkError, TestsFailed, UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import type { HandlerContext } from '../handler-context.js';
import { parseTimeFlag } from '../time.js';
import { type ChatbotModel, chatbotModel, demoModel, readChatbotsFile } from './chatbots.js';
import { MUTATE_FLAGS, mutateFlags, runMutate } from './mutate.js';
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
    'the latency gate fails, 2 on an invalid file, 3 when the service cannot be reached, 9 when all pass but --min-coverage is unmet. ' +
    '--mutate measures the suite instead: it runs it against small changes of an emulator copy of the instance and reports which it notices (exit 10 below --min-mutation-score).',
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
      description:
        'the chatbot model: an emulator chatbots file, or "demo" (the built-in bot) — for coverage (the local profile’s bots by default) and for --mutate’s copy (the demo by default)',
    },
    {
      name: 'traffic',
      valueName: 'time',
      description:
        'weigh coverage by the paths real (live) conversations took since this time (-7d, a date…): the share of calls the suite covers, the top uncovered paths (implies --coverage)',
    },
    { name: 'progress', type: 'bool', description: 'show a progress line on stderr (default on a terminal)' },
    {
      name: 'compare',
      variadic: true,
      valueName: 'a b',
      complete: 'instance',
      description: 'run the conversations on two instances (ids or names; after the files) and report where the answers differ: exit 5',
    },
    { name: 'compare-profile', valueName: 'profile', complete: 'profile', description: 'the profile of --compare’s instance B (default: this one)' },
    {
      name: 'baseline',
      valueName: 'report.json',
      complete: 'file',
      description: 'compare the answers with a JSON report of an earlier run (--reporter json=FILE): exit 5 when they differ',
    },
    ...MUTATE_FLAGS,
  ],
  examples: [
    'vn --profile local dialogue test examples/',
    'vn dialogue test tests/ --instance 3f6e… --concurrency 8 --reporter pretty --reporter junit=junit.xml --reporter html=report.html',
    'vn dialogue test tests/ --shard 2/3 --reporter json=shard-2.json   # then: vn dialogue merge shard-*.json',
    'vn dialogue test bot.test.yaml --retries 2 --tag smoke --max-p95 800',
    'vn dialogue test bot.test.yaml --repeat 20 --concurrency 10   # flakiness and load',
    'vn dialogue test bot.test.yaml --coverage',
    'vn dialogue test bot.test.yaml --instance hotline --mutate --min-mutation-score 0.8   # how good is the suite?',
    'vn dialogue test tests/ --coverage --traffic -7d   # the share of last week’s calls the suite covers',
    'vn dialogue test tests/ --compare staging production --reporter html=diff.html   # exit 5 when an answer differs',
    'vn dialogue test tests/ --baseline before.json',
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
    const trafficFrom = flags.traffic === undefined ? undefined : parseTimeFlag('traffic', String(flags.traffic), ctx.now());
    const specs = flags.list === true ? [] : parseReporterSpecs(flags.reporter, flags.reportFile as string | undefined);
    await checkReportTargets(specs);
    const { checkCompareFlags, runComparison } = await import('./test-compare.js');
    checkCompareFlags(flags, specs);
    const mutate = mutateFlags(flags, specs);
    const { parseMinCoverage, checkMeasurable } = await import('../../dialogue/suite/coverage-gate.js');
    const minCoverage = flags.minCoverage === undefined ? undefined : parseMinCoverage(String(flags.minCoverage));
    const coverage = flags.coverage === true || minCoverage !== undefined;
    // a chatbots file is read (and refused, exit 2) at once; the local profile's bots once the run is sure to start
    let chatbots = coverage && flags.chatbots !== undefined ? await chatbotModel(String(flags.chatbots)) : undefined;

    // every file is read and validated before anything is sent
    const { loadTestFiles } = await import('../../dialogue/suite/files.js');
    const files = await loadTestFiles(args.paths as string[]);
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
    if (flags.compare !== undefined || flags.baseline !== undefined) {
      return runComparison(ctx, {
        files,
        selected,
        compare: flags.compare as string[] | undefined,
        compareProfile: flags.compareProfile as string | undefined,
        baseline: flags.baseline as string | undefined,
        instance,
        env: flags.env as 'debug' | 'live' | undefined,
        concurrency,
        repeat,
        timeoutMs,
        specs,
      });
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
    if (mutate) {
      const ids = new Set(instanceIds.values());
      const env = flags.env as 'debug' | 'live' | undefined;
      return runMutate(ctx, { files, selected, instanceIds: ids, mutate, specs: flags.reporter === undefined ? [] : specs, timeoutMs, concurrency, env });
    }

    // each instance is checked once before anything runs: a typo is one error, not one per conversation
    const client = await ctx.client({ timeoutMs });
    // (on the global timeout: --timeout is the turns' limit, and a check is no turn)
    const checked = await checkInstances(await ctx.client(), [...new Set(instanceIds.values())], (t) => ctx.err(t));
    const target = { profile: await profileLabel(ctx), endpoint: shownEndpoint(client.options.endpoint), instances: checked };

    const { reporters } = await buildReporters(ctx, specs, { repeat, progress: flags.progress === true || ctx.io.stderrIsTTY });
    if (trafficFrom !== undefined) reporters.unshift(await trafficReporter(ctx, trafficFrom, checked, files, instanceIds));
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
        // --min-coverage and --traffic (which weighs coverage) imply it
        coverage: coverage || trafficFrom !== undefined,
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

/** Without --chatbots: on the local profile, the embedded emulator's own bots (VN_LOCAL_CHATBOTS or the demo); against the service, none (its bots cannot be read). */
async function localChatbots(ctx: HandlerContext): Promise<ChatbotModel | undefined> {
  if ((await ctx.profile()).source !== 'local') return undefined;
  const file = ctx.env.VN_LOCAL_CHATBOTS;
  return file ? readChatbotsFile(file) : demoModel();
}

/**
 * --traffic: each instance's ended live conversations since FROM (read now, before the run) and its
 * navigation config; a reporter placed first that collects the paths the suite takes and, at the
 * end, puts the weighted coverage in the summary for the reports after it.
 */
async function trafficReporter(
  ctx: HandlerContext,
  from: number,
  instances: { id: string }[],
  files: import('../../dialogue/suite/format.js').TestFile[],
  instanceIds: Map<import('../../dialogue/suite/format.js').TestFile, string>,
): Promise<import('../../dialogue/suite/runner.js').Reporter> {
  const { readTraffic, DEFAULT_TRAFFIC_LIMIT } = await import('../../dialogue/suite/traffic-read.js');
  const { TrafficCoverageCollector } = await import('../../dialogue/suite/traffic-coverage.js');
  const { DEFAULT_SCRUB_DIGITS } = await import('../../dialogue/suite/traffic-paths.js');
  const client = await ctx.client();
  const traffic = [];
  for (const { id } of instances) {
    const read = await readTraffic(client, { instanceId: id, env: 'live', filters: { BeginTimeLeftRange: from }, limit: DEFAULT_TRAFFIC_LIMIT });
    if (read.truncated) ctx.err(`--traffic: more than ${DEFAULT_TRAFFIC_LIMIT} conversations of ${id}: the newest ${DEFAULT_TRAFFIC_LIMIT} are weighed`);
    const navigation = (await client.call('DescribeNavigationConfig', { InstanceId: id })).data as Record<string, Record<string, unknown> | undefined>;
    traffic.push({ instanceId: id, env: 'live' as const, from, conversations: read.conversations, navigation });
  }
  const byPath = new Map(files.flatMap((f) => (instanceIds.has(f) ? [[f.path, instanceIds.get(f) as string] as const] : [])));
  const collector = new TrafficCoverageCollector(traffic, (file) => byPath.get(file), DEFAULT_SCRUB_DIGITS);
  return {
    start() {},
    conversation: (r) => collector.observe(r),
    end(summary) {
      summary.traffic = collector.report(summary.coverage);
    },
  };
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
