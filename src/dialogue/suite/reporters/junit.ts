import type { ConversationResult, Reporter, Summary } from '../runner.js';
import { AtomicFile } from './file.js';
import type { Sink } from './pretty.js';

/**
 * JUnit XML, one <testcase> per conversation run, as CI systems expect. The testcases go to a
 * temp file as they come; the report is assembled once the counts for <testsuite> are known.
 */
export class JunitReporter implements Reporter {
  private readonly body: AtomicFile;
  private readonly repeat: boolean;
  private failures = 0;
  private errors = 0;
  private tests = 0;
  constructor(
    private readonly out: Sink | undefined,
    private readonly reportFile: string | undefined,
    opts: { repeat: number; scratchDir: string },
  ) {
    this.repeat = opts.repeat > 1;
    this.body = new AtomicFile(`${opts.scratchDir}/junit-body-${process.pid}-${Date.now()}.xml`);
  }

  start(): void {}

  async conversation(r: ConversationResult): Promise<void> {
    this.tests++;
    const name = `${r.name}${this.repeat ? ` #${r.run}` : ''}`;
    let inner = '';
    if (r.outcome === 'failed') {
      this.failures++;
      const detail = r.failures
        .map(
          (f) =>
            `line ${f.step.line} ${f.sent}\n${f.mismatches.map((m) => `  ${m.key}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`).join('\n')}`,
        )
        .concat(r.error ? [r.error.message] : [])
        .join('\n');
      const first = r.failures[0];
      const message = first
        ? `line ${first.step.line} ${first.sent}: ${first.mismatches.map((m) => m.key).join(', ')} did not match`
        : (r.error?.message ?? 'failed');
      inner = `<failure message="${esc(message)}" type="mismatch">${esc(detail)}</failure>`;
    } else if (r.outcome === 'errored' || r.outcome === 'timedOut') {
      this.errors++;
      const e = r.error;
      const message = `${e?.line ? `line ${e.line} ${e.step ?? ''}: ` : ''}${e?.code ? `${e.code}: ` : ''}${e?.message ?? ''}`;
      inner = `<error message="${esc(message)}" type="${r.outcome === 'timedOut' ? 'timeout' : 'error'}">${esc(`${message}${e?.requestId ? `\nRequestId ${e.requestId}` : ''}`)}</error>`;
    }
    inner += `<system-out>${esc(`ConversationId ${r.conversationId}, ${r.turns} turns`)}</system-out>`;
    await this.body.write(`    <testcase name="${esc(name)}" classname="${esc(r.file)}" time="${(r.durationMs / 1000).toFixed(3)}">${inner}</testcase>\n`);
  }

  async end(s: Summary): Promise<void> {
    await this.body.commit();
    const { rm } = await import('node:fs/promises');
    const time = (s.durationMs / 1000).toFixed(3);
    const counts = `tests="${this.tests}" failures="${this.failures}" errors="${this.errors}" skipped="0" time="${time}"`;
    const head = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="vn dialogue test" ${counts}>\n  <testsuite name="vn dialogue test" ${counts} timestamp="${new Date().toISOString().slice(0, 19)}">\n`;
    const tail = '  </testsuite>\n</testsuites>\n';
    // copied in chunks: the testcases are never all in memory at once
    const { createReadStream } = await import('node:fs');
    const target = this.reportFile ? new AtomicFile(this.reportFile) : undefined;
    const emit = async (text: string) => (target ? target.write(text) : this.out?.write(text));
    try {
      await emit(head);
      for await (const chunk of createReadStream(this.body.target, { encoding: 'utf8' })) await emit(chunk as string);
      await emit(tail);
      await target?.commit();
    } finally {
      await rm(this.body.target, { force: true });
    }
  }
}

/** XML text and attribute escaping; characters XML 1.0 forbids are dropped. */
export function esc(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these control characters
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/\n/g, '&#10;')
  );
}
