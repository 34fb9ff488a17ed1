import { NetworkError, UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { buildReporters, parseReporterSpecs, REPORTER_FLAGS } from './reporters.js';
import { exitFor } from './test.js';

export default defineCommand({
  description:
    'Reads the JSON reports that `vn dialogue test --reporter json=FILE` wrote (one per --shard of a CI matrix) and ' +
    'renders them as one run with any --reporter: the counts, latency percentiles, flaky conversations and coverage are ' +
    'computed from the conversations themselves, so three shards merged report what one unsharded run reports. Sends ' +
    'nothing. The exit code is the combined one: 0 when every conversation passed, 1 when any did not (or --max-p95 ' +
    'fails), 2 on an unreadable report, 3 when a shard could not reach the service.',
  args: [{ name: 'reports', variadic: true, description: 'JSON reports of dialogue test (shards)' }],
  flags: [...REPORTER_FLAGS, { name: 'max-p95', type: 'int', valueName: 'ms', description: 'latency gate for the merged run (default: the shards’ own)' }],
  examples: [
    'vn dialogue merge shard-1.json shard-2.json shard-3.json',
    'vn dialogue merge shard-*.json --reporter junit=junit.xml --reporter html=report.html',
  ],
  async run(ctx, { args, flags }) {
    const { readFile } = await import('node:fs/promises');
    const { SummaryBuilder } = await import('../../dialogue/suite/summary.js');
    const { mergeCoverage } = await import('../../dialogue/suite/coverage.js');
    type Result = import('../../dialogue/suite/runner.js').ConversationResult;
    type Summary = import('../../dialogue/suite/summary.js').Summary;
    const specs = parseReporterSpecs(flags.reporter, flags.reportFile as string | undefined);
    if (flags.maxP95 !== undefined && !((flags.maxP95 as number) >= 1)) throw new UsageError('--max-p95 must be 1 or more');
    const reports: { file: string; conversations: Result[]; summary: Summary }[] = [];
    // every report is read and checked before anything is written
    for (const file of args.reports as string[]) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      let doc: { conversations?: unknown; summary?: unknown };
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new UsageError(`${file}: not JSON (${(e as Error).message}); merge reads the reports of --reporter json=FILE`);
      }
      const ok =
        doc &&
        Array.isArray(doc.conversations) &&
        doc.summary !== null &&
        typeof doc.summary === 'object' &&
        doc.conversations.every(
          (c: Partial<Result>) => c && typeof c.file === 'string' && typeof c.name === 'string' && typeof c.outcome === 'string' && Array.isArray(c.failures),
        );
      if (!ok) throw new UsageError(`${file}: not a JSON report of vn dialogue test (--reporter json=FILE)`);
      reports.push({ file, conversations: doc.conversations as Result[], summary: doc.summary as Summary });
    }
    const gates = reports.map((r) => r.summary.latencyGate?.maxP95Ms).filter((v): v is number => v !== undefined);
    const maxP95Ms = (flags.maxP95 as number | undefined) ?? (gates.length ? Math.min(...gates) : undefined);
    const repeat = Math.max(1, ...reports.flatMap((r) => r.conversations.map((c) => c.run ?? 1)));
    const { reporters } = await buildReporters(ctx, specs, { repeat, progress: false });
    const all = reports.flatMap((r) => r.conversations);
    for (const r of reporters) await r.start({ files: new Set(all.map((c) => c.file)).size, conversations: all.length });
    const builder = new SummaryBuilder();
    for (const c of all) {
      builder.add(c);
      for (const r of reporters) await r.conversation(c);
    }
    const coverage = reports.flatMap((r) => r.summary.coverage ?? []);
    const summary = builder.build({
      skipped: reports.reduce((n, r) => n + (r.summary.skipped ?? 0), 0),
      // shards run side by side: the merged run took as long as its slowest shard
      durationMs: Math.max(0, ...reports.map((r) => r.summary.durationMs ?? 0)),
      coverage: coverage.length ? mergeCoverage(coverage) : undefined,
      unreachable: reports.find((r) => r.summary.unreachable)?.summary.unreachable,
      maxP95Ms,
      merged: reports.length,
    });
    for (const r of reporters) await r.end(summary);
    if (summary.unreachable) throw new NetworkError(`a shard could not reach the service: ${summary.unreachable}`, false);
    return exitFor(summary);
  },
});
