import { isReporterName, REPORTER_NAMES, REPORTERS, type ReporterName } from '../../dialogue/suite/reporters/index.js';
import type { Reporter } from '../../dialogue/suite/runner.js';
import { UsageError } from '../../errors.js';
import type { Part } from '../../output/iostreams.js';
import type { HandlerContext } from '../handler-context.js';

export { REPORTER_NAMES, type ReporterName } from '../../dialogue/suite/reporters/index.js';

export interface ReporterSpec {
  name: ReporterName;
  /** Where it goes; stdout when absent. */
  file?: string;
}

/** `--reporter` for `dialogue test` and `dialogue merge`: repeatable, `name` or `name=FILE`. */
export const REPORTER_FLAGS = [
  {
    name: 'reporter',
    repeatable: true,
    valueName: 'name[=file]',
    suggest: REPORTER_NAMES,
    description: `report format, repeatable: ${REPORTER_NAMES.join(', ')}; name=FILE writes that report to FILE (default: pretty)`,
  },
  {
    name: 'report-file',
    valueName: 'file',
    complete: 'file' as const,
    description: 'the file for the one --reporter given without =FILE (the pretty summary then still goes to stdout)',
  },
];

/**
 * Reporter specs from `--reporter` (and the older `--report-file`). At most one report goes to
 * stdout; when a machine-readable one does, the pretty summary goes to stderr.
 */
export function parseReporterSpecs(values: unknown, reportFile: string | undefined): ReporterSpec[] {
  const list = (Array.isArray(values) ? values : values === undefined ? [] : [values]).map(String);
  const specs: ReporterSpec[] = [];
  for (const raw of list.length ? list : ['pretty']) {
    const eq = raw.indexOf('=');
    const name = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    const file = eq < 0 ? undefined : raw.slice(eq + 1).trim();
    if (!isReporterName(name)) {
      throw new UsageError(`--reporter ${raw}: unknown reporter "${name}" (${REPORTER_NAMES.join(', ')}; name=FILE for a file)`);
    }
    if (file === '') throw new UsageError(`--reporter ${raw}: the file name is missing after "="`);
    specs.push({ name, file });
  }
  if (reportFile !== undefined) {
    const open = specs.filter((s) => !s.file);
    if (open.length !== 1) throw new UsageError('--report-file goes with exactly one --reporter given without =FILE; write --reporter name=FILE instead');
    (open[0] as ReporterSpec).file = reportFile;
  }
  const files = specs.filter((s) => s.file).map((s) => s.file as string);
  const twice = files.find((f, i) => files.indexOf(f) !== i);
  if (twice) throw new UsageError(`--reporter: two reports would be written to ${twice}`);
  const toStdout = specs.filter((s) => !s.file && REPORTERS[s.name].machineReadable);
  if (toStdout.length > 1)
    throw new UsageError(`--reporter: only one report can go to stdout (${toStdout.map((s) => s.name).join(', ')}); give the others =FILE`);
  return specs;
}

/**
 * Every report file can be written: its directory exists and is writable, and the name is not a
 * directory. Checked before anything is sent, so a typo in a path is exit 2 at once, not a lost
 * report after the run.
 */
export async function checkReportTargets(specs: ReporterSpec[]): Promise<void> {
  const { stat, access, constants } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  for (const spec of specs) {
    if (!spec.file) continue;
    const where = `--reporter ${spec.name}=${spec.file}`;
    const dir = dirname(spec.file);
    const d = await stat(dir).catch(() => undefined);
    if (!d) throw new UsageError(`${where}: the directory ${dir} does not exist`);
    if (!d.isDirectory()) throw new UsageError(`${where}: ${dir} is not a directory`);
    if (
      await access(dir, constants.W_OK).then(
        () => false,
        () => true,
      )
    )
      throw new UsageError(`${where}: the directory ${dir} is not writable`);
    const t = await stat(spec.file).catch(() => undefined);
    if (t?.isDirectory()) throw new UsageError(`${where}: ${spec.file} is a directory`);
  }
}

/** Lets every reporter drop its temp and spool files; called whether the run ended or stopped half way. */
export async function abortReporters(reporters: Reporter[]): Promise<void> {
  for (const r of reporters) await r.abort?.().catch(() => undefined);
}

export interface BuiltReporters {
  reporters: Reporter[];
}

/**
 * The reporters of a run, in order: progress clearing, the reports, then the progress line.
 * Terminal output of every reporter erases the progress line first, so it never covers a report.
 */
export async function buildReporters(
  ctx: HandlerContext,
  specs: ReporterSpec[],
  o: { repeat: number; progress: boolean; scratchDir?: string },
): Promise<BuiltReporters> {
  const { create: prettySummary } = await import('../../dialogue/suite/reporters/pretty.js');
  const { tmpdir } = await import('node:os');
  const scratchDir = o.scratchDir ?? tmpdir();
  let progress: import('../../dialogue/suite/reporters/progress.js').ProgressReporter | undefined;
  if (o.progress) {
    const { ProgressReporter } = await import('../../dialogue/suite/reporters/progress.js');
    progress = new ProgressReporter(ctx.io.sink('stderr'), ctx.io.stderrIsTTY);
  }
  // everything reaches the terminal through the one writer (redaction, then sanitising on a TTY)
  const stdout = {
    write: (...parts: Part[]) => {
      progress?.clear();
      ctx.io.write('stdout', ...parts);
    },
  };
  const stderr = {
    write: (...parts: Part[]) => {
      progress?.clear();
      ctx.io.write('stderr', ...parts);
    },
  };
  const reporters: Reporter[] = [];
  const machineOnStdout = specs.some((s) => !s.file && REPORTERS[s.name].machineReadable);
  // a report for people gives stdout to a machine-readable one and goes to stderr
  const human = machineOnStdout ? ('stderr' as const) : ('stdout' as const);
  for (const spec of specs) {
    const info = REPORTERS[spec.name];
    const stream = info.machineReadable ? ('stdout' as const) : human;
    const make = await info.load();
    reporters.push(
      await make({
        out: stream === 'stdout' ? stdout : stderr,
        file: spec.file,
        color: !spec.file && !info.machineReadable && ctx.colorFor(stream),
        repeat: o.repeat,
        scratchDir,
      }),
    );
  }
  if (!specs.some((s) => s.name === 'pretty' && !s.file)) {
    // a summary is always shown: on stdout when the reports went to files, on stderr (failures only) when one owns stdout
    reporters.push(
      await prettySummary({
        out: human === 'stdout' ? stdout : stderr,
        color: ctx.colorFor(human),
        repeat: o.repeat,
        scratchDir,
        quietPasses: machineOnStdout,
      }),
    );
  }
  if (progress) reporters.push(progress);
  return { reporters };
}
