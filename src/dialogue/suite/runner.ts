import type { BotTurn } from '../../api/bot-turn.js';
import type { Client } from '../../client/client.js';
import { NetworkError, ServiceError, UsageError, VnError } from '../../errors.js';
import { clientSend, DialogueSession, type TurnResult } from '../session.js';
import { needsContext } from './assertions/index.js';
import { readConversationContext, transcriptExtras } from './conversation-context.js';
import { type ChatbotModel, CoverageTracker } from './coverage.js';
import { type CoverageGate, coverageGate, type MinCoverage } from './coverage-gate.js';
import { checkTurn, isUpdatableMismatch, MissingVariable, substitute, substituteDeep, withDefaults } from './expectations.js';
import { type Conversation, DEFAULT_CALLING_NUMBER, type DialogueEnv, type Step, type TestFile } from './format.js';
import { type Attempt, type ConversationResult, type FailedTurn, NOT_PASSED } from './result.js';
import { round1, type Summary, SummaryBuilder } from './summary.js';

export {
  type Attempt,
  type ConversationError,
  type ConversationResult,
  type FailedTurn,
  NOT_PASSED,
  OUTCOMES,
  type Outcome,
  type TranscriptTurn,
} from './result.js';
export type { FlakyConversation, LatencyGate, Summary } from './summary.js';
export type { CoverageGate };

/** Where a run goes, for its header: never a secret (the endpoint without user info). */
export interface RunTarget {
  profile: string;
  endpoint: string;
  /** Each instance the files run against, with its name when DescribeInstance gave one. */
  instances: { id: string; name?: string }[];
}

export interface Reporter {
  start(info: { files: number; conversations: number; target?: RunTarget }): void | Promise<void>;
  conversation(result: ConversationResult): void | Promise<void>;
  end(summary: Summary): void | Promise<void>;
  /** Removes what the reporter keeps on disk unfinished (temp and spool files); safe after end, and more than once. */
  abort?(): Promise<void>;
}

/** A conversation picked to run, in file order. */
export interface Selected {
  file: TestFile;
  conversation: Conversation;
}

export interface RunOptions {
  client: Client;
  /** --instance / VN_INSTANCE: wins over the file's `instance`. */
  instance?: string;
  env?: DialogueEnv;
  concurrency: number;
  repeat: number;
  /** --retries: a conversation that does not pass is run again up to this many times. */
  retries: number;
  bail: boolean;
  /** Per-turn timeout the client was built with (to tell a timeout from other transport errors). */
  timeoutMs: number;
  coverage: boolean;
  /** The chatbot model coverage reads intents and DTMF entries from (--chatbots FILE, the local profile's bots). */
  chatbots?: ChatbotModel;
  /** --min-coverage: the run's coverage gate (implies coverage). */
  minCoverage?: MinCoverage;
  /** --max-p95: the run fails when the turns' latency p95 exceeds it. */
  maxP95Ms?: number;
  /** --update: a conversation whose every mismatch can be rewritten is `updated`, not failed. */
  update?: boolean;
  /** --shard, recorded in the summary. */
  shard?: { index: number; count: number };
  reporters: Reporter[];
  /** Profile, endpoint and instances, for the reports' header. */
  target?: RunTarget;
  /** Called with every failing turn of the last attempt, for --update. */
  onFailedTurn?: (file: TestFile, conversation: Conversation, step: Step, failure: FailedTurn) => void;
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
 * Each instance the run will use, checked once before any conversation starts (one DescribeInstance
 * each): a missing instance fails the run at once, naming it, instead of erroring every conversation.
 * A refusal of DescribeInstance itself (a RAM policy that grants the dialogue actions only) is no
 * reason to stop: the conversations then speak for themselves, and `warn` says so.
 */
export async function checkInstances(client: Pick<Client, 'call'>, ids: string[], warn: (text: string) => void): Promise<{ id: string; name?: string }[]> {
  const out: { id: string; name?: string }[] = [];
  for (const id of ids) {
    try {
      const res = await client.call('DescribeInstance', { InstanceId: id });
      const name = (res.data as { Name?: unknown }).Name;
      out.push(typeof name === 'string' && name !== '' ? { id, name } : { id });
    } catch (err) {
      if (err instanceof ServiceError && /NotFound|NotExist/i.test(err.code)) {
        throw new ServiceError(err.code, `instance ${id} does not exist: ${err.message}`, err.httpStatus, err.requestId, err.body);
      }
      if (err instanceof ServiceError && /Forbidden|NoPermission|NotAuthorized/i.test(err.code)) {
        warn(`warning: could not check instance ${id} (${err.code}); running anyway`);
        out.push({ id });
        continue;
      }
      throw err;
    }
  }
  return out;
}

/**
 * Runs the selected conversations (× repeat) through a bounded pool, streaming each result to the
 * reporters; only aggregates and latency samples are kept, so memory stays flat however many run.
 */
export async function runSuites(files: TestFile[], selected: Selected[], opts: RunOptions): Promise<Summary> {
  const used = files.filter((f) => selected.some((s) => s.file === f));
  const instances = resolveInstances(used, opts.instance);
  const total = selected.length * opts.repeat;
  const trackers = new Map<string, CoverageTracker>();
  if (opts.coverage || opts.minCoverage) {
    for (const id of new Set(instances.values())) {
      const res = await opts.client.call('DescribeNavigationConfig', { InstanceId: id });
      trackers.set(id, new CoverageTracker(id, res.data as Record<string, Record<string, unknown>>, opts.chatbots));
    }
  }
  for (const r of opts.reporters) await r.start({ files: used.length, conversations: total, ...(opts.target ? { target: opts.target } : {}) });

  const summary = new SummaryBuilder();
  let started = 0;
  let stop = false;
  let unreachable: string | undefined;
  // turns per second measure conversations, not the loading of the HTTP layer
  await opts.client.warmUp?.();
  const startedAt = performance.now();

  function* jobs(): Generator<Job> {
    for (const { file, conversation } of selected) {
      const instanceId = instances.get(file) as string;
      const env = opts.env ?? file.env ?? 'debug';
      for (let run = 1; run <= opts.repeat; run++) yield { file, conversation, run, instanceId, env };
    }
  }

  const queue = jobs();
  const worker = async () => {
    for (;;) {
      if (stop) return;
      const next = queue.next();
      if (next.done) return;
      started++;
      const result = await runWithRetries(next.value, opts);
      trackers.get(next.value.instanceId)?.observeConversation(result);
      summary.add(result);
      if (result.error && result.error.code === UNREACHABLE) {
        unreachable ??= result.error.message;
        stop = true;
      }
      if (opts.bail && NOT_PASSED.has(result.outcome)) stop = true;
      for (const r of opts.reporters) await r.conversation(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, total || 1)) }, worker));

  const coverage = trackers.size ? [...trackers.values()].map((t) => t.report()) : undefined;
  const result = summary.build({
    skipped: total - started,
    durationMs: performance.now() - startedAt,
    coverage,
    coverageGate: opts.minCoverage && coverage ? coverageGate(coverage, opts.minCoverage) : undefined,
    unreachable,
    maxP95Ms: opts.maxP95Ms,
    shard: opts.shard,
  });
  for (const r of opts.reporters) await r.end(result);
  return result;
}

/** Error code used for "the service cannot be reached" (nothing was delivered, even after retries). */
export const UNREACHABLE = 'Unreachable';

/**
 * A conversation and, when it does not pass, up to `retries` more attempts, each a new call with
 * its own ConversationId (no request is ever re-sent). Passing on a retry makes it flaky.
 */
async function runWithRetries(job: Job, opts: RunOptions): Promise<ConversationResult> {
  const earlier: Attempt[] = [];
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= opts.retries;
    const result = await runConversation(job, opts, last);
    const retry = !last && NOT_PASSED.has(result.outcome) && result.error?.code !== UNREACHABLE;
    if (!retry) {
      if (earlier.length) {
        result.retries = earlier;
        if (result.outcome === 'passed') result.outcome = 'flaky';
      }
      return result;
    }
    const { conversationId, outcome, durationMs, turns, failures, error, transcript } = result;
    earlier.push({ conversationId, outcome, durationMs, turns, failures, transcript, ...(error ? { error } : {}) });
  }
}

async function runConversation(job: Job, opts: RunOptions, lastAttempt: boolean): Promise<ConversationResult> {
  const { file, conversation } = job;
  const session = new DialogueSession(clientSend(opts.client), {
    instanceId: job.instanceId,
    env: job.env,
    callingNumber: conversation.callingNumber ?? file.callingNumber ?? DEFAULT_CALLING_NUMBER,
    calledNumber: conversation.calledNumber ?? file.calledNumber,
  });
  const result: ConversationResult = {
    file: file.path,
    name: conversation.name,
    ...(conversation.tags.length ? { tags: conversation.tags } : {}),
    run: job.run,
    conversationId: session.conversationId,
    outcome: 'passed',
    durationMs: 0,
    turns: 0,
    failures: [],
    transcript: [],
  };
  const failedSteps: [Step, FailedTurn][] = [];
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
      } else r = await session.send(step.kind, input, context);
      const latencyMs = round1(r.latencyMs);
      result.turns++;
      const expect = withDefaults(file.defaults, step.bot);
      // one DescribeConversationContext, only after a turn whose expectations read the context
      const after = needsContext(expect) ? await readConversationContext(opts.client, job.instanceId, session.conversationId) : undefined;
      const check = checkTurn(expect, r.turn, latencyMs, previous, opts.timeoutMs, after);
      Object.assign(vars, check.captures);
      result.transcript.push({
        line: step.line,
        kind: step.kind,
        ...(input !== undefined ? { input } : {}),
        answer: r.turn,
        latencyMs,
        ok: !check.mismatches.length,
        ...transcriptExtras(expect, after),
      });
      if (check.mismatches.length) {
        const failure: FailedTurn = {
          line: step.line,
          sent: describeStep(step, input),
          answer: r.turn,
          latencyMs,
          mismatches: check.mismatches,
          ...(after ? { context: after } : {}),
        };
        result.failures.push(failure);
        failedSteps.push([step, failure]);
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
  result.durationMs = round1(performance.now() - startedAt);
  if (lastAttempt || result.outcome === 'passed') {
    for (const [step, failure] of failedSteps) opts.onFailedTurn?.(file, conversation, step, failure);
  }
  if (
    opts.update &&
    result.outcome === 'failed' &&
    !result.error &&
    failedSteps.every(([step, f]) => f.mismatches.every((m) => isUpdatableMismatch(step, m)))
  ) {
    result.outcome = 'updated';
  }
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
