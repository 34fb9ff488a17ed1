import type { ReporterInfo } from './reporter.js';

export type { MakeReporter, ReporterInfo, ReporterOptions, Sink } from './reporter.js';

/**
 * The reports of `vn dialogue test` and `vn dialogue merge`, one line each: `--reporter`'s names, its
 * help, the one-report-on-stdout rule and the building of the reporters read this table. A new
 * reporter is its file beside this one (exporting a MakeReporter) and one line here.
 */
const reporters = {
  pretty: {
    summary: 'the summary for people: failures with what was expected, counts, latency',
    machineReadable: false,
    extension: 'txt',
    load: async () => (await import('./pretty.js')).create,
  },
  json: {
    summary: 'every conversation with its transcript (what `vn dialogue merge` reads)',
    machineReadable: true,
    extension: 'json',
    load: async () => (await import('./json.js')).create,
  },
  junit: {
    summary: 'JUnit XML in the Surefire dialect (GitLab, Jenkins)',
    machineReadable: true,
    extension: 'xml',
    load: async () => (await import('./junit.js')).createSurefire,
  },
  'junit-ant': { summary: 'JUnit XML in the Ant dialect', machineReadable: true, extension: 'xml', load: async () => (await import('./junit.js')).createAnt },
  intents: {
    summary: 'intent and action accuracy, with a confusion table of expected against what came back',
    machineReadable: false,
    extension: 'txt',
    load: async () => (await import('./intents.js')).createText,
  },
  'intents-json': {
    summary: 'the intents report as JSON',
    machineReadable: true,
    extension: 'json',
    load: async () => (await import('./intents.js')).createJson,
  },
  'intents-html': {
    summary: 'the intents report as one self-contained page',
    machineReadable: true,
    extension: 'html',
    load: async () => (await import('./intents.js')).createHtml,
  },
  html: {
    summary: 'one self-contained page with every transcript',
    machineReadable: true,
    extension: 'html',
    load: async () => (await import('./html.js')).create,
  },
} as const satisfies Record<string, ReporterInfo>;

export type ReporterName = keyof typeof reporters;
export const REPORTERS: Record<ReporterName, ReporterInfo> = reporters;
/** `--reporter`'s names, in the order help lists them. */
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(REPORTERS, name);
}
