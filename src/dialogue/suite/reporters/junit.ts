import { hostname } from 'node:os';
import { AtomicFile } from '../../../atomic-file.js';
import { coverageTotals } from '../coverage.js';
import { describeCheck } from '../coverage-gate.js';
import { type Attempt, type ConversationResult, type FailedTurn, NOT_PASSED, type Reporter, type Summary } from '../runner.js';
import type { MakeReporter, Sink } from './reporter.js';

/**
 * `surefire` (reporter `junit`): Maven Surefire's form, with `<flakyFailure>`/`<flakyError>` in a
 * flaky test case, valid against the Jenkins xUnit plugin's junit-10.xsd (and, when no
 * conversation is flaky, against the Ant JUnit XSD too). `ant` (reporter `junit-ant`): the strict
 * Ant JUnit XSD form, where a test case holds at most one failure or error, so a flaky
 * conversation's failed attempts are told in its suite's `<system-out>`.
 */
export type JunitFlavor = 'surefire' | 'ant';

interface Suite {
  id: number;
  cases: AtomicFile;
  out: AtomicFile;
  tests: number;
  failures: number;
  errors: number;
  time: number;
}

/**
 * JUnit XML: one `<testsuite>` per test file and one `<testcase>` per conversation run, with
 * `classname` set to the file, as CI systems group results. Test cases go to temp files as they
 * come; the report is assembled once the counts of each `<testsuite>` are known.
 */
export class JunitReporter implements Reporter {
  private readonly repeat: boolean;
  private readonly flavor: JunitFlavor;
  private readonly suites = new Map<string, Suite>();
  private readonly startedAt = new Date().toISOString().slice(0, 19);
  private readonly scratch: string;
  constructor(
    private readonly out: Sink | undefined,
    private readonly reportFile: string | undefined,
    opts: { repeat: number; scratchDir: string; flavor?: JunitFlavor },
  ) {
    this.repeat = opts.repeat > 1;
    this.flavor = opts.flavor ?? 'surefire';
    this.scratch = `${opts.scratchDir}/vn-junit-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  }

  start(): void {}

  private suite(file: string): Suite {
    let s = this.suites.get(file);
    if (!s) {
      const id = this.suites.size;
      s = {
        id,
        cases: new AtomicFile(`${this.scratch}-${id}-cases.xml`),
        out: new AtomicFile(`${this.scratch}-${id}-out.txt`),
        tests: 0,
        failures: 0,
        errors: 0,
        time: 0,
      };
      this.suites.set(file, s);
    }
    return s;
  }

  async conversation(r: ConversationResult): Promise<void> {
    const suite = this.suite(r.file);
    suite.tests++;
    suite.time += typeof r.durationMs === 'number' && Number.isFinite(r.durationMs) ? r.durationMs : 0;
    const name = `${String(r.name)}${this.repeat ? ` #${String(r.run)}` : ''}`;
    let inner = '';
    if (r.outcome === 'failed') {
      suite.failures++;
      inner = `<failure message="${esc(failureMessage(r.failures, r.error))}" type="mismatch">${esc(failureDetail(r.conversationId, r.failures, r.error), false)}</failure>`;
    } else if (r.outcome === 'errored' || r.outcome === 'timedOut') {
      suite.errors++;
      inner = `<error message="${esc(errorMessage(r.error))}" type="${r.outcome === 'timedOut' ? 'timeout' : 'error'}">${esc(errorDetail(r.conversationId, r.error), false)}</error>`;
    } else if (r.outcome === 'flaky' && this.flavor === 'surefire') {
      // as Surefire writes a test that passed on a rerun: one flakyFailure/flakyError per failed run
      inner = (Array.isArray(r.retries) ? r.retries : []).map((a) => flakyElement(a)).join('');
    }
    const notes = [`${name}: ConversationId ${String(r.conversationId)}, ${String(r.turns)} turns, ${String(r.outcome)}`];
    if (r.outcome === 'flaky') {
      for (const [i, a] of (Array.isArray(r.retries) ? r.retries : []).entries())
        notes.push(`  attempt ${i + 1} (ConversationId ${a.conversationId}): ${attemptLine(a)}`);
    }
    await suite.out.write(`${notes.join('\n')}\n`);
    await suite.cases.write(`    <testcase name="${esc(name)}" classname="${esc(r.file)}" time="${seconds(r.durationMs)}">${inner}</testcase>\n`);
  }

  async end(s: Summary): Promise<void> {
    const { createReadStream } = await import('node:fs');
    const target = this.reportFile ? new AtomicFile(this.reportFile) : undefined;
    const emit = async (text: string) => (target ? target.write(text) : this.out?.write(text));
    const host = esc(hostname() || 'localhost');
    const head = (name: string, id: number, counts: { tests: number; failures: number; errors: number; time: number }) =>
      `  <testsuite name="${esc(name)}" package="${esc(name)}" id="${id}" hostname="${host}" timestamp="${this.startedAt}" ` +
      `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" time="${seconds(counts.time)}">\n    <properties/>\n`;
    try {
      await emit('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n');
      for (const [file, suite] of this.suites) {
        await suite.cases.commit();
        await suite.out.commit();
        await emit(head(file, suite.id, suite));
        // copied in chunks: the test cases are never all in memory at once
        for await (const chunk of createReadStream(suite.cases.target, { encoding: 'utf8' })) await emit(chunk as string);
        await emit('    <system-out>');
        for await (const chunk of createReadStream(suite.out.target, { encoding: 'utf8' })) await emit(esc(chunk as string, false));
        await emit('</system-out>\n    <system-err/>\n  </testsuite>\n');
      }
      if (s.latencyGate) {
        // --max-p95 is a check of the run as a whole: its own suite, failing when the gate does
        const g = s.latencyGate;
        const failure = g.passed ? '' : `<failure message="${esc(`turn latency p95 ${g.p95Ms} ms exceeds ${g.maxP95Ms} ms`)}" type="latency"/>`;
        await emit(head('latency', this.suites.size, { tests: 1, failures: g.passed ? 0 : 1, errors: 0, time: 0 }));
        await emit(`    <testcase name="${esc(`turn latency p95 ≤ ${g.maxP95Ms} ms`)}" classname="latency" time="0">${failure}</testcase>\n`);
        await emit(
          `    <system-out>${esc(`p95 ${g.p95Ms} ms over ${s.turns} turns (p50 ${s.latency.p50} ms, p99 ${s.latency.p99} ms)`)}</system-out>\n    <system-err/>\n  </testsuite>\n`,
        );
      }
      if (Array.isArray(s.coverage) && s.coverage.length) await emit(coverageSuite(s, this.suites.size + (s.latencyGate ? 1 : 0), head));
      await emit('</testsuites>\n');
      await target?.commit();
    } finally {
      await target?.abort();
      await this.abort();
    }
  }

  /** Removes the spool files (and their temp files): after end, or when the run stopped before it. */
  async abort(): Promise<void> {
    const { rm } = await import('node:fs/promises');
    for (const suite of this.suites.values()) {
      for (const f of [suite.cases, suite.out]) {
        await f.abort();
        await rm(f.target, { force: true });
      }
    }
  }
}

type Head = (name: string, id: number, counts: { tests: number; failures: number; errors: number; time: number }) => string;

/**
 * Coverage as its own suite: `<properties>` hold the share reached per kind (`coverage.intents` =
 * percent, `.reached`, `.total`), the chatbot model and what could not be seen; each --min-coverage
 * threshold is a test case that fails when unmet; the unreached items are in `<system-out>`.
 */
function coverageSuite(s: Summary, id: number, head: Head): string {
  const cov = s.coverage ?? [];
  const totals = coverageTotals(cov);
  const props: [string, string][] = [];
  for (const k of ['overall', 'paths', 'intents', 'dtmf', 'transfers'] as const) {
    const t = totals[k];
    if (!t.total) continue;
    props.push([`coverage.${k}`, String(t.percent)], [`coverage.${k}.reached`, String(t.reached)], [`coverage.${k}.total`, String(t.total)]);
  }
  const bots = [...new Set(cov.map((c) => (c.chatbot ? `${c.chatbot.id} (${c.chatbot.source})` : '')).filter(Boolean))];
  if (bots.length) props.push(['coverage.chatbot', bots.join(', ')]);
  const notSeen = [...new Set(cov.flatMap((c) => (Array.isArray(c.notSeen) ? c.notSeen : [])))];
  if (notSeen.length) props.push(['coverage.notSeen', notSeen.join('; ')]);
  const checks = Array.isArray(s.coverageGate?.checks) ? (s.coverageGate?.checks ?? []) : [];
  for (const c of checks) props.push([`coverage.min.${c.kind}`, String(c.min)]);
  // a shard covers part of the suite: the thresholds are checked by `vn dialogue merge`, not here
  const gated = s.shard ? [] : checks;
  const failures = gated.filter((c) => !c.passed).length;
  const cases = gated
    .map(
      (c) =>
        `    <testcase name="${esc(`coverage ${c.kind} ≥ ${c.min}%`)}" classname="coverage" time="0">${
          c.passed ? '' : `<failure message="${esc(describeCheck(c))}" type="coverage"/>`
        }</testcase>\n`,
    )
    .join('');
  const unreached = cov.flatMap((c) =>
    (Array.isArray(c.items) ? c.items : []).filter((i) => !i.hits).map((i) => `unreached on ${String(c.instanceId)}: ${i.kind} ${String(i.label)}`),
  );
  const properties = `    <properties>\n${props.map(([n, v]) => `      <property name="${esc(n)}" value="${esc(v)}"/>\n`).join('')}    </properties>\n`;
  return (
    head('coverage', id, { tests: gated.length, failures, errors: 0, time: 0 }).replace('    <properties/>\n', properties) +
    cases +
    `    <system-out>${esc(unreached.join('\n'), false)}</system-out>\n    <system-err/>\n  </testsuite>\n`
  );
}

/** Seconds as JUnit's `time` attribute wants them (xs:decimal): 0 for anything that is not a finite number. */
function seconds(ms: unknown): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? (Math.max(0, ms) / 1000).toFixed(3) : '0.000';
}

function failureMessage(failures: FailedTurn[], error: Attempt['error']): string {
  const first = Array.isArray(failures) ? failures[0] : undefined;
  return first
    ? `line ${String(first.line)} ${String(first.sent)}: ${(Array.isArray(first.mismatches) ? first.mismatches : []).map((m) => String(m?.key)).join(', ')} did not match`
    : String(error?.message ?? 'failed');
}

function failureDetail(conversationId: string, failures: FailedTurn[], error: Attempt['error']): string {
  return [
    `ConversationId ${String(conversationId)}`,
    ...(Array.isArray(failures) ? failures : []).map(
      (f) =>
        `line ${String(f?.line)} ${String(f?.sent)}\n${(Array.isArray(f?.mismatches) ? f.mismatches : []).map((m) => `  ${m?.key}: expected ${JSON.stringify(m?.expected)}, got ${JSON.stringify(m?.actual)}`).join('\n')}`,
    ),
    ...(error ? [String(error.message)] : []),
  ].join('\n');
}

function errorMessage(e: Attempt['error']): string {
  return `${e?.line ? `line ${String(e.line)} ${String(e.step ?? '')}: ` : ''}${e?.code ? `${String(e.code)}: ` : ''}${String(e?.message ?? '')}`;
}

function errorDetail(conversationId: string, e: Attempt['error']): string {
  return `ConversationId ${String(conversationId)}\n${errorMessage(e)}${e?.requestId ? `\nRequestId ${String(e.requestId)}` : ''}`;
}

function attemptLine(a: Attempt): string {
  return NOT_PASSED.has(a.outcome) && !a.error ? `${a.outcome}: ${failureMessage(a.failures, a.error)}` : `${a.outcome}: ${errorMessage(a.error)}`;
}

function flakyElement(a: Attempt): string {
  const failed = a.outcome === 'failed';
  const tag = failed ? 'flakyFailure' : 'flakyError';
  const message = failed ? failureMessage(a.failures, a.error) : errorMessage(a.error);
  const detail = failed ? failureDetail(a.conversationId, a.failures, a.error) : errorDetail(a.conversationId, a.error);
  const type = failed ? 'mismatch' : a.outcome === 'timedOut' ? 'timeout' : 'error';
  return `<${tag} message="${esc(message)}" type="${type}"><stackTrace>${esc(detail, false)}</stackTrace></${tag}>`;
}

/** XML text and attribute escaping; characters XML 1.0 forbids are dropped. */
export function esc(s: unknown, attribute = true): string {
  const text = (typeof s === 'string' ? s : s === undefined || s === null ? '' : typeof s === 'object' ? JSON.stringify(s) : String(s))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these control characters
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  return attribute ? text.replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;') : text;
}

/** The `junit` entry of the reporters' table (index.ts): Surefire's dialect. */
export const createSurefire: MakeReporter = (o) => new JunitReporter(o.out, o.file, { repeat: o.repeat, scratchDir: o.scratchDir, flavor: 'surefire' });
/** The `junit-ant` entry: the Ant XSD's dialect. */
export const createAnt: MakeReporter = (o) => new JunitReporter(o.out, o.file, { repeat: o.repeat, scratchDir: o.scratchDir, flavor: 'ant' });
