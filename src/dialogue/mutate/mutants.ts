import type { Chatbot } from '../../emulator/chatbots/model.js';
import type { TranscriptTurn } from '../suite/result.js';

/**
 * The mutants of one instance copy: each one small change to its configuration (the manifest, as
 * `vn instance export` writes it) or to its chatbot (the emulator's chatbot model), with the path
 * of what changed and the words of a report. A suite that notices a mutant (some conversation
 * that passed on the copy fails on it) kills it; one that does not lets it survive.
 */

/** What a mutant changes: the manifest document (file keys) and the bots the sandbox answers with. */
export interface Copy {
  manifest: Record<string, unknown>;
  bots: Chatbot[];
}

export type MutantKind =
  | 'threshold'
  | 'final-action'
  | 'final-params'
  | 'prompt'
  | 'skill-group'
  | 'intent-answer'
  | 'intent-action'
  | 'intent-params'
  | 'dtmf-elsewhere'
  | 'dtmf-removed'
  | 'match-threshold';

export interface Mutant {
  /** 1-based, in generation order (stable for one copy). */
  id: number;
  kind: MutantKind;
  /** Where: a manifest path (`silenceTimeout.finalAction`) or a chatbot one (`chatbots[id].intents[name].action`). */
  path: string;
  from: string;
  to: string;
  /** What a test would have to do to notice it (the report's words for a survivor none reached). */
  needs: string;
  /** Whether a turn of a run on the copy went through what the mutant changes. */
  reached(turn: TranscriptTurn): boolean;
  apply(copy: Copy): void;
}

/** A text that no expectation written for the original can hold (prompts, answers). */
export const MUTATED_TEXT = '（变异）这句话被改过了';
/** A skill group (or other parameter value) that no test names. */
export const MUTATED_VALUE = 'mutantSkillGroup';

type Draft = Omit<Mutant, 'id'>;

/** Every mutant of the copy, in a stable order: the navigation config first, then the chatbot. */
export function generateMutants(copy: Copy): Mutant[] {
  const out: Draft[] = [];
  const doc = copy.manifest;
  const section = (key: string): Record<string, unknown> | undefined => {
    const s = doc[key];
    return s && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : undefined;
  };
  const setIn = (key: string, field: string, value: unknown) => (c: Copy) => {
    const s = c.manifest[key] as Record<string, unknown>;
    s[field] = value;
  };

  const greeting = section('greeting');
  const greetingWords = greeting?.greetingWords;
  if (typeof greetingWords === 'string' && greetingWords !== '') {
    out.push({
      kind: 'prompt',
      path: 'greeting.greetingWords',
      from: greetingWords,
      to: MUTATED_TEXT,
      needs: 'no test checks the greeting’s text',
      reached: (t) => t.kind === 'begin' && t.answer.TextResponse === greetingWords,
      apply: setIn('greeting', 'greetingWords', MUTATED_TEXT),
    });
  }

  for (const [key, what] of [
    ['silenceTimeout', { verb: 'stays silent', prompt: 'silence', kind: 'silence' as const }],
    ['unrecognizing', { verb: 'says something the bot does not understand', prompt: 'not-understood', kind: 'say' as const }],
  ] as const) {
    const s = section(key);
    if (!s) continue;
    const finalPrompt = typeof s.finalPrompt === 'string' ? s.finalPrompt : undefined;
    const prompt = typeof s.prompt === 'string' ? s.prompt : undefined;
    const finalAction = typeof s.finalAction === 'string' ? s.finalAction : undefined;
    const isFinal = (t: TranscriptTurn) => t.kind === what.kind && finalPrompt !== undefined && t.answer.TextResponse === finalPrompt;
    const isPrompt = (t: TranscriptTurn) => t.kind === what.kind && prompt !== undefined && t.answer.TextResponse === prompt;
    const threshold = Number(s.threshold);
    if (Number.isInteger(threshold) && threshold >= 1) {
      for (const to of [threshold + 1, threshold - 1]) {
        if (to < 1) continue;
        out.push({
          kind: 'threshold',
          path: `${key}.threshold`,
          from: String(threshold),
          to: String(to),
          needs: `no test ${what.verb} ${times(Math.min(to, threshold))} in a row and checks the answer`,
          reached: (t) => isFinal(t) || isPrompt(t),
          apply: setIn(key, 'threshold', to),
        });
      }
    }
    if (finalAction) {
      // a navigation FinalAction ends the call (the API's enum has no Broadcast): TransferToAgent ↔ HangUp
      const to = finalAction === 'HangUp' ? 'TransferToAgent' : 'HangUp';
      out.push({
        kind: 'final-action',
        path: `${key}.finalAction`,
        from: finalAction,
        to,
        needs: `no test ${what.verb} past the threshold and checks the action`,
        reached: isFinal,
        apply: setIn(key, 'finalAction', to),
      });
    }
    const params = paramsObject(s.finalActionParams);
    for (const [p, value] of Object.entries(params ?? {})) {
      const to = mutatedValue(value);
      out.push({
        kind: p === 'skillGroupId' ? 'skill-group' : 'final-params',
        path: `${key}.finalActionParams.${p}`,
        from: shown(value),
        to: shown(to),
        needs: `no test ${what.verb} past the threshold and checks the params`,
        reached: isFinal,
        apply: (c) => {
          const sec = c.manifest[key] as Record<string, unknown>;
          sec.finalActionParams = { ...(paramsObject(sec.finalActionParams) ?? {}), [p]: to };
        },
      });
    }
    for (const [field, isIt, label] of [
      ['prompt', isPrompt, `no test ${what.verb} once and checks the ${what.prompt} prompt`],
      ['finalPrompt', isFinal, `no test ${what.verb} past the threshold and checks the final prompt`],
    ] as const) {
      const v = s[field];
      if (typeof v !== 'string' || v === '') continue;
      out.push({ kind: 'prompt', path: `${key}.${field}`, from: v, to: MUTATED_TEXT, needs: label, reached: isIt, apply: setIn(key, field, MUTATED_TEXT) });
    }
  }

  copy.bots.forEach((bot, bi) => {
    // only the bot the instance answers with matters: the associated one, else the first
    if (bi !== botIndex(copy)) return;
    const at = `chatbots[${bot.id}]`;
    const botOf = (c: Copy) => c.bots[bi] as Chatbot;
    bot.intents.forEach((intent, ii) => {
      const where = `${at}.intents[${intent.name}]`;
      const answered = (t: TranscriptTurn) =>
        (t.kind === 'say' || t.kind === 'begin' || t.kind === 'silence') &&
        typeof t.answer.TextResponse === 'string' &&
        t.answer.TextResponse.startsWith(intent.answer);
      const intentOf = (c: Copy) => botOf(c).intents[ii] as Chatbot['intents'][number];
      out.push({
        kind: 'intent-answer',
        path: `${where}.answer`,
        from: intent.answer,
        to: MUTATED_TEXT,
        needs: `no test asks for ${intent.name} and checks the answer’s text`,
        reached: answered,
        apply: (c) => {
          intentOf(c).answer = MUTATED_TEXT;
        },
      });
      const action = swappedAction(intent.action);
      out.push({
        kind: 'intent-action',
        path: `${where}.action`,
        from: intent.action,
        to: action,
        needs: `no test asks for ${intent.name} and checks the action`,
        reached: answered,
        apply: (c) => {
          intentOf(c).action = action as Chatbot['intents'][number]['action'];
        },
      });
      for (const [p, value] of Object.entries(paramsObject(intent.params) ?? {})) {
        const to = mutatedValue(value);
        out.push({
          kind: p === 'skillGroupId' ? 'skill-group' : 'intent-params',
          path: `${where}.params.${p}`,
          from: shown(value),
          to: shown(to),
          needs: `no test asks for ${intent.name} and checks the params`,
          reached: answered,
          apply: (c) => {
            const i = intentOf(c);
            i.params = JSON.stringify({ ...(paramsObject(i.params) ?? {}), [p]: to });
          },
        });
      }
    });
    bot.dtmf.forEach((entry, di) => {
      const where = `${at}.dtmf[${entry.digits}]`;
      const pressed = (t: TranscriptTurn) => t.kind === 'dtmf' && (t.input ?? '').replace(/\s+/g, '') === entry.digits;
      const other = bot.dtmf[(di + 1) % bot.dtmf.length];
      // pointed at an entry that does the same would be no change (an equivalent mutant, never killed)
      if (other && other !== entry && !(other.answer === entry.answer && other.action === entry.action && other.params === entry.params)) {
        out.push({
          kind: 'dtmf-elsewhere',
          path: where,
          from: `“${entry.answer}”`,
          to: `key ${other.digits}’s entry`,
          needs: `no test presses ${entry.digits} and checks what follows`,
          reached: pressed,
          apply: (c) => {
            const b = botOf(c);
            const o = b.dtmf[(di + 1) % b.dtmf.length] as Chatbot['dtmf'][number];
            b.dtmf[di] = { ...o, digits: entry.digits };
          },
        });
      }
      out.push({
        kind: 'dtmf-removed',
        path: where,
        from: `“${entry.answer}”`,
        to: 'removed',
        needs: `no test presses ${entry.digits} and checks what follows`,
        reached: pressed,
        apply: (c) => {
          botOf(c).dtmf.splice(di, 1);
        },
      });
      const params = paramsObject(entry.params);
      if (params && typeof params.skillGroupId === 'string') {
        const to = mutatedValue(params.skillGroupId);
        out.push({
          kind: 'skill-group',
          path: `${where}.params.skillGroupId`,
          from: shown(params.skillGroupId),
          to: shown(to),
          needs: `no test presses ${entry.digits} and checks the transfer’s skill group`,
          reached: pressed,
          apply: (c) => {
            const e = botOf(c).dtmf[di] as Chatbot['dtmf'][number];
            e.params = JSON.stringify({ ...(paramsObject(e.params) ?? {}), skillGroupId: to });
          },
        });
      }
    });
    for (const delta of [0.1, -0.1]) {
      const to = Math.round((bot.threshold + delta) * 100) / 100;
      if (!(to > 0 && to <= 1)) continue;
      out.push({
        kind: 'match-threshold',
        path: `${at}.threshold`,
        from: String(bot.threshold),
        to: String(to),
        needs:
          delta > 0
            ? 'no test says something that matches an intent only loosely (a score just above the threshold)'
            : 'no test says something close to an intent that must stay not understood',
        // which utterances matched how closely is not in a transcript: the reason is what a test would need
        reached: () => false,
        apply: (c) => {
          botOf(c).threshold = to;
        },
      });
    }
  });
  return out.map((d, i) => ({ id: i + 1, ...d }));
}

/** The bot the copy's instance answers with: its `chatbot` section's, else the first (the emulator's rule). */
export function botIndex(copy: Copy): number {
  const chatbot = copy.manifest.chatbot as Record<string, unknown> | undefined;
  const id = chatbot?.chatbotInstanceId;
  const i = copy.bots.findIndex((b) => b.id === id);
  return Math.max(i, 0);
}

/** The copy with one mutant applied (the copy itself is left as it is). */
export function mutate(copy: Copy, mutant: Mutant): Copy {
  const c = structuredClone(copy);
  mutant.apply(c);
  return c;
}

/** The mutant in one line: `silenceTimeout.finalAction: HangUp → TransferToAgent`. */
export function describeMutant(m: Pick<Mutant, 'path' | 'from' | 'to' | 'kind'>): string {
  if (m.kind === 'dtmf-removed') return `${m.path}: removed`;
  if (m.kind === 'dtmf-elsewhere') return `${m.path}: pointed at ${m.to}`;
  return `${m.path}: ${quoteIfText(m.from)} → ${quoteIfText(m.to)}`;
}

function quoteIfText(s: string): string {
  return /^[A-Za-z0-9_.\-+]+$/.test(s) ? s : `“${short(s)}”`;
}

function short(s: string): string {
  const chars = [...s];
  return chars.length > 24 ? `${chars.slice(0, 23).join('')}…` : s;
}

/** TransferToAgent → HangUp → Broadcast → TransferToAgent; any other action → Broadcast. */
function swappedAction(action: string): string {
  if (action === 'TransferToAgent') return 'HangUp';
  if (action === 'HangUp') return 'Broadcast';
  if (action === 'Broadcast') return 'TransferToAgent';
  return 'Broadcast';
}

function mutatedValue(value: unknown): unknown {
  if (typeof value === 'string') return value === MUTATED_VALUE ? `${MUTATED_VALUE}2` : MUTATED_VALUE;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  return MUTATED_VALUE;
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

function shown(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Params as an object: a map, or a JSON text holding one; undefined otherwise (or when empty). */
function paramsObject(v: unknown): Record<string, unknown> | undefined {
  let o = v;
  if (typeof v === 'string') {
    try {
      o = JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  if (!o || typeof o !== 'object' || Array.isArray(o) || Object.keys(o).length === 0) return undefined;
  return o as Record<string, unknown>;
}
