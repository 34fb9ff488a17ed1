import type { Reporter } from '../runner.js';

/** Where a report writes text (IOStreams' writer on a stream, or a file). */
export interface Sink {
  write(text: string): void;
}

/** What a reporter is made with: where its report goes and what it needs to know about the run. */
export interface ReporterOptions {
  /** Where the report goes when it has no file: stdout (stderr for a human one when a machine-readable report owns stdout), through the one writer. */
  out: Sink;
  /** The report's file (written through a temp file and a rename); `out` when absent. */
  file?: string;
  /** Whether `out` takes colours (a file never does). */
  color: boolean;
  /** --repeat: how many runs of each conversation. */
  repeat: number;
  /** Where reporters keep spool files while a run goes on. */
  scratchDir: string;
}

export type MakeReporter = (o: ReporterOptions) => Reporter | Promise<Reporter>;

export interface ReporterInfo {
  /** One line for help and the docs. */
  summary: string;
  /** For machines: it goes to stdout alone (the pretty summary then goes to stderr), and it is never coloured. */
  machineReadable: boolean;
  /** The file extension its report usually has (without the dot). */
  extension: string;
  /** The reporter's module, loaded only when it is asked for. */
  load(): Promise<MakeReporter>;
}
