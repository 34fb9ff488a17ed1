import type { BotTurn } from '../../api/bot-turn.js';
import type { DialogueEnv } from '../session.js';
import { DEFAULT_CALLING_NUMBER } from './format.js';
import { SessionRecorder } from './record.js';

/** One row of ListConversationDetails (seed 12.2). */
export interface ConversationDetail {
  SequenceId?: string | number;
  Speaker?: string;
  Utterance?: string;
  Action?: string;
  ActionParams?: string;
}

/** One step of a recorded conversation: what the caller did (nothing for the greeting) and what the bot answered. */
export interface RecordedStep {
  kind: 'begin' | 'say' | 'dtmf' | 'silence';
  input?: string;
  context?: Record<string, unknown>;
  turn: BotTurn;
}

/**
 * A conversation's ListConversationDetails rows as steps, in SequenceId order: the first bot row is
 * the greeting; after it each bot row answers the caller row before it (an utterance is `say`,
 * CollectedNumber is `dtmf`), or a silence when no caller row came first. Empty when the record
 * holds no answer at all. `onLeftOut` hears how many rows were not objects.
 */
export function conversationSteps(details: unknown[], onLeftOut?: (rows: number) => void): RecordedStep[] {
  // the service's rows as they came: a row that is not an object says nothing, a field of another type is read as text
  const usable = details.filter((d): d is Record<string, unknown> => d !== null && typeof d === 'object' && !Array.isArray(d)).map(row);
  if (usable.length < details.length) onLeftOut?.(details.length - usable.length);
  const rows = usable.sort((a, b) => Number(a.SequenceId ?? 0) - Number(b.SequenceId ?? 0));
  const bot = (r: ConversationDetail): BotTurn => ({ TextResponse: r.Utterance ?? '', Action: r.Action ?? '', ActionParams: r.ActionParams ?? '' });
  const steps: RecordedStep[] = [];
  let caller: ConversationDetail | undefined;
  for (const r of rows) {
    if (r.Speaker === 'Customer') {
      caller = r;
      continue;
    }
    if (r.Speaker !== 'Chatbot') continue;
    if (steps.length === 0) steps.push({ kind: 'begin', turn: bot(r) });
    else if (!caller) steps.push({ kind: 'silence', turn: bot(r) });
    else {
      const context = contextOf(caller.ActionParams);
      const kind = /CollectedNumber$/.test(caller.Action ?? '') ? 'dtmf' : 'say';
      steps.push({ kind, input: caller.Utterance ?? '', ...(context ? { context } : {}), turn: bot(r) });
    }
    caller = undefined;
  }
  return steps;
}

/** Whether a test file can send the step: keyed digits must be digits, * or # (an empty CollectedNumber cannot be sent). */
export function replayable(step: RecordedStep): boolean {
  return step.kind !== 'dtmf' || /^[0-9*#]+$/.test(step.input ?? '');
}

/**
 * A real conversation's recorded turns as a test file, as Dialogflow CX makes test cases from
 * conversation history: the caller's rows become steps (conversationSteps), and each bot row the
 * expectations of its answer (text, action, params). What the record does not hold is left out:
 * the InitialContext of the call, and whether an answer was interruptible. Undefined when the
 * record holds no answer at all.
 */
export function conversationToTest(
  details: unknown[],
  o: {
    instanceId: string;
    conversationId: string;
    callingNumber?: unknown;
    env: DialogueEnv;
    now: Date;
    onLeftOut?: (rows: number) => void;
    /** Called when the test stops before a step it cannot send (its 1-based turn, and what was keyed). */
    onCut?: (turn: number, keyed: string) => void;
  },
): SessionRecorder | undefined {
  const steps = conversationSteps(details, o.onLeftOut);
  if (steps.length === 0) return undefined;
  const recorder = new SessionRecorder(
    {
      instance: o.instanceId,
      env: o.env,
      callingNumber: (typeof o.callingNumber === 'string' || typeof o.callingNumber === 'number' ? String(o.callingNumber) : '') || DEFAULT_CALLING_NUMBER,
      comment: `made by vn stats conversation --as-test from conversation ${o.conversationId}`,
    },
    o.now,
  );
  for (const [i, s] of steps.entries()) {
    if (!replayable(s)) {
      // the steps before it still replay as they happened; what follows depended on it
      o.onCut?.(i, s.input ?? '');
      break;
    }
    if (s.kind === 'begin') recorder.beginConversation(undefined, s.turn, `conversation ${o.conversationId}`);
    else recorder.turn(s.kind, s.input, s.context, s.turn);
  }
  return recorder;
}

/** A row's fields as text (what the service documents), whatever type they came as. */
function row(d: Record<string, unknown>): ConversationDetail {
  const text = (v: unknown): string | undefined =>
    v === undefined || v === null ? undefined : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return {
    SequenceId: text(d.SequenceId),
    Speaker: text(d.Speaker),
    Utterance: text(d.Utterance),
    Action: text(d.Action),
    ActionParams: text(d.ActionParams),
  };
}

/** The context a caller's row carries (its ActionParams), when it holds any. */
function contextOf(raw: string | undefined): Record<string, unknown> | undefined {
  if (!raw || raw.trim() === '' || raw.trim() === '{}') return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
