import { AtomicFile } from '../../../atomic-file.js';
import { escapeJsonControls } from '../../../output/sanitize.js';
import { REPORT_SCHEMA_VERSION } from '../report-schema.js';
import type { ConversationResult, Reporter, Summary } from '../runner.js';
import type { MakeReporter, Sink } from './reporter.js';

/**
 * One JSON document `{"schemaVersion":1,"conversations":[…],"summary":{…}}` (report-schema.ts says what it holds), written as results arrive so nothing
 * is held in memory; to a file it goes through a temp file and a rename. Each conversation keeps
 * its transcript, so `vn dialogue merge` can rebuild every other report from shards' JSON.
 */
export class JsonReporter implements Reporter {
  private first = true;
  private readonly file?: AtomicFile;
  constructor(
    private readonly out: Sink | undefined,
    reportFile?: string,
  ) {
    if (reportFile) this.file = new AtomicFile(reportFile);
  }

  private async write(json: string): Promise<void> {
    // the same data, with DEL, C1 and bidi controls as \u escapes: valid JSON that is safe on a terminal
    const text = escapeJsonControls(json);
    if (this.file) await this.file.write(text);
    else this.out?.write(text);
  }

  async start(): Promise<void> {
    await this.write(`{"schemaVersion":${REPORT_SCHEMA_VERSION},"conversations":[`);
  }

  async conversation(r: ConversationResult): Promise<void> {
    // the result as it is: `vn dialogue merge` reads it back
    const item = r;
    const separator = this.first ? '\n' : ',\n';
    this.first = false;
    await this.write(`${separator}${JSON.stringify(item)}`);
  }

  async end(s: Summary): Promise<void> {
    await this.write(`\n],"summary":${JSON.stringify(s)}}\n`);
    await this.file?.commit();
  }

  /** Drops the temp file of a report that was not finished. */
  async abort(): Promise<void> {
    await this.file?.abort();
  }
}

/** The `json` entry of the reporters' table (index.ts). */
export const create: MakeReporter = (o) => new JsonReporter(o.out, o.file);
