import { NetworkError, UsageError, VnError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { abortReporters, buildReporters, checkReportTargets, parseReporterSpecs, REPORTER_FLAGS } from './reporters.js';
import { exitFor } from './test.js';

export default defineCommand({
  description:
    'Reads the JSON reports that `vn dialogue test --reporter json=FILE` wrote (one per --shard of a CI matrix) and ' +
    'renders them as one run with any --reporter: the counts, latency percentiles, flaky conversations and coverage are ' +
    'computed from the conversations themselves, so three shards merged report what one unsharded run reports; coverage ' +
    'is the union of what each shard reached. Sends nothing. The exit code is the combined one: 0 when every conversation ' +
    'passed, 1 when any did not (or --max-p95 fails), 2 on an unreadable report, 3 when a shard could not reach the ' +
    'service, 9 when all passed but --min-coverage (default: the shards’ own) is unmet.',
  args: [{ name: 'reports', variadic: true, description: 'JSON reports of dialogue test (shards)' }],
  flags: [
    ...REPORTER_FLAGS,
    { name: 'max-p95', type: 'int', valueName: 'ms', description: 'latency gate for the merged run (default: the shards’ own)' },
    {
      name: 'min-coverage',
      valueName: 'spec',
      description: 'coverage gate for the merged run, as dialogue test takes it (default: the shards’ own, the strictest of each kind)',
    },
  ],
  examples: [
    'vn dialogue merge shard-1.json shard-2.json shard-3.json',
    'vn dialogue merge shard-*.json --reporter junit=junit.xml --reporter html=report.html',
  ],
  async run(ctx, { args, flags }) {
    const { readFile, realpath } = await import('node:fs/promises');
    const { SummaryBuilder } = await import('../../dialogue/suite/summary.js');
    const { mergeCoverage } = await import('../../dialogue/suite/coverage.js');
    const { reportProblems } = await import('../../dialogue/suite/report-schema.js');
    type Report = import('../../dialogue/suite/report-schema.js').Report;
    const specs = parseReporterSpecs(flags.reporter, flags.reportFile as string | undefined);
    if (flags.maxP95 !== undefined && !((flags.maxP95 as number) >= 1)) throw new UsageError('--max-p95 must be 1 or more');
    const { coverageGate, parseMinCoverage } = await import('../../dialogue/suite/coverage-gate.js');
    type MinCoverage = import('../../dialogue/suite/coverage-gate.js').MinCoverage;
    let minCoverage: MinCoverage | undefined = flags.minCoverage === undefined ? undefined : parseMinCoverage(String(flags.minCoverage));
    await checkReportTargets(specs);
    const reports: ({ file: string } & Report)[] = [];
    const seen = new Map<string, string>();
    // every report is read and checked before anything is written
    for (const file of args.reports as string[]) {
      let text: string;
      let real: string;
      try {
        real = await realpath(file);
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      const same = seen.get(real);
      if (same !== undefined) throw new UsageError(`${file}: the same report as ${same}; give each shard's report once`);
      seen.set(real, file);
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new UsageError(`${file}: not JSON (${(e as Error).message}); merge reads the reports of --reporter json=FILE`);
      }
      const problems = reportProblems(doc);
      if (problems.length) {
        const more = problems.length > 1 ? ` (and ${problems.length - 1}${problems.length === 10 ? ' or more' : ''} more)` : '';
        throw new UsageError(`${file}: ${problems[0]}${more}; merge reads the reports of vn dialogue test --reporter json=FILE`);
      }
      reports.push({ file, ...(doc as Report) });
    }
    const warnings = shardWarnings(reports);
    const gates = reports.map((r) => r.summary.latencyGate?.maxP95Ms).filter((v): v is number => v !== undefined);
    const maxP95Ms = (flags.maxP95 as number | undefined) ?? (gates.length ? Math.min(...gates) : undefined);
    if (!minCoverage) {
      // the shards' own thresholds, the strictest of each kind
      for (const r of reports)
        for (const c of r.summary.coverageGate?.checks ?? []) {
          minCoverage ??= {};
          minCoverage[c.kind] = Math.max(minCoverage[c.kind] ?? 0, c.min);
        }
    }
    let repeat = 1;
    for (const r of reports) for (const c of r.conversations) repeat = Math.max(repeat, c.run);
    const { reporters } = await buildReporters(ctx, specs, { repeat, progress: false });
    const all = reports.flatMap((r) => r.conversations);
    try {
      for (const r of reporters) await r.start({ files: new Set(all.map((c) => c.file)).size, conversations: all.length });
      const builder = new SummaryBuilder();
      for (const c of all) {
        builder.add(c);
        for (const r of reporters) await r.conversation(c);
      }
      const shardCoverage = reports.flatMap((r) => r.summary.coverage ?? []);
      const coverage = shardCoverage.length ? mergeCoverage(shardCoverage) : undefined;
      const summary = builder.build({
        skipped: reports.reduce((n, r) => n + r.summary.skipped, 0),
        // shards run side by side: the merged run took as long as its slowest shard
        durationMs: Math.max(0, ...reports.map((r) => r.summary.durationMs)),
        coverage,
        // a gate with no coverage to measure fails: nothing reached proves nothing
        coverageGate: minCoverage ? coverageGate(coverage ?? [], minCoverage) : undefined,
        unreachable: reports.find((r) => r.summary.unreachable)?.summary.unreachable,
        maxP95Ms,
        merged: reports.length,
      });
      for (const r of reporters) await r.end(summary);
      for (const w of warnings) ctx.err(`warning: ${w}`);
      if (summary.unreachable) throw new NetworkError(`a shard could not reach the service: ${summary.unreachable}`, false);
      exitFor(summary);
    } finally {
      await abortReporters(reporters);
    }
    if (warnings.length)
      throw new MergeIncomplete(`the merged run is incomplete or inconsistent (${warnings.length} warning${warnings.length > 1 ? 's' : ''} above)`);
    return undefined;
  },
});

/** Shards missing, or reports whose counts disagree: the merge still renders, warns, and exits 7. */
export class MergeIncomplete extends VnError {
  override readonly exitCode = 7;
  override name = 'MergeIncomplete';
}

type ReadReport = { file: string } & import('../../dialogue/suite/report-schema.js').Report;

/**
 * What makes a merged run not the whole run: a shard given twice is refused (exit 2); a shard
 * missing, shards of different splits, an unsharded report among shards, or a summary whose
 * counts disagree with its own conversations are warnings (exit 7 unless something worse).
 */
function shardWarnings(reports: ReadReport[]): string[] {
  const warnings: string[] = [];
  const sharded = reports.filter((r) => r.summary.shard);
  const byIndex = new Map<number, string>();
  for (const r of sharded) {
    const s = r.summary.shard as { index: number; count: number };
    const twice = byIndex.get(s.index);
    if (twice !== undefined) throw new UsageError(`${r.file}: shard ${s.index} again (${twice} is shard ${s.index} too); give each shard's report once`);
    byIndex.set(s.index, r.file);
  }
  if (sharded.length && sharded.length < reports.length) {
    const whole = reports.filter((r) => !r.summary.shard).map((r) => r.file);
    warnings.push(`${whole.join(', ')} ${whole.length > 1 ? 'are' : 'is'} not a shard, merged with shards: conversations may be counted twice`);
  }
  const counts = [...new Set(sharded.map((r) => (r.summary.shard as { count: number }).count))];
  if (counts.length > 1) {
    warnings.push(`the shards are of different splits: ${sharded.map((r) => `${r.file} is ${r.summary.shard?.index}/${r.summary.shard?.count}`).join(', ')}`);
  } else if (counts.length === 1) {
    const n = counts[0] as number;
    const missing: number[] = [];
    for (let i = 1; i <= n && missing.length <= 20; i++) if (!byIndex.has(i)) missing.push(i);
    if (missing.length)
      warnings.push(
        `shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''} of ${n} missing: the merged run is not the whole suite`,
      );
  }
  for (const r of reports) {
    const own = { conversations: 0, passed: 0, flaky: 0, failed: 0, errored: 0, timedOut: 0, updated: 0 };
    for (const c of r.conversations) {
      own.conversations++;
      own[c.outcome]++;
    }
    const off = (Object.keys(own) as (keyof typeof own)[]).filter((k) => r.summary[k] !== own[k]);
    if (off.length)
      warnings.push(
        `${r.file}: its summary disagrees with its conversations (${off.map((k) => `${k} ${r.summary[k]}, counted ${own[k]}`).join('; ')}); the merge counts the conversations`,
      );
  }
  return warnings;
}
