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

/**
 * A real conversation's recorded turns as a test file, as Dialogflow CX makes test cases from
 * conversation history: the caller's rows become steps (an utterance is `say`, CollectedNumber is
 * `dtmf`, a bot row with no caller row before it is `silence`), and each bot row the expectations
 * of its answer (text, action, params). What the record does not hold is left out: the
 * InitialContext of the call, and whether an answer was interruptible. Undefined when the
 * record holds no answer at all.
 */
export function conversationToTest(
  details: unknown[],
  o: { instanceId: string; conversationId: string; callingNumber?: unknown; env: DialogueEnv; now: Date; onLeftOut?: (rows: number) => void },
): SessionRecorder | undefined {
  // the service's rows as they came: a row that is not an object says nothing, a field of another type is read as text
  const usable = details.filter((d): d is Record<string, unknown> => d !== null && typeof d === 'object' && !Array.isArray(d)).map(row);
  if (usable.length < details.length) o.onLeftOut?.(details.length - usable.length);
  const rows = usable.sort((a, b) => Number(a.SequenceId ?? 0) - Number(b.SequenceId ?? 0));
  const recorder = new SessionRecorder(
    {
      instance: o.instanceId,
      env: o.env,
      callingNumber: (typeof o.callingNumber === 'string' || typeof o.callingNumber === 'number' ? String(o.callingNumber) : '') || DEFAULT_CALLING_NUMBER,
      comment: `made by vn stats conversation --as-test from conversation ${o.conversationId}`,
    },
    o.now,
  );
  const bot = (r: ConversationDetail): BotTurn => ({ TextResponse: r.Utterance ?? '', Action: r.Action ?? '', ActionParams: r.ActionParams ?? '' });
  let begun = false;
  let caller: ConversationDetail | undefined;
  for (const r of rows) {
    if (r.Speaker === 'Customer') {
      caller = r;
      continue;
    }
    if (r.Speaker !== 'Chatbot') continue;
    if (!begun) {
      recorder.beginConversation(undefined, bot(r), `conversation ${o.conversationId}`);
      begun = true;
      caller = undefined;
      continue;
    }
    if (!caller) recorder.turn('silence', undefined, undefined, bot(r));
    else {
      const context = contextOf(caller.ActionParams);
      if (/CollectedNumber$/.test(caller.Action ?? '')) recorder.turn('dtmf', caller.Utterance ?? '', context, bot(r));
      else recorder.turn('say', caller.Utterance ?? '', context, bot(r));
    }
    caller = undefined;
  }
  return begun ? recorder : undefined;
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
