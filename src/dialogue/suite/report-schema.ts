import { COVERAGE_KINDS } from './coverage.js';
import { GATE_KINDS } from './coverage-gate.js';
import type { ConversationResult } from './result.js';
import { OUTCOMES } from './result.js';
import type { Summary } from './summary.js';

/**
 * The JSON report of `vn dialogue test --reporter json=FILE`, as `vn dialogue merge` reads it. A
 * shard's report is a CI artifact that anyone who can push may have shaped, so every field merge or
 * a reporter reads is checked for its type before anything is rendered.
 *
 * Version 1 is the document `{"schemaVersion":1,"conversations":[…],"summary":{…}}`; a report
 * without `schemaVersion` (written before it was added) has the same shape and is read as 1. Keys
 * not named here are ignored, so a later minor addition does not break an older reader.
 */
export const REPORT_SCHEMA_VERSION = 1;
/** The versions this vn reads. */
const READABLE = new Set([1]);

/** `--shard i/n` and a report's `summary.shard`: at most this many parts. */
export const MAX_SHARDS = 1000;

type Check = (v: unknown, path: string, out: string[]) => void;

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
};

const str: Check = (v, p, out) => {
  if (typeof v !== 'string') out.push(`${p} must be text, not ${describe(v)}`);
};
const count: Check = (v, p, out) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) out.push(`${p} must be a whole number ≥ 0, not ${describe(v)}`);
};
const positive: Check = (v, p, out) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) out.push(`${p} must be a whole number ≥ 1, not ${describe(v)}`);
};
const ms: Check = (v, p, out) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) out.push(`${p} must be a number of milliseconds ≥ 0, not ${describe(v)}`);
};
const bool: Check = (v, p, out) => {
  if (typeof v !== 'boolean') out.push(`${p} must be true or false, not ${describe(v)}`);
};
/** Any JSON value: what the bot sent, what an expectation said. */
const any: Check = () => undefined;
const outcome: Check = (v, p, out) => {
  if (typeof v !== 'string' || !(OUTCOMES as readonly string[]).includes(v))
    out.push(`${p} ${describe(v)} is not an outcome vn writes (${OUTCOMES.join(', ')})`);
};
const oneOf =
  (values: readonly string[]): Check =>
  (v, p, out) => {
    if (typeof v !== 'string' || !values.includes(v)) out.push(`${p} must be one of ${values.join(', ')}, not ${describe(v)}`);
  };
const list =
  (item: Check): Check =>
  (v, p, out) => {
    if (!Array.isArray(v)) return void out.push(`${p} must be a list, not ${describe(v)}`);
    for (const [i, x] of v.entries()) item(x, `${p}[${i}]`, out);
  };
const record =
  (value: Check): Check =>
  (v, p, out) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return void out.push(`${p} must be an object, not ${describe(v)}`);
    for (const [k, x] of Object.entries(v)) value(x, `${p}[${JSON.stringify(k)}]`, out);
  };
/** An object with these fields; a name ending in `?` may be absent. */
const object =
  (fields: Record<string, Check>): Check =>
  (v, p, out) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return void out.push(`${p} must be an object, not ${describe(v)}`);
    const o = v as Record<string, unknown>;
    for (const [spec, check] of Object.entries(fields)) {
      const optional = spec.endsWith('?');
      const name = optional ? spec.slice(0, -1) : spec;
      const path = p ? `${p}.${name}` : name;
      if (!Object.hasOwn(o, name) || o[name] === undefined) {
        if (!optional) out.push(`${path} is missing`);
        continue;
      }
      check(o[name], path, out);
    }
  };

const answer = object({});
const mismatch = object({ key: str, 'expected?': any, 'actual?': any });
const context = object({});
const failedTurn = object({ line: count, sent: str, answer, latencyMs: ms, mismatches: list(mismatch), 'context?': context });
const conversationError = object({ message: str, 'code?': str, 'requestId?': str, 'step?': str, 'line?': count });
const transcriptTurn = object({
  line: count,
  kind: oneOf(['begin', 'say', 'dtmf', 'silence']),
  'input?': str,
  answer,
  latencyMs: ms,
  ok: bool,
  'context?': context,
  'expect?': object({ 'intent?': str, 'action?': str }),
});
const attemptFields = {
  conversationId: str,
  outcome,
  durationMs: ms,
  turns: count,
  failures: list(failedTurn),
  'error?': conversationError,
  transcript: list(transcriptTurn),
};
const conversation = object({
  file: str,
  name: str,
  'tags?': list(str),
  run: positive,
  ...attemptFields,
  'retries?': list(object(attemptFields)),
});
const coverage = object({
  instanceId: str,
  paths: list(object({ id: str, label: str, configured: bool, hits: count })),
  actions: record(count),
  targets: record(count),
  configuredTargets: list(str),
  unseenTargets: list(str),
  'items?': list(
    object({ kind: oneOf(COVERAGE_KINDS), id: str, label: str, sources: list(str), hits: count, reachedBy: list(object({ file: str, name: str })) }),
  ),
  'chatbot?': object({ id: str, name: str, source: str }),
  'notSeen?': list(str),
});
const percent: Check = (v, p, out) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) out.push(`${p} must be a percent from 0 to 100, not ${describe(v)}`);
};
const coverageGate = object({
  checks: list(object({ kind: oneOf(GATE_KINDS), min: percent, reached: count, total: count, 'percent?': percent, passed: bool })),
  passed: bool,
});
const shard: Check = (v, p, out) => {
  const before = out.length;
  object({ index: positive, count: positive })(v, p, out);
  if (out.length > before) return;
  const s = v as { index: number; count: number };
  if (s.count > MAX_SHARDS) out.push(`${p}.count must be at most ${MAX_SHARDS}, not ${s.count}`);
  else if (s.index > s.count) out.push(`${p}.index ${s.index} is more than ${p}.count ${s.count}`);
};
const summary = object({
  conversations: count,
  passed: count,
  flaky: count,
  failed: count,
  errored: count,
  timedOut: count,
  updated: count,
  skipped: count,
  flakyConversations: list(object({ file: str, name: str, runs: count, passed: count, flaky: count, failed: count })),
  turns: count,
  latency: object({ count: count, p50: ms, p95: ms, p99: ms, max: ms, mean: ms }),
  turnsPerSecond: ms,
  durationMs: ms,
  'latencyGate?': object({ maxP95Ms: positive, p95Ms: ms, passed: bool }),
  'coverage?': list(coverage),
  'coverageGate?': coverageGate,
  'unreachable?': str,
  'shard?': shard,
  'merged?': positive,
});

export interface Report {
  conversations: ConversationResult[];
  summary: Summary;
}

/**
 * The problems of a parsed JSON report, each `field: what is wrong` (at most `limit`); empty when it
 * is a report this vn reads.
 */
export function reportProblems(doc: unknown, limit = 10): string[] {
  const out: string[] = [];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [`the document must be an object, not ${describe(doc)}`];
  const version = (doc as { schemaVersion?: unknown }).schemaVersion;
  if (version !== undefined && !(typeof version === 'number' && READABLE.has(version))) {
    return [
      typeof version === 'number' && Number.isSafeInteger(version) && version > REPORT_SCHEMA_VERSION
        ? `schemaVersion ${version} is newer than this vn reads (${[...READABLE].join(', ')}): upgrade vn`
        : `schemaVersion must be ${[...READABLE].join(' or ')}, not ${describe(version)}`,
    ];
  }
  if (!Object.hasOwn(doc, 'conversations') && !Object.hasOwn(doc, 'summary'))
    return ['not a JSON report of vn dialogue test (it has no conversations and no summary)'];
  object({ conversations: list(conversation), summary })(doc, '', out);
  return out.slice(0, limit);
}
