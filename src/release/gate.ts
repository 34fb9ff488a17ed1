import type { Client } from '../client/client.js';
import type { SandboxClientFor } from '../dialogue/sandbox.js';
import type { CoverageReport } from '../dialogue/suite/coverage.js';
import { type CoverageGate, describeCheck, type MinCoverage } from '../dialogue/suite/coverage-gate.js';
import type { Conversation, TestFile } from '../dialogue/suite/format.js';
import type { ConversationResult, Outcome, Reporter, Selected } from '../dialogue/suite/runner.js';
import type { Summary } from '../dialogue/suite/summary.js';
import { CoverageUnmet, ReleaseRefused, UsageError } from '../errors.js';
import type { Change, InstancePlan } from '../manifest/plan.js';

/**
 * The test gate of `vn apply --test` and `vn diff --test` (docs/config-as-code.md, "The test gate"):
 * the suites run twice before anything is written, once on the instances as they are now and once on
 * them with the planned change, each in a sandbox emulator of this process (src/dialogue/sandbox.ts)
 * answering with the given chatbots (or the demo bot). A test that passes now and not with the
 * change refuses the apply. A chatbot that lives on the service cannot be copied into a sandbox: for
 * such a bot the suites run on a staging instance of the service instead (`--test-target`).
 */

/** A turn of a test that broke: what was sent, and each expectation the answer missed, in words. */
export interface BrokenTurn {
  line: number;
  sent: string;
  misses: string[];
}

export interface GateTest {
  file: string;
  name: string;
  /** The instance (its live id) the test ran against. */
  instanceId: string;
  current: Outcome;
  planned: Outcome;
}

export interface BrokenTest extends GateTest {
  turns: BrokenTurn[];
  /** What stopped the conversation on the planned configuration, if anything did. */
  error?: string;
}

export interface GateResult {
  /** Where the suites ran: `sandbox` (in this process) or a staging instance. */
  where: string;
  chatbots: string;
  tests: GateTest[];
  /** Passed on the current configuration, not on the planned one: the apply is refused. */
  broke: BrokenTest[];
  /** Did not pass on the current configuration, passes on the planned one. */
  fixed: GateTest[];
  /** Did not pass on either: not the change's doing, so no reason to refuse (named, still). */
  failingBoth: GateTest[];
  /** Instances the gate could not test (a new instance has no current configuration). */
  notes: string[];
  /** Coverage of the runs on the current configuration: which tests exercise what (the plan's impact). */
  coverage: CoverageReport[];
  /** The same on the planned configuration (for --min-coverage). */
  plannedCoverage: CoverageReport[];
  /** --min-coverage against the planned configuration's coverage. */
  coverageGate?: CoverageGate;
}

export interface GateOptions {
  /** --test values: files, directories or globs of test files. */
  patterns: string[];
  /** The suites of `patterns`, when the command has read them already (with its flags). */
  suites?: Suites;
  /** --chatbots FILE; undefined: the emulator's demo bot. */
  chatbots?: string;
  clientFor: SandboxClientFor;
  timeoutMs: number;
  /** Where globs are expanded from (the process's working directory). */
  cwd?: string;
  /** --min-coverage: what the suites must reach on the planned configuration. */
  minCoverage?: MinCoverage;
}

export interface Suites {
  files: TestFile[];
  selected: Selected[];
}

/** The suites, read and validated before anything runs (exit 2 with every problem, file:line:col). */
export async function loadSuites(patterns: string[], cwd?: string): Promise<Suites> {
  const { loadTestFiles } = await import('../dialogue/suite/files.js');
  const { selectConversations } = await import('../dialogue/suite/select.js');
  const files: TestFile[] = await loadTestFiles(patterns, cwd);
  const selected = selectConversations(files, {});
  if (selected.length === 0) throw new UsageError(`--test ${patterns.join(' ')}: the files hold no conversation`);
  return { files, selected };
}

/**
 * The export document of an instance with the plan's changes made to it: the configuration the
 * apply would leave. `changes` are in file form (the plan's), so they go in as the file has them.
 */
export function plannedDocument(current: Record<string, unknown>, changes: Change[]): Record<string, unknown> {
  const doc: Record<string, unknown> = structuredClone(current);
  for (const c of changes) {
    if (c.to === undefined) continue;
    if (c.section === 'instance') doc[c.field] = c.to;
    else doc[c.section] = { ...((doc[c.section] as Record<string, unknown> | undefined) ?? {}), [c.field]: c.to };
  }
  return doc;
}

/** Which gated instance each test file runs against: the only one, else the file's `instance:` (a live id or name). */
export function assignFiles(files: TestFile[], instances: { id: string; name: string }[]): Map<TestFile, string> {
  const out = new Map<TestFile, string>();
  const problems: string[] = [];
  for (const f of files) {
    if (instances.length === 1) {
      out.set(f, (instances[0] as { id: string }).id);
      continue;
    }
    const hit = instances.find((i) => f.instance !== undefined && (i.id === f.instance || i.name === f.instance));
    if (hit) out.set(f, hit.id);
    else
      problems.push(
        `${f.path}: the plan changes ${instances.length} instances (${instances.map((i) => i.name).join(', ')}); say which this file tests with \`instance:\` (an id or a name)`,
      );
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  return out;
}

/** One run of the suites: each file on the instance `target` maps its live id to. */
async function runOnce(
  client: Client,
  model: import('../dialogue/suite/coverage.js').ChatbotModel | undefined,
  suites: { files: TestFile[]; selected: Selected[] },
  assigned: Map<TestFile, string>,
  target: (liveId: string) => string,
  timeoutMs: number,
): Promise<{ results: Map<string, ConversationResult & { liveId: string }>; coverage: CoverageReport[]; unreachable?: string }> {
  const { runSuites } = await import('../dialogue/suite/runner.js');
  const results = new Map<string, ConversationResult & { liveId: string }>();
  const coverage: CoverageReport[] = [];
  let unreachable: string | undefined;
  for (const liveId of new Set(assigned.values())) {
    const files = suites.files.filter((f) => assigned.get(f) === liveId);
    const selected = suites.selected.filter((s) => files.includes(s.file));
    const collect: Reporter = {
      start() {},
      end() {},
      conversation(r) {
        results.set(testKey(r), { ...r, liveId });
      },
    };
    const summary: Summary = await runSuites(files, selected, {
      client,
      instance: target(liveId),
      concurrency: 4,
      repeat: 1,
      retries: 0,
      bail: false,
      timeoutMs,
      coverage: true,
      ...(model ? { chatbots: model } : {}),
      reporters: [collect],
    });
    coverage.push(...(summary.coverage ?? []).map((c) => ({ ...c, instanceId: liveId })));
    unreachable ??= summary.unreachable;
  }
  return { results, coverage, ...(unreachable ? { unreachable } : {}) };
}

function testKey(r: { file: string; name: string }): string {
  return `${r.file}\0${r.name}`;
}

const PASSING: ReadonlySet<Outcome> = new Set(['passed', 'flaky']);

/** The runs on both sides, compared test by test. */
export function compareRuns(
  suites: { selected: Selected[] },
  current: Map<string, ConversationResult & { liveId: string }>,
  planned: Map<string, ConversationResult & { liveId: string }>,
): Pick<GateResult, 'tests' | 'broke' | 'fixed' | 'failingBoth'> {
  const tests: GateTest[] = [];
  const broke: BrokenTest[] = [];
  const fixed: GateTest[] = [];
  const failingBoth: GateTest[] = [];
  for (const { file, conversation } of suites.selected) {
    const key = testKey({ file: file.path, name: conversation.name });
    const a = current.get(key);
    const b = planned.get(key);
    if (!a || !b) continue;
    const t: GateTest = { file: file.path, name: conversation.name, instanceId: a.liveId, current: a.outcome, planned: b.outcome };
    tests.push(t);
    const was = PASSING.has(a.outcome);
    const is = PASSING.has(b.outcome);
    if (was && !is) broke.push({ ...t, turns: brokenTurns(conversation, b), ...(b.error ? { error: b.error.message } : {}) });
    else if (!was && is) fixed.push(t);
    else if (!was && !is) failingBoth.push(t);
  }
  return { tests, broke, fixed, failingBoth };
}

function brokenTurns(_c: Conversation, r: ConversationResult): BrokenTurn[] {
  return r.failures.map((f) => ({
    line: f.line,
    sent: f.sent,
    misses: f.mismatches.map((m) => `${String(m.key)}: expected ${short(m.expected)}, got ${short(m.actual)}`),
  }));
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? '(nothing)' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/**
 * Runs the gate: the plans' instances that exist now (`current`: their export documents, by live
 * id) in one sandbox as they are and in another as the plan leaves them, the suites on each.
 */
export async function runGate(plans: InstancePlan[], current: Map<string, Record<string, unknown>>, opts: GateOptions): Promise<GateResult> {
  const suites = opts.suites ?? (await loadSuites(opts.patterns, opts.cwd));
  const gated = plans.filter((p) => p.live && current.has(p.live.id));
  const notes = plans
    .filter((p) => !p.live)
    .map((p) => `"${p.desired.name}" is created by this plan: it has no current configuration to test against, so the gate leaves it out`);
  if (gated.length === 0) throw new UsageError('--test: the plan changes no existing instance, so there is nothing to compare the change against');
  const instances = gated.map((p) => ({ id: p.live?.id as string, name: p.live?.name as string }));
  const assigned = assignFiles(suites.files, instances);
  const { openSandbox } = await import('../dialogue/sandbox.js');
  const side = async (docs: Record<string, unknown>[], label: string) => {
    const sandbox = await openSandbox({ manifest: docs, chatbots: opts.chatbots, clientFor: opts.clientFor, manifestName: label });
    try {
      const ids = new Map(instances.map((inst, i) => [inst.id, (sandbox.instances[i] as { id: string }).id]));
      const model = { bots: sandbox.chatbots.bots, source: sandbox.chatbots.source };
      return {
        ...(await runOnce(sandbox.client, model, suites, assigned, (liveId) => ids.get(liveId) as string, opts.timeoutMs)),
        chatbots: sandbox.chatbots.source,
      };
    } finally {
      await sandbox.close();
    }
  };
  const now = gated.map((p) => current.get(p.live?.id as string) as Record<string, unknown>);
  const before = await side(now, 'the current configuration');
  const after = await side(
    gated.map((p, i) => plannedDocument(now[i] as Record<string, unknown>, p.changes)),
    'the planned configuration',
  );
  const { coverageGate } = await import('../dialogue/suite/coverage-gate.js');
  return {
    where: 'sandbox',
    chatbots: before.chatbots,
    ...compareRuns(suites, before.results, after.results),
    notes,
    coverage: before.coverage,
    plannedCoverage: after.coverage,
    ...(opts.minCoverage ? { coverageGate: coverageGate(after.coverage, opts.minCoverage) } : {}),
  };
}

/** The gate's report, one line each, for stderr (the plan is on stdout). */
export function gateLines(g: GateResult): string[] {
  const lines = [
    `test gate (${g.where}, chatbots: ${g.chatbots}): ${g.tests.length} test${g.tests.length === 1 ? '' : 's'} on the current configuration and on the planned one`,
  ];
  for (const n of g.notes) lines.push(`  note: ${n}`);
  for (const b of g.broke) {
    lines.push(`  broke: ${b.file}: "${b.name}" (${b.current} now, ${b.planned} with the change)`);
    for (const t of b.turns) for (const m of t.misses) lines.push(`    line ${t.line} ${t.sent}: ${m}`);
    if (b.error) lines.push(`    ${b.error}`);
  }
  for (const f of g.fixed) lines.push(`  fixed: ${f.file}: "${f.name}" (${f.current} now, passes with the change)`);
  if (g.failingBoth.length) lines.push(`  failing before and after the change (not its doing): ${g.failingBoth.map((f) => `"${f.name}"`).join(', ')}`);
  if (g.broke.length === 0) lines.push('  no test that passes now fails with the change');
  if (g.coverageGate) lines.push(`  coverage with the change: ${g.coverageGate.checks.map(describeCheck).join(', ')}`);
  return lines;
}

/**
 * The gate for a plan read from the service through `api`: the current configuration of each
 * instance the plan touches is exported (every section) and the suites run on it and on the
 * plan's result. Undefined when the plan changes nothing (there is nothing to test).
 */
export async function gatePlan(api: import('../manifest/live.js').Api, plans: InstancePlan[], opts: GateOptions): Promise<GateResult | undefined> {
  if (plans.every((p) => p.action === 'unchanged')) return undefined;
  const { exportInstances } = await import('../manifest/export.js');
  const ids = plans.filter((p) => p.live && p.action === 'update').map((p) => p.live?.id as string);
  const docs = await exportInstances(api, ids);
  const current = new Map(docs.map((d, i) => [ids[i] as string, d]));
  return runGate(
    plans.filter((p) => p.action !== 'unchanged'),
    current,
    opts,
  );
}

/** Refuses when a test broke (exit 11), else when --min-coverage is unmet with the change (exit 9); the report is already printed. */
export function enforceGate(g: GateResult | undefined, what: string): void {
  if (!g) return;
  const n = g.broke.length;
  if (n > 0)
    throw new ReleaseRefused(
      `${n} test${n === 1 ? '' : 's'} that pass${n === 1 ? 'es' : ''} on the current configuration fail${n === 1 ? 's' : ''} with the change: ${what}`,
    );
  if (g.coverageGate && !g.coverageGate.passed) {
    const unmet = g.coverageGate.checks.filter((c) => !c.passed).map(describeCheck);
    throw new CoverageUnmet(`--min-coverage is not met with the change (${unmet.join(', ')}): ${what}`);
  }
}

/** The plan's data with the gate's verdict (the tests, not the coverage behind the impact). */
export function withGate<T extends object>(data: T, g: GateResult | undefined): T {
  if (!g) return data;
  const { coverage: _c, plannedCoverage: _p, ...verdict } = g;
  return { ...data, gate: { ...verdict, refused: g.broke.length > 0 || g.coverageGate?.passed === false } };
}

/**
 * `--test-target STAGING`: the gate on a staging instance of the service, for a bot whose logic
 * lives there (a sandbox cannot copy a cloud chatbot). The staging instance is first given the
 * target's current configuration (its name kept), the suites run; then the planned change, the
 * suites run again. Staging is left with the planned configuration; the target is not touched.
 */
export async function gateOnStaging(
  api: import('../manifest/live.js').Api,
  plans: InstancePlan[],
  stagingId: string,
  opts: Omit<GateOptions, 'clientFor' | 'chatbots'> & { client: Client; log: (line: string) => void },
): Promise<GateResult | undefined> {
  const changing = plans.filter((p) => p.action !== 'unchanged');
  if (changing.length === 0) return undefined;
  const target = changing[0];
  if (changing.length > 1 || !target?.live)
    throw new UsageError('--test-target tests one existing instance on staging: the plan must change exactly one instance that exists');
  if (target.live.id === stagingId) throw new UsageError('--test-target must be another instance than the one the plan changes');
  const suites = opts.suites ?? (await loadSuites(opts.patterns, opts.cwd));
  const { exportInstances } = await import('../manifest/export.js');
  const [current, staging] = await exportInstances(api, [target.live.id, stagingId]);
  const stagingName = String((staging as Record<string, unknown>).name);
  const put = async (doc: Record<string, unknown>, what: string) => {
    const { readOnly: _r, ...rest } = doc;
    const { parseConfigFile } = await import('../manifest/load.js');
    const { makePlan, matchLive } = await import('../manifest/plan.js');
    const { executePlan } = await import('../manifest/apply.js');
    const config = await parseConfigFile(`${what} for staging`, JSON.stringify({ ...rest, id: stagingId, name: stagingName }));
    const plan = makePlan(config.instances, await matchLive(api, config.instances));
    const done = await executePlan(api, plan, () => undefined);
    opts.log(`  staging ${stagingName} (${stagingId}): ${what} (${done.applied.length} write${done.applied.length === 1 ? '' : 's'})`);
  };
  const assigned = new Map(suites.files.map((f) => [f, target.live?.id as string]));
  const run = () => runOnce(opts.client, undefined, suites, assigned, () => stagingId, opts.timeoutMs);
  await put(current as Record<string, unknown>, 'given the current configuration');
  const before = await run();
  if (before.unreachable) throw new (await import('../errors.js')).NetworkError(`the service could not be reached: ${before.unreachable}`, false);
  await put(plannedDocument(current as Record<string, unknown>, target.changes), 'given the planned configuration (left so)');
  const after = await run();
  const { coverageGate } = await import('../dialogue/suite/coverage-gate.js');
  return {
    where: `staging instance ${stagingName} (${stagingId})`,
    chatbots: 'the staging instance’s own',
    ...compareRuns(suites, before.results, after.results),
    notes: [],
    coverage: before.coverage,
    plannedCoverage: after.coverage,
    ...(opts.minCoverage ? { coverageGate: coverageGate(after.coverage, opts.minCoverage) } : {}),
  };
}
