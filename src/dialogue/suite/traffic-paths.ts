import { createHash } from 'node:crypto';
import { BOT_ACTIONS } from '../../api/bot-actions.js';
import { type BotTurn, parsedParams } from '../../api/bot-turn.js';
import { escapeJsonControls } from '../../output/sanitize.js';
import type { DialogueEnv, Expectation, StepKind } from './format.js';
import type { RecordedStep } from './from-conversation.js';

/**
 * Tests from traffic: real conversations, scrubbed of personal data, grouped by the path they took,
 * one test file per path (`vn stats conversations --as-tests`); and the same path notion for
 * weighting a suite's coverage by traffic (traffic-coverage.ts).
 *
 * **The path** of a conversation is the sequence of its turns, each written as
 * `KIND [INPUT] → ACTION [PARAMS]`: the kind (greeting, say, dtmf, silence), what the caller said or
 * keyed after scrubbing and with runs of white space made one space, the Action the bot answered
 * and its ActionParams after scrubbing (keys sorted). The bot's text is not part of it (a reworded
 * prompt is the same path; the test still checks the text), nor is the context a turn carried (the
 * test keeps the first conversation's). Two conversations took the same path when these sequences
 * are equal; the path's id is the first 8 hex digits of the SHA-256 of the sequence.
 */

/** `--scrub-digits`: digit strings of more than this many digits become placeholders. */
export const DEFAULT_SCRUB_DIGITS = 4;
/** The calling number every test from traffic is begun with (the callers' own are never written). */
export const SCRUBBED_CALLING_NUMBER = '00000000000';

const DIGIT = '[0-9０-９]';
/** A run of digits, single spaces or hyphens between them counted in (138-1234-5678 is one number). */
const DIGIT_RUN = new RegExp(`${DIGIT}(?:[ -]?${DIGIT})*`, 'g');

/**
 * What is personal in a conversation, replaced: each calling number of the source wherever it
 * appears, and every digit string of more than `maxDigits` digits (ASCII or full-width; separated
 * by single spaces or hyphens still counts as one). A replaced string keeps its length and its
 * separators and has every digit made `0`, so a caller's 16-digit card number is
 * `0000000000000000` whoever called, and a bot that echoes it echoes the placeholder.
 */
export class Scrubber {
  private readonly numbers: string[];
  constructor(
    readonly maxDigits: number,
    callingNumbers: Iterable<string> = [],
  ) {
    // longest first, so a number is never half replaced by a shorter one it contains
    this.numbers = [...new Set([...callingNumbers].map((n) => n.trim()).filter((n) => /\d{3,}/.test(n)))].sort((a, b) => b.length - a.length);
  }

  /** Where a text holds personal data: the spans to replace. */
  private spans(text: string): [number, number][] {
    const out: [number, number][] = [];
    for (const n of this.numbers) {
      for (let i = text.indexOf(n); i >= 0; i = text.indexOf(n, i + n.length)) out.push([i, i + n.length]);
    }
    for (const m of text.matchAll(DIGIT_RUN)) {
      const digits = m[0].replace(/[ -]/g, '').length;
      if (digits > this.maxDigits) out.push([m.index, m.index + m[0].length]);
    }
    out.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const s of out) {
      const last = merged.at(-1);
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1]]);
    }
    return merged;
  }

  /** The text with each personal span's digits made 0 (its length and separators kept). */
  text(text: string): string {
    let out = '';
    let at = 0;
    for (const [a, b] of this.spans(text)) {
      out += text.slice(at, a) + text.slice(a, b).replace(new RegExp(DIGIT, 'g'), '0');
      at = b;
    }
    return out + text.slice(at);
  }

  /**
   * A bot's text as a regular expression when it holds personal data: the rest of it literally, each
   * span any digit string (the bot may say a caller's balance, or echo a number that the test sends
   * as a placeholder). Undefined when there is nothing to scrub.
   */
  pattern(text: string): string | undefined {
    const spans = this.spans(text);
    if (spans.length === 0) return undefined;
    let out = '';
    let at = 0;
    for (const [a, b] of spans) {
      out += `${escapeRegex(text.slice(at, a))}${DIGIT}[0-9０-９ -]*`;
      at = b;
    }
    return out + escapeRegex(text.slice(at));
  }

  /** A JSON value with every string (and number) scrubbed; a number that held personal digits becomes its scrubbed text. */
  deep(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (typeof v === 'number') {
      const s = String(v);
      const t = this.text(s);
      return t === s ? v : t;
    }
    if (Array.isArray(v)) return v.map((x) => this.deep(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.deep(x)]));
    return v;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A JSON value as text with its object keys sorted (equal values, equal text). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** One turn as the path sees it: what the caller did and what the bot answered. */
export interface PathTurn {
  kind: StepKind;
  input?: string;
  turn: BotTurn;
}

export interface PathOf {
  /** 8 hex digits. */
  id: string;
  /** The turns, `·` between them: `greeting → Broadcast · say "我想查余额" → Broadcast · dtmf "2" → TransferToAgent {"skillGroupId":"…"}`. */
  label: string;
}

/** The path a conversation took (see the top of this file), from its turns. */
export function pathOf(turns: readonly PathTurn[], scrub: Scrubber): PathOf {
  const parts: string[] = [];
  for (const t of turns) {
    if (t.kind === 'end') continue;
    const kind = t.kind === 'begin' ? 'greeting' : t.kind;
    const input = t.input === undefined || t.kind === 'silence' ? '' : ` ${JSON.stringify(scrub.text(t.input).trim().replace(/\s+/g, ' '))}`;
    const params = parsedParams(t.turn);
    const shownParams = params === undefined ? '' : ` ${canonical(scrub.deep(params))}`;
    const action = typeof t.turn.Action === 'string' && /^[A-Za-z]+$/.test(t.turn.Action) ? t.turn.Action : JSON.stringify(t.turn.Action ?? '');
    parts.push(`${kind}${input} → ${action}${shownParams}`);
  }
  // the label goes into files' comments and reports: DEL, C1 and bidi controls as \u escapes, like the JSON around them
  const label = escapeJsonControls(parts.join(' · '));
  return { id: createHash('sha256').update(label).digest('hex').slice(0, 8), label };
}

/** A conversation read from the service: its id, calling number and steps (from-conversation.ts). */
export interface TrafficConversation {
  id: string;
  callingNumber?: string;
  steps: RecordedStep[];
}

/** The conversations that took one path. */
export interface PathGroup {
  id: string;
  label: string;
  /** How many conversations took it. */
  count: number;
  /** Their ids, in the order read (newest first). */
  conversationIds: string[];
  /** The first conversation's steps, scrubbed. */
  steps: RecordedStep[];
  /** Per step: the expectations every conversation of the group met (scrubbed). */
  expectations: Expectation[];
}

/** The expectations one scrubbed answer meets: text (or textMatches where it was scrubbed), action, the params that held nothing personal. */
function expectationOf(turn: BotTurn, scrub: Scrubber): Expectation {
  const e: Expectation = {};
  const text = turn.TextResponse ?? '';
  const pattern = scrub.pattern(text);
  // an empty text would check nothing
  if (pattern !== undefined) e.textMatches = pattern;
  else if (text !== '') e.text = text;
  if ((BOT_ACTIONS as readonly string[]).includes(turn.Action ?? '')) e.action = turn.Action;
  const params = parsedParams(turn);
  if (params && typeof params === 'object') {
    const kept = Object.fromEntries(Object.entries(params).filter(([, v]) => canonical(scrub.deep(v)) === canonical(v)));
    if (Object.keys(kept).length) e.params = kept;
  }
  return e;
}

/** Keys whose values are the same in every expectation. */
function agreed(all: Expectation[]): Expectation {
  const [first, ...rest] = all;
  if (!first) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((e) => canonical((e as Record<string, unknown>)[k]) === canonical(v))) out[k] = v;
  }
  return out as Expectation;
}

/**
 * Conversations grouped by the path they took, most taken first (then by id): each group's steps
 * are its first conversation's, scrubbed; its expectations are what every member's answers agree on.
 */
export function groupByPath(conversations: readonly TrafficConversation[], scrub: Scrubber): PathGroup[] {
  const groups = new Map<string, { id: string; label: string; members: TrafficConversation[] }>();
  for (const c of conversations) {
    if (c.steps.length === 0) continue;
    const p = pathOf(c.steps, scrub);
    const g = groups.get(p.label);
    if (g) g.members.push(c);
    else groups.set(p.label, { ...p, members: [c] });
  }
  return [...groups.values()]
    .map(({ id, label, members }) => {
      const first = members[0] as TrafficConversation;
      return {
        id,
        label,
        count: members.length,
        conversationIds: members.map((m) => m.id),
        steps: first.steps.map((s) => ({
          kind: s.kind,
          ...(s.input !== undefined ? { input: scrub.text(s.input) } : {}),
          ...(s.context ? { context: scrub.deep(s.context) as Record<string, unknown> } : {}),
          turn: s.turn,
        })),
        expectations: first.steps.map((_, i) => agreed(members.map((m) => expectationOf((m.steps[i] as RecordedStep).turn, scrub)))),
      };
    })
    .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1));
}

/** Where the conversations came from, for each file's header comment. */
export interface TrafficSource {
  instanceId: string;
  env: 'live' | 'debug';
  /** Conversations grouped (the share's denominator). */
  total: number;
  /** Epoch ms of --from / --to, when given. */
  from?: number;
  to?: number;
  scrubDigits: number;
  now: Date;
}

/** The file name of a path's test. */
export function pathFileName(id: string): string {
  return `path-${id}.test.yaml`;
}

/** One path's test file: its conversation, with the count and share of the traffic that took it in the header comment. */
export function pathTestYaml(yaml: typeof import('yaml'), g: PathGroup, src: TrafficSource, env: DialogueEnv = 'debug'): string {
  const turns = g.steps.map((s, i) => {
    const step: Record<string, unknown> = {};
    if (s.kind === 'say') step.say = s.input ?? '';
    else if (s.kind === 'dtmf') step.dtmf = s.input ?? '';
    else if (s.kind === 'silence') step.silence = true;
    if (s.context && s.kind !== 'begin') step.context = s.context;
    step.bot = g.expectations[i] ?? {};
    return step;
  });
  const file = {
    instance: src.instanceId,
    env,
    callingNumber: SCRUBBED_CALLING_NUMBER,
    tags: ['traffic'],
    conversations: [{ name: `traffic path ${g.id}`, turns }],
  };
  const doc = new yaml.Document(file, { aliasDuplicateObjects: false });
  const share = src.total ? ((g.count / src.total) * 100).toFixed(1) : '0';
  const day = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const window = `${src.from !== undefined ? ` from ${day(src.from)}` : ''}${src.to !== undefined ? ` to ${day(src.to)}` : ''}`;
  doc.commentBefore = [
    ` traffic: ${g.count} of ${src.total} conversations (${share}%) took this path`,
    ` path ${g.id}: ${g.label}`,
    ` made by vn stats conversations --as-tests on ${src.now.toISOString().slice(0, 16).replace('T', ' ')} UTC from the ${src.env} conversations of instance ${src.instanceId}${window};`,
    ` calling numbers and digit strings of more than ${src.scrubDigits} digits are scrubbed (docs/testing.md); run it with: vn dialogue test <this file>`,
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
