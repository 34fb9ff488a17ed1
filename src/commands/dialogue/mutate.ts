import type { TestFile } from '../../dialogue/suite/format.js';
import type { Selected } from '../../dialogue/suite/runner.js';
import { MutationScoreTooLow, UsageError } from '../../errors.js';
import type { HandlerContext } from '../handler-context.js';
import { type ChatbotModel, chatbotModel, demoModel } from './chatbots.js';
import type { ReporterSpec } from './reporters.js';

/**
 * `vn dialogue test --mutate`: the command's side of mutation testing (dialogue/mutate/ does the
 * work). It exports the instance's configuration as the manifest, takes the chatbot from --chatbots
 * or the demo, runs the mutants on sandboxes, writes the reports and applies the score gate.
 */

const DEFAULT_MUTATE_TIMEOUT_S = 120;

/** The flags --mutate takes and the ones it refuses (a run per mutant makes no sense of them). */
export const MUTATE_FLAGS = [
  {
    name: 'mutate',
    type: 'bool' as const,
    description: 'mutation testing: run the suite against small changes of an emulator copy of the instance, and report which it notices',
  },
  {
    name: 'min-mutation-score',
    valueName: 'score',
    description: 'with --mutate: exit 10 when killed / run is below this (0..1, or a percentage such as 80%)',
  },
  {
    name: 'mutate-timeout',
    valueName: 'duration',
    description: `with --mutate: the whole run’s time limit (e.g. 60s, 2m; default ${DEFAULT_MUTATE_TIMEOUT_S}s); mutants not run by then are reported as not run`,
  },
  // --chatbots (the copy's bots) is dialogue test's own flag, shared with coverage
];

const REFUSED = [
  ['update', '--update'],
  ['shard', '--shard'],
  ['lastFailed', '--last-failed'],
  ['coverage', '--coverage'],
  ['minCoverage', '--min-coverage'],
  ['traffic', '--traffic'],
  ['bail', '--bail'],
  ['maxP95', '--max-p95'],
] as const;
const MUTATION_REPORTERS = new Set(['pretty', 'json', 'html']);

export interface MutateFlags {
  minScore?: number;
  timeoutMs: number;
  chatbots?: string;
}

/** The --mutate flags checked (exit 2 before anything is sent); undefined without --mutate. */
export function mutateFlags(flags: Record<string, unknown>, specs: ReporterSpec[]): MutateFlags | undefined {
  if (flags.mutate !== true) {
    for (const [key, flag] of [
      ['minMutationScore', '--min-mutation-score'],
      ['mutateTimeout', '--mutate-timeout'],
    ] as const)
      if (flags[key] !== undefined) throw new UsageError(`${flag} goes with --mutate`);
    return undefined;
  }
  for (const [key, flag] of REFUSED)
    if (flags[key] !== undefined && flags[key] !== false) throw new UsageError(`--mutate runs the suite once per mutant: ${flag} does not go with it`);
  if (Number(flags.repeat ?? 1) !== 1 || Number(flags.retries ?? 0) !== 0)
    throw new UsageError('--mutate runs each conversation once: --repeat and --retries do not go with it');
  for (const s of specs)
    if (!MUTATION_REPORTERS.has(s.name)) throw new UsageError(`--reporter ${s.name}: --mutate reports as ${[...MUTATION_REPORTERS].join(', ')}`);
  return {
    ...(flags.minMutationScore !== undefined ? { minScore: parseScore(String(flags.minMutationScore)) } : {}),
    timeoutMs: flags.mutateTimeout === undefined ? DEFAULT_MUTATE_TIMEOUT_S * 1000 : parseDuration(String(flags.mutateTimeout)),
    ...(flags.chatbots !== undefined ? { chatbots: String(flags.chatbots) } : {}),
  };
}

/** 0.8, or 80% (a percentage). */
export function parseScore(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(v >= 0 && v <= 1)) throw new UsageError(`--min-mutation-score must be a score from 0 to 1 or a percentage (0.8, 80%), got "${text}"`);
  return v;
}

/** 90 (seconds), 90s, 1500ms, 2m. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : Number.NaN;
  if (!(ms > 0 && ms <= 86_400_000)) throw new UsageError(`--mutate-timeout must be a duration such as 60s, 2m or 1500ms (at most a day), got "${text}"`);
  return ms;
}

export async function runMutate(
  ctx: HandlerContext,
  o: {
    files: TestFile[];
    selected: Selected[];
    instanceIds: Set<string>;
    mutate: MutateFlags;
    specs: ReporterSpec[];
    timeoutMs: number;
    concurrency: number;
    env?: 'debug' | 'live';
  },
): Promise<undefined> {
  if (o.instanceIds.size !== 1)
    throw new UsageError(`--mutate tests one instance; these files run against ${o.instanceIds.size}: ${[...o.instanceIds].join(', ')} (give --instance)`);
  const instanceId = [...o.instanceIds][0] as string;
  // the copy's bots are read (and checked) before anything is sent
  const bots = await readBots(o.mutate.chatbots);
  const { apiFor } = await import('../../manifest/io.js');
  const { exportInstances } = await import('../../manifest/export.js');
  const [doc] = await exportInstances(apiFor(ctx.api), [instanceId]);
  const manifest = { ...(doc as Record<string, unknown>) };
  // what the dialogue does not read (speech, recognition) and what no action writes stay out of the copy
  for (const k of ['tts', 'asr', 'readOnly']) delete manifest[k];
  const { runMutation, DEFAULT_PARALLEL } = await import('../../dialogue/mutate/run.js');
  const { emulatorClient } = await import('../emulator/seeding.js');
  // a terminal shows how far the run is (stderr only; nothing when it is not a terminal)
  const spinner = await ctx.spinner('mutation testing: the suite on the unmutated copy…');
  const tally = { killed: 0, survived: 0 };
  let report: import('../../dialogue/mutate/run.js').MutationReport;
  try {
    report = await runMutation({
      files: o.files,
      selected: o.selected,
      copy: { manifest, bots: bots.bots },
      manifestName: `the exported configuration of instance ${instanceId}`,
      instance: { id: instanceId, ...(typeof manifest.name === 'string' ? { name: manifest.name } : {}) },
      chatbotsSource: bots.source,
      clientFor: (url, key) => emulatorClient(ctx, url, key, { timeoutMs: o.timeoutMs, retries: 0 }),
      turnTimeoutMs: o.timeoutMs,
      concurrency: o.concurrency,
      parallel: DEFAULT_PARALLEL,
      timeoutMs: o.mutate.timeoutMs,
      ...(o.env ? { env: o.env } : {}),
      ...(o.mutate.minScore !== undefined ? { minScore: o.mutate.minScore } : {}),
      onMutant(done, total, r) {
        if (r.status === 'killed' || r.status === 'survived') tally[r.status]++;
        spinner.text = `mutation testing: ${done} of ${total} mutants, ${tally.killed} killed, ${tally.survived} survived`;
      },
    });
  } finally {
    spinner.stop();
  }
  const { prettyMutationReport, htmlMutationReport } = await import('../../dialogue/mutate/report.js');
  const { writeFileAtomic } = await import('../../atomic-file.js');
  const specs = o.specs.length ? o.specs : [{ name: 'pretty' as const }];
  const machineOnStdout = specs.some((s) => !s.file && s.name !== 'pretty');
  for (const s of specs) {
    const text = s.name === 'json' ? `${JSON.stringify(report, null, 2)}\n` : s.name === 'html' ? htmlMutationReport(report) : prettyMutationReport(report);
    if (s.file) await writeFileAtomic(s.file, text);
    else ctx.write(s.name === 'pretty' && machineOnStdout ? 'stderr' : 'stdout', text);
  }
  // the summary is always shown, as the suite's run shows one
  if (!specs.some((s) => s.name === 'pretty' && !s.file)) ctx.write(machineOnStdout ? 'stderr' : 'stdout', prettyMutationReport(report));
  if (report.gate && !report.gate.passed) {
    const score = report.score === null ? 'no mutant ran' : `mutation score ${percent(report.score)}`;
    throw new MutationScoreTooLow(`${score} is below --min-mutation-score ${percent(report.gate.minScore)}`);
  }
  return undefined;
}

function percent(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

/** The copy's bots: --chatbots (a file, or `demo`), else the built-in demo bot. */
async function readBots(value: string | undefined): Promise<ChatbotModel> {
  return value === undefined ? demoModel() : chatbotModel(value);
}
