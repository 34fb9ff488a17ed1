import type { Context } from '../../context.js';
import type { Reporter } from '../../dialogue/suite/runner.js';
import { UsageError } from '../../errors.js';
import type { Part } from '../../output/iostreams.js';
import { sanitizeDeep } from '../../output/sanitize.js';

export const REPORTER_NAMES = ['pretty', 'json', 'junit', 'junit-ant', 'html'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

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
    if (!(REPORTER_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--reporter ${raw}: unknown reporter "${name}" (${REPORTER_NAMES.join(', ')}; name=FILE for a file)`);
    }
    if (file === '') throw new UsageError(`--reporter ${raw}: the file name is missing after "="`);
    specs.push({ name: name as ReporterName, file });
  }
  if (reportFile !== undefined) {
    const open = specs.filter((s) => !s.file);
    if (open.length !== 1) throw new UsageError('--report-file goes with exactly one --reporter given without =FILE; write --reporter name=FILE instead');
    (open[0] as ReporterSpec).file = reportFile;
  }
  const files = specs.filter((s) => s.file).map((s) => s.file as string);
  const twice = files.find((f, i) => files.indexOf(f) !== i);
  if (twice) throw new UsageError(`--reporter: two reports would be written to ${twice}`);
  const toStdout = specs.filter((s) => !s.file && s.name !== 'pretty');
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
  ctx: Context,
  specs: ReporterSpec[],
  o: { repeat: number; progress: boolean; scratchDir?: string },
): Promise<BuiltReporters> {
  const { Chalk } = await import('chalk');
  const { PrettyReporter } = await import('../../dialogue/suite/reporters/pretty.js');
  const { AtomicFile } = await import('../../atomic-file.js');
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
  const machineOnStdout = specs.some((s) => !s.file && s.name !== 'pretty');
  const hasPretty = specs.some((s) => s.name === 'pretty' && !s.file);
  for (const spec of specs) {
    const file = spec.file;
    switch (spec.name) {
      case 'pretty': {
        if (file) {
          const f = new AtomicFile(file);
          // a failed write surfaces at commit (the file's queue keeps it)
          const r = new PrettyReporter({ write: (s) => void f.write(s).catch(() => undefined) }, new Chalk({ level: 0 }), { repeat: o.repeat });
          reporters.push(
            shownSafe({
              start: () => r.start(),
              conversation: (c) => r.conversation(c),
              async end(s) {
                r.end(s);
                await f.commit();
              },
              abort: () => f.abort(),
            }),
          );
        } else {
          const sink = machineOnStdout ? stderr : stdout;
          reporters.push(
            shownSafe(new PrettyReporter(sink, new Chalk({ level: ctx.colorFor(machineOnStdout ? 'stderr' : 'stdout') ? 1 : 0 }), { repeat: o.repeat })),
          );
        }
        break;
      }
      case 'json':
        reporters.push(new (await import('../../dialogue/suite/reporters/json.js')).JsonReporter(stdout, file));
        break;
      case 'junit':
      case 'junit-ant':
        reporters.push(
          new (await import('../../dialogue/suite/reporters/junit.js')).JunitReporter(stdout, file, {
            repeat: o.repeat,
            scratchDir,
            flavor: spec.name === 'junit-ant' ? 'ant' : 'surefire',
          }),
        );
        break;
      case 'html':
        reporters.push(new (await import('../../dialogue/suite/reporters/html.js')).HtmlReporter(stdout, file, { scratchDir }));
        break;
    }
  }
  if (!hasPretty) {
    // a summary is always shown: on stdout when the reports went to files, on stderr (failures only) when one owns stdout
    reporters.push(
      shownSafe(
        new PrettyReporter(machineOnStdout ? stderr : stdout, new Chalk({ level: ctx.colorFor(machineOnStdout ? 'stderr' : 'stdout') ? 1 : 0 }), {
          repeat: o.repeat,
          quietPasses: machineOnStdout,
        }),
      ),
    );
  }
  if (progress) reporters.push(progress);
  return { reporters };
}

/**
 * A human reporter colours what it prints: it is handed the results with every string sanitised
 * (the bot's text, Action and ActionParams, the service's error messages, a shard's fields), so the
 * colours it adds wrap text that can no longer drive a terminal, whatever the output is.
 */
function shownSafe(r: Reporter): Reporter {
  return {
    start: (info) => r.start(info),
    conversation: (c) => r.conversation(sanitizeDeep(c)),
    end: (s) => r.end(sanitizeDeep(s)),
    ...(r.abort ? { abort: () => (r.abort as () => Promise<void>)() } : {}),
  };
}
