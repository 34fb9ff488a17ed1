import type { BotTurn } from '../../api/turn.js';
import type { Client } from '../../client/client.js';
import { NetworkError, ServiceError, UsageError, VnError } from '../../errors.js';
import { DialogueSession, type TurnResult } from './conversation.js';
import { type CoverageReport, CoverageTracker } from './coverage.js';
import { checkTurn, type Mismatch, MissingVariable, substitute, substituteDeep, withDefaults } from './expectations.js';
import { type Conversation, DEFAULT_CALLING_NUMBER, type DialogueEnv, type Step, type TestFile } from './format.js';
import { LatencyStats, type LatencySummary } from './stats.js';

export type Outcome = 'passed' | 'failed' | 'errored' | 'timedOut';

/** A turn whose answer missed an expectation (the only turns a result keeps). */
export interface FailedTurn {
  step: Step;
  /** What was sent, e.g. `say 我想查余额`. */
  sent: string;
  turn: BotTurn;
  latencyMs: number;
  mismatches: Mismatch[];
}

export interface ConversationResult {
  file: string;
  name: string;
  /** 1-based run of this conversation (with --repeat). */
  run: number;
  conversationId: string;
  outcome: Outcome;
  durationMs: number;
  turns: number;
  failures: FailedTurn[];
  /** Transport, service or timeout error that stopped the conversation. */
  error?: { message: string; code?: string; requestId?: string; step?: string; line?: number };
}

export interface Summary {
  conversations: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  /** Conversations that passed on some runs and not on others (with --repeat). */
  flaky: string[];
  /** Conversations not started because of --bail or an unreachable service. */
  skipped: number;
  turns: number;
  latency: LatencySummary;
  turnsPerSecond: number;
  durationMs: number;
  coverage?: CoverageReport[];
  /** Set when the service could not be reached: the command exits 3. */
  unreachable?: string;
}

export interface Reporter {
  start(info: { files: number; conversations: number }): void | Promise<void>;
  conversation(result: ConversationResult): void | Promise<void>;
  end(summary: Summary): void | Promise<void>;
}

export interface RunOptions {
  client: Client;
  /** --instance / VN_INSTANCE: wins over the file's `instance`. */
  instance?: string;
  env?: DialogueEnv;
  concurrency: number;
  repeat: number;
  grep?: RegExp;
  bail: boolean;
  /** Per-turn timeout the client was built with (to tell a timeout from other transport errors). */
  timeoutMs: number;
  coverage: boolean;
  reporters: Reporter[];
  /** Called with every failing turn, for --update. */
  onFailedTurn?: (file: TestFile, conversation: Conversation, failure: FailedTurn) => void;
}

interface Job {
  file: TestFile;
  conversation: Conversation;
  run: number;
  instanceId: string;
  env: DialogueEnv;
}

/** The instance each file runs against; every file must have one before anything is sent. */
export function resolveInstances(files: TestFile[], override: string | undefined): Map<TestFile, string> {
  const out = new Map<TestFile, string>();
  const missing: string[] = [];
  for (const f of files) {
    const id = override || f.instance;
    if (id) out.set(f, id);
    else missing.push(f.path);
  }
  if (missing.length) throw new UsageError(`no instance for ${missing.join(', ')}: set \`instance:\` in the file, --instance or VN_INSTANCE`);
  return out;
}

/**
 * Runs every selected conversation (× repeat) through a bounded pool, streaming each result to the
 * reporters; only aggregates and latency samples are kept, so memory stays flat however many run.
 */
export async function runSuites(files: TestFile[], opts: RunOptions): Promise<Summary> {
  const instances = resolveInstances(files, opts.instance);
  const selected = (f: TestFile) => f.conversations.filter((c) => !opts.grep || opts.grep.test(c.name));
  const total = files.reduce((n, f) => n + selected(f).length, 0) * opts.repeat;
  const trackers = new Map<string, CoverageTracker>();
  if (opts.coverage) {
    for (const id of new Set(instances.values())) {
      const res = await opts.client.call('DescribeNavigationConfig', { InstanceId: id });
      trackers.set(id, new CoverageTracker(id, res.data as Record<string, Record<string, unknown>>));
    }
  }
  for (const r of opts.reporters) await r.start({ files: files.length, conversations: total });

  const latency = new LatencyStats();
  const counts = { passed: 0, failed: 0, errored: 0, timedOut: 0, started: 0 };
  // bit 1: passed on some run, bit 2: did not pass on some run
  const history = new Map<string, number>();
  let stop = false;
  let unreachable: string | undefined;
  // turns per second measure conversations, not the loading of the HTTP layer
  await opts.client.warmUp?.();
  const started = performance.now();

  function* jobs(): Generator<Job> {
    for (const file of files) {
      const instanceId = instances.get(file) as string;
      const env = opts.env ?? file.env ?? 'debug';
      for (const conversation of selected(file)) for (let run = 1; run <= opts.repeat; run++) yield { file, conversation, run, instanceId, env };
    }
  }

  const queue = jobs();
  const worker = async () => {
    for (;;) {
      if (stop) return;
      const next = queue.next();
      if (next.done) return;
      counts.started++;
      const result = await runConversation(next.value, opts, latency, trackers.get(next.value.instanceId));
      counts[result.outcome]++;
      const key = `${result.file}\0${result.name}`;
      history.set(key, (history.get(key) ?? 0) | (result.outcome === 'passed' ? 1 : 2));
      if (result.error && result.error.code === UNREACHABLE) {
        unreachable ??= result.error.message;
        stop = true;
      }
      if (opts.bail && result.outcome !== 'passed') stop = true;
      for (const r of opts.reporters) await r.conversation(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, total || 1)) }, worker));

  const durationMs = performance.now() - started;
  const flaky = [...history].filter(([, bits]) => bits === 3).map(([key]) => key.replace('\0', ' › '));
  const summary: Summary = {
    conversations: counts.started,
    passed: counts.passed,
    failed: counts.failed,
    errored: counts.errored,
    timedOut: counts.timedOut,
    flaky,
    skipped: total - counts.started,
    turns: latency.count,
    latency: latency.summary(),
    turnsPerSecond: durationMs > 0 ? latency.count / (durationMs / 1000) : 0,
    durationMs,
    coverage: opts.coverage ? [...trackers.values()].map((t) => t.report()) : undefined,
    unreachable,
  };
  for (const r of opts.reporters) await r.end(summary);
  return summary;
}

/** Error code used for "the service cannot be reached" (nothing was delivered, even after retries). */
const UNREACHABLE = 'Unreachable';

async function runConversation(job: Job, opts: RunOptions, latency: LatencyStats, coverage: CoverageTracker | undefined): Promise<ConversationResult> {
  const { file, conversation } = job;
  const session = new DialogueSession(opts.client, {
    instanceId: job.instanceId,
    env: job.env,
    callingNumber: conversation.callingNumber ?? file.callingNumber ?? DEFAULT_CALLING_NUMBER,
    calledNumber: conversation.calledNumber ?? file.calledNumber,
  });
  const result: ConversationResult = {
    file: file.path,
    name: conversation.name,
    run: job.run,
    conversationId: session.conversationId,
    outcome: 'passed',
    durationMs: 0,
    turns: 0,
    failures: [],
  };
  const startedAt = performance.now();
  const vars: Record<string, string> = {};
  let previous: BotTurn | undefined;
  let begun = false;
  let current: Step | undefined;
  let sentAt = 0;
  try {
    for (const step of conversation.steps) {
      current = step;
      if (step.kind === 'end') {
        await session.end();
        continue;
      }
      const input = step.input === undefined ? undefined : substitute(step.input, vars);
      const context = step.context ? (substituteDeep(step.context, vars) as Record<string, unknown>) : undefined;
      sentAt = performance.now();
      let r: TurnResult;
      if (step.kind === 'begin') {
        begun = true;
        r = await session.begin(conversation.context ? (substituteDeep(conversation.context, vars) as Record<string, unknown>) : undefined);
      } else if (step.kind === 'say') r = await session.say(input as string, context);
      else if (step.kind === 'dtmf') r = await session.dtmf(input as string, context);
      else r = await session.silence(context);
      result.turns++;
      latency.add(r.latencyMs);
      coverage?.observe(step.kind, input, r.turn);
      const check = checkTurn(withDefaults(file.defaults, step.bot), r.turn, r.latencyMs, previous);
      Object.assign(vars, check.captures);
      if (check.mismatches.length) {
        const failure: FailedTurn = { step, sent: describeStep(step, input), turn: r.turn, latencyMs: r.latencyMs, mismatches: check.mismatches };
        result.failures.push(failure);
        opts.onFailedTurn?.(file, conversation, failure);
      }
      previous = r.turn;
    }
    result.outcome = result.failures.length ? 'failed' : 'passed';
  } catch (err) {
    const where = current ? { step: describeStep(current, current.input), line: current.line } : {};
    if (err instanceof MissingVariable) {
      result.outcome = 'failed';
      result.error = { message: err.message, ...where };
    } else {
      const timedOut =
        err instanceof NetworkError && err.maybeDelivered && (performance.now() - sentAt >= opts.timeoutMs * 0.9 || /no answer from/.test(err.message));
      result.outcome = timedOut ? 'timedOut' : 'errored';
      result.error = {
        message: timedOut ? `no answer within ${opts.timeoutMs} ms` : (err as Error).message,
        ...(err instanceof ServiceError ? { code: err.code, requestId: err.requestId } : {}),
        ...(err instanceof NetworkError && !err.maybeDelivered ? { code: UNREACHABLE } : {}),
        ...where,
      };
      if (!(err instanceof VnError)) result.error.message = `${(err as Error).message ?? String(err)}`;
      // a begin that never left this machine opened nothing to end
      if (err instanceof NetworkError && !err.maybeDelivered && current?.kind === 'begin') begun = false;
    }
  } finally {
    // every conversation is ended, pass or fail; an error here must not hide the result
    if (begun && !session.ended) await session.end().catch(() => undefined);
  }
  result.durationMs = performance.now() - startedAt;
  return result;
}

export function describeStep(step: Step, input: string | undefined): string {
  switch (step.kind) {
    case 'begin':
      return 'greeting';
    case 'say':
      return `say ${input ?? ''}`;
    case 'dtmf':
      return `dtmf ${input ?? ''}`;
    case 'silence':
      return 'silence';
    case 'end':
      return 'end';
  }
}
