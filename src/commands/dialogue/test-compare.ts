import type { DialogueEnv, TestFile } from '../../dialogue/suite/format.js';
import type { ConversationResult, Selected } from '../../dialogue/suite/runner.js';
import { DifferencesFound, NetworkError, UsageError } from '../../errors.js';
import type { HandlerContext } from '../handler-context.js';
import type { ReporterSpec } from './reporters.js';

/**
 * `vn dialogue test FILES --compare A B` and `--baseline report.json`: the selected conversations
 * run on both sides (or on one, against a report's transcripts), then compared turn by turn
 * (dialogue/suite/compare.ts). Exit 0 when every answer is the same, 5 (DifferencesFound) when not;
 * whether the answers meet the files' expectations does not count here.
 */
export interface CompareOptions {
  files: TestFile[];
  selected: Selected[];
  /** --compare A B (ids or names); B on --compare-profile when given. */
  compare?: string[];
  compareProfile?: string;
  /** --baseline FILE: side A is this JSON report. */
  baseline?: string;
  /** --instance / VN_INSTANCE: side B with --baseline. */
  instance?: string;
  env?: DialogueEnv;
  concurrency: number;
  repeat: number;
  timeoutMs: number;
  specs: ReporterSpec[];
}

/** Checks the flags that go with a differential run before anything is sent. */
export function checkCompareFlags(flags: Record<string, unknown>, specs: ReporterSpec[]): void {
  const compare = flags.compare as string[] | undefined;
  if (compare !== undefined && flags.baseline !== undefined) throw new UsageError('--compare and --baseline do not go together: give one');
  if (compare !== undefined && compare.length !== 2)
    throw new UsageError(`--compare takes two instances, A and B (ids or names), got ${compare.length}; put the test files before --compare`);
  if (flags.compareProfile !== undefined && compare === undefined) throw new UsageError('--compare-profile goes with --compare (it is the profile of B)');
  if (compare === undefined && flags.baseline === undefined) return;
  if (compare !== undefined && flags.instance !== undefined) throw new UsageError('--instance does not go with --compare: the two instances are its arguments');
  for (const f of ['update', 'retries', 'coverage', 'minCoverage', 'traffic', 'mutate', 'shard', 'maxP95', 'bail', 'lastFailed'] as const) {
    const v = flags[f];
    if (v !== undefined && v !== false && !(f === 'retries' && v === 0)) {
      const name = f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      throw new UsageError(`--${name} does not go with ${compare ? '--compare' : '--baseline'}`);
    }
  }
  const other = specs.find((s) => s.name !== 'pretty' && s.name !== 'json' && s.name !== 'html');
  if (other) throw new UsageError(`--reporter ${other.name}: a comparison is reported as pretty, json or html`);
}

export async function runComparison(ctx: HandlerContext, o: CompareOptions): Promise<undefined> {
  const { compareRuns, VolatileMap } = await import('../../dialogue/suite/compare.js');
  const { resolveInstanceRef } = await import('../instance-ref.js');
  let a: { side: import('../../dialogue/suite/compare.js').Side; results: ConversationResult[] };
  let b: { side: import('../../dialogue/suite/compare.js').Side; results: ConversationResult[] };
  if (o.compare) {
    const [refA, refB] = o.compare as [string, string];
    const ctxB = o.compareProfile ? ctx.forProfile(o.compareProfile) : ctx;
    // names are looked up before anything runs: a typo is exit 2 with nothing sent
    const idA = await resolveInstanceRef(ctx.caller({ dryRun: false }), refA, '--compare A');
    const idB = await resolveInstanceRef(ctxB.caller({ dryRun: false }), refB, '--compare B');
    if (ctx.globals.dryRun) return dryRunNote(ctx, o);
    const profileA = (await ctx.profile()).name;
    const profileB = (await ctxB.profile()).name;
    a = { side: { label: refA, instance: idA, profile: profileA }, results: await runSide(ctx, o, idA, 'A') };
    b = { side: { label: refB, instance: idB, profile: profileB }, results: await runSide(ctxB, o, idB, 'B') };
  } else {
    const path = o.baseline as string;
    const baseline = await readBaseline(path);
    if (!o.instance && o.files.some((f) => !f.instance))
      throw new UsageError('no instance to compare with the baseline: set `instance:` in the file, --instance or VN_INSTANCE');
    const id = o.instance ? await resolveInstanceRef(ctx.caller({ dryRun: false }), o.instance, '--instance') : undefined;
    if (ctx.globals.dryRun) return dryRunNote(ctx, o);
    a = { side: { label: path }, results: baseline };
    b = {
      side: { label: o.instance ?? 'the files’ instance', ...(id ? { instance: id } : {}), profile: (await ctx.profile()).name },
      results: await runSide(ctx, o, id, 'B'),
    };
    // a baseline of more conversations than this run selected (--grep, --tag) is compared on those that ran
    const ran = new Set(b.results.map((r) => `${r.file}\0${r.name}\0${r.run}`));
    a.results = a.results.filter((r) => ran.has(`${r.file}\0${r.name}\0${r.run}`));
  }
  const comparison = compareRuns(a.side, b.side, a.results, b.results, new VolatileMap(o.files));
  await writeReports(ctx, o.specs, comparison);
  const s = comparison.summary;
  if (s.different > 0) throw new DifferencesFound(`${s.different} of ${s.conversations} conversations differ`);
  return undefined;
}

function dryRunNote(ctx: HandlerContext, o: CompareOptions): undefined {
  ctx.out(`${o.selected.length} conversation${o.selected.length === 1 ? '' : 's'} selected for comparison (--dry-run: nothing sent)`);
  return undefined;
}

/** One side's run: every selected conversation on one instance, the results kept for the comparison. */
async function runSide(ctx: HandlerContext, o: CompareOptions, instanceId: string | undefined, label: string): Promise<ConversationResult[]> {
  const { checkInstances, resolveInstances, runSuites } = await import('../../dialogue/suite/runner.js');
  const used = o.files.filter((f) => o.selected.some((s) => s.file === f));
  const ids = [...new Set(resolveInstances(used, instanceId).values())];
  await checkInstances(await ctx.client(), ids, (t) => ctx.err(t));
  const client = await ctx.client({ timeoutMs: o.timeoutMs });
  const results: ConversationResult[] = [];
  if (ctx.io.stderrIsTTY) ctx.err(`${label}: running ${o.selected.length * o.repeat} conversations on ${ids.join(', ')}`);
  const summary = await runSuites(o.files, o.selected, {
    client,
    instance: instanceId,
    env: o.env,
    concurrency: o.concurrency,
    repeat: o.repeat,
    retries: 0,
    bail: false,
    timeoutMs: o.timeoutMs,
    coverage: false,
    reporters: [{ start() {}, end() {}, conversation: (r) => void results.push(r) }],
  });
  if (summary.unreachable) throw new NetworkError(`the service could not be reached (side ${label}): ${summary.unreachable}`, false);
  return results;
}

/** The transcripts of a JSON report of `vn dialogue test --reporter json=FILE`, checked as `merge` checks them. */
async function readBaseline(path: string): Promise<ConversationResult[]> {
  const { readFile } = await import('node:fs/promises');
  const { reportProblems } = await import('../../dialogue/suite/report-schema.js');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--baseline ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--baseline ${path}: not JSON (${(e as Error).message}); give a report of vn dialogue test --reporter json=FILE`);
  }
  const problems = reportProblems(doc);
  if (problems.length) throw new UsageError(`--baseline ${path}: ${problems[0]}; give a report of vn dialogue test --reporter json=FILE`);
  return (doc as { conversations: ConversationResult[] }).conversations;
}

/** The comparison's reports, by the same rules as a run's: one machine-readable report on stdout, the pretty one then on stderr; a summary always. */
async function writeReports(ctx: HandlerContext, specs: ReporterSpec[], c: import('../../dialogue/suite/compare.js').Comparison): Promise<void> {
  const { comparisonHtml, comparisonJson, comparisonPretty } = await import('../../dialogue/suite/compare-report.js');
  const { writeFileAtomic } = await import('../../atomic-file.js');
  const { Chalk } = await import('chalk');
  const machineOnStdout = specs.some((s) => !s.file && s.name !== 'pretty');
  const human = machineOnStdout ? ('stderr' as const) : ('stdout' as const);
  const all = specs.some((s) => s.name === 'pretty' && !s.file) ? specs : [...specs, { name: 'pretty' as const }];
  for (const spec of all) {
    const text =
      spec.name === 'json'
        ? comparisonJson(c)
        : spec.name === 'html'
          ? comparisonHtml(c)
          : comparisonPretty(c, new Chalk({ level: !spec.file && ctx.colorFor(human) ? 1 : 0 }));
    if (spec.file) await writeFileAtomic(spec.file, text);
    else ctx.write(spec.name === 'pretty' ? human : 'stdout', text);
  }
}
