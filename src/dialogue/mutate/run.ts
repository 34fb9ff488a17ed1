import { openSandbox, type Sandbox, type SandboxClientFor } from '../sandbox.js';
import type { DialogueEnv, TestFile } from '../suite/format.js';
import { type ConversationResult, NOT_PASSED, type Reporter, runSuites, type Selected } from '../suite/runner.js';
import { type Copy, describeMutant, generateMutants, type Mutant, type MutantKind, mutate } from './mutants.js';

/**
 * Mutation testing of a suite: the suite runs on an emulator copy of the instance (the baseline),
 * then on one copy per mutant, a few at a time, each on its own in-process emulator (a sandbox),
 * until every mutant ran or the time is up. A mutant is killed when a conversation that passed on
 * the copy does not pass on it.
 */

export type MutantStatus = 'killed' | 'survived' | 'notRun' | 'invalid';

export interface MutantResult {
  id: number;
  kind: MutantKind;
  path: string;
  from: string;
  to: string;
  /** The mutant in one line: `silenceTimeout.finalAction: HangUp → TransferToAgent`. */
  description: string;
  status: MutantStatus;
  /** The conversation that noticed it (killed): the first that did not pass, at its first failing turn. */
  killedBy?: { file: string; name: string; line?: number; turn?: string; why: string };
  /** Why it survived (what no test does), why it was not run, or why it is invalid. */
  reason?: string;
  durationMs?: number;
}

export interface MutationReport {
  /** What this document is (beside the suite's JSON report, which `vn dialogue merge` reads). */
  kind: 'mutation';
  schemaVersion: 1;
  instance: { id: string; name?: string };
  /** Where the chatbot came from: a file's path, or `built-in` (the demo bot). */
  chatbots: string;
  baseline: {
    conversations: number;
    passed: number;
    /** Conversations that did not pass on the unmutated copy: left out of every mutant's run. */
    excluded: { file: string; name: string; outcome: string; why: string }[];
    durationMs: number;
  };
  mutants: MutantResult[];
  total: number;
  killed: number;
  survived: number;
  notRun: number;
  invalid: number;
  /** killed / (killed + survived); null when no mutant ran. */
  score: number | null;
  durationMs: number;
  mutantsPerSecond: number;
  /** --mutate-timeout in ms. */
  timeoutMs: number;
  /** --min-mutation-score, and whether the score met it. */
  gate?: { minScore: number; passed: boolean };
}

export interface MutationOptions {
  files: TestFile[];
  selected: Selected[];
  copy: Copy;
  instance: { id: string; name?: string };
  chatbotsSource: string;
  /** The name the sandbox's messages give the copy's manifest (a problem in an exported configuration names it). */
  manifestName?: string;
  clientFor: SandboxClientFor;
  /** Per-turn timeout of the clients clientFor makes (to tell a timeout from other errors). */
  turnTimeoutMs: number;
  /** Conversations run at a time within one run. */
  concurrency: number;
  /** Mutants run at a time. */
  parallel: number;
  /** The whole run's limit (baseline included), ms. */
  timeoutMs: number;
  env?: DialogueEnv;
  minScore?: number;
  /** Called after each mutant (a progress line). */
  onMutant?: (done: number, total: number, result: MutantResult) => void;
}

/** Mutants run at a time by default: each is an emulator and a suite in this process (I/O overlaps, the CPU is shared). */
export const DEFAULT_PARALLEL = 4;

export async function runMutation(opts: MutationOptions): Promise<MutationReport> {
  const startedAt = performance.now();
  const deadline = startedAt + opts.timeoutMs;
  const mutants = generateMutants(opts.copy);

  // the baseline: the suite on the unmutated copy
  const base = await runOn(opts.copy, opts.selected, opts, { bail: false });
  const passedResults = base.results.filter((r) => !NOT_PASSED.has(r.outcome));
  const excluded = base.results.filter((r) => NOT_PASSED.has(r.outcome)).map((r) => ({ file: r.file, name: r.name, outcome: r.outcome, why: whyNotPassed(r) }));
  const keep = new Set(passedResults.map((r) => `${r.file}\0${r.name}`));
  const selected = opts.selected.filter((s) => keep.has(`${s.file.path}\0${s.conversation.name}`));
  const baseline = { conversations: base.results.length, passed: passedResults.length, excluded, durationMs: round(base.durationMs) };

  const results: MutantResult[] = mutants.map((m) => ({ ...head(m), status: 'notRun', reason: 'time ran out (--mutate-timeout)' }));
  if (selected.length === 0) {
    for (const r of results) r.reason = 'no test passes on the unmutated copy';
  } else {
    let next = 0;
    let done = 0;
    let timeUp = performance.now() >= deadline;
    const running = new Set<Sandbox>();
    // when the time is up, the runs under way are cut short (their emulators closed) and not counted
    const timer = setTimeout(
      () => {
        timeUp = true;
        for (const s of running) void s.close();
      },
      Math.max(0, deadline - performance.now()),
    );
    timer.unref?.();
    const worker = async () => {
      while (!timeUp && next < mutants.length) {
        const i = next++;
        const m = mutants[i] as Mutant;
        const r = await runMutant(m, selected, passedResults, opts, running, () => timeUp);
        if (!timeUp) results[i] = r;
        done++;
        opts.onMutant?.(done, mutants.length, results[i] as MutantResult);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, mutants.length)) }, worker));
    } finally {
      clearTimeout(timer);
      for (const s of running) await s.close();
    }
  }

  const count = (s: MutantStatus) => results.filter((r) => r.status === s).length;
  const killed = count('killed');
  const survived = count('survived');
  const ran = killed + survived;
  const score = ran === 0 ? null : killed / ran;
  const durationMs = performance.now() - startedAt;
  return {
    kind: 'mutation',
    schemaVersion: 1,
    instance: opts.instance,
    chatbots: opts.chatbotsSource,
    baseline,
    mutants: results,
    total: mutants.length,
    killed,
    survived,
    notRun: count('notRun'),
    invalid: count('invalid'),
    score,
    durationMs: round(durationMs),
    mutantsPerSecond: Math.round((ran / (durationMs / 1000)) * 10) / 10,
    timeoutMs: opts.timeoutMs,
    ...(opts.minScore !== undefined ? { gate: { minScore: opts.minScore, passed: score !== null && score >= opts.minScore } } : {}),
  };
}

function head(m: Mutant): Pick<MutantResult, 'id' | 'kind' | 'path' | 'from' | 'to' | 'description'> {
  return { id: m.id, kind: m.kind, path: m.path, from: m.from, to: m.to, description: describeMutant(m) };
}

async function runMutant(
  m: Mutant,
  selected: Selected[],
  baseline: ConversationResult[],
  opts: MutationOptions,
  running: Set<Sandbox>,
  timeUp: () => boolean,
): Promise<MutantResult> {
  const startedAt = performance.now();
  let sandbox: Sandbox;
  try {
    const copy = mutate(opts.copy, m);
    sandbox = await openSandbox({ ...sandboxNamed(opts), manifest: copy.manifest, chatbots: copy.bots, clientFor: opts.clientFor });
  } catch (err) {
    // a mutant the API would refuse is no test of the suite
    return { ...head(m), status: 'invalid', reason: (err as Error).message.split('\n')[0] as string };
  }
  running.add(sandbox);
  try {
    if (timeUp()) return { ...head(m), status: 'notRun', reason: 'time ran out (--mutate-timeout)' };
    const { results } = await runSuitesOn(sandbox, selected, opts, { bail: true });
    const durationMs = round(performance.now() - startedAt);
    const failed = results.find((r) => NOT_PASSED.has(r.outcome));
    if (failed) {
      const f = failed.failures[0];
      const killedBy = {
        file: failed.file,
        name: failed.name,
        ...(f ? { line: f.line, turn: f.sent } : failed.error?.line !== undefined ? { line: failed.error.line, turn: failed.error.step } : {}),
        why: f ? `${f.mismatches.map((x) => String(x.key)).join(', ')} did not match` : (failed.error?.message ?? failed.outcome),
      };
      return { ...head(m), status: 'killed', killedBy, durationMs };
    }
    return { ...head(m), status: 'survived', reason: survivalReason(m, baseline), durationMs };
  } finally {
    running.delete(sandbox);
    await sandbox.close();
  }
}

/** What no test does: `m.needs` when no test went through the change; else which one did, and that it checked nothing there that changed. */
function survivalReason(m: Mutant, baseline: ConversationResult[]): string {
  for (const r of baseline) {
    const t = r.transcript.find((x) => m.reached(x));
    if (t) return `“${r.name}” (${r.file}:${t.line}) goes through it, but checks nothing there that changed`;
  }
  return m.needs;
}

async function runOn(copy: Copy, selected: Selected[], opts: MutationOptions, o: { bail: boolean }) {
  const sandbox = await openSandbox({ ...sandboxNamed(opts), manifest: copy.manifest, chatbots: copy.bots, clientFor: opts.clientFor });
  try {
    return await runSuitesOn(sandbox, selected, opts, o);
  } finally {
    await sandbox.close();
  }
}

async function runSuitesOn(sandbox: Sandbox, selected: Selected[], opts: MutationOptions, o: { bail: boolean }) {
  const results: ConversationResult[] = [];
  const collect: Reporter = {
    start() {},
    conversation(r) {
      results.push(r);
    },
    end() {},
  };
  const files = opts.files.filter((f) => selected.some((s) => s.file === f));
  const summary = await runSuites(files, selected, {
    client: sandbox.client,
    instance: sandbox.instanceId,
    ...(opts.env ? { env: opts.env } : {}),
    concurrency: opts.concurrency,
    repeat: 1,
    retries: 0,
    bail: o.bail,
    timeoutMs: opts.turnTimeoutMs,
    coverage: false,
    reporters: [collect],
  });
  return { results, durationMs: summary.durationMs };
}

function sandboxNamed(opts: MutationOptions): { manifestName?: string } {
  return opts.manifestName ? { manifestName: opts.manifestName } : {};
}

function whyNotPassed(r: ConversationResult): string {
  const f = r.failures[0];
  if (f) return `line ${f.line} (${f.sent}): ${f.mismatches.map((x) => String(x.key)).join(', ')} did not match`;
  return r.error?.message ?? r.outcome;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
