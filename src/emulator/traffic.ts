import { randomUUID } from 'node:crypto';
import { ACTION_SPECS, type ActionName } from '../api/catalog.js';
import type { ActionContext, ActionHandler, HandlerTable } from './actions/types.js';
import { RequestParams } from './params.js';
import type { EmulatorState } from './state.js';

/**
 * `--traffic RATE`: synthetic calls, RATE a second, as a phone platform would make them — each a
 * BeginDialogue, a few Dialogue turns and an EndDialogue on one of the instances, through the
 * same handlers, engine and store as a real call (each in a transaction of its own). Bounded: at
 * most MAX_RATE calls a second and MAX_OPEN conversations open at once; a call the instance
 * refuses (disabled, over its Concurrency) drops that conversation. So dashboards, statistics,
 * `vn top` and the request inspector have something to show without a client.
 */

export const MAX_RATE = 50;
const MAX_OPEN = 8;
const TURNS = 3;
/** What the demo bot understands (its intents). */
const CALLER_LINES = ['你好', '我想查一下账户余额', '你们几点开门', '我的卡丢了', '卡里还有多少钱'];
/** What it does not: said now and then by anyone, and every turn by a confused caller until the bot gives up. */
const CONFUSED_LINES = ['信用卡怎么还款', '那个什么来着', '好的，谢谢', '外币兑换'];

/**
 * Who calls, so the numbers `vn top` and the statistics show are a realistic mix and not one kind of
 * call (about a fifth transferred, a tenth hung up by the bot, a sixth of the turns not understood):
 * most callers ask what the bot knows and sometimes say something it does not; some ask for an
 * agent (ComplainingConfig: a transfer); some say nothing (three silences: SilenceTimeoutConfig's
 * HangUp); some are not understood at all (three misses: UnrecognizingConfig's final action).
 */
type Persona = 'ordinary' | 'agent' | 'silent' | 'confused';
const PERSONAS: [Persona, number][] = [
  ['ordinary', 0.68],
  ['agent', 0.12],
  ['silent', 0.1],
  ['confused', 0.1],
];

function pickPersona(): Persona {
  let r = Math.random();
  for (const [p, weight] of PERSONAS) {
    if (r < weight) return p;
    r -= weight;
  }
  return 'ordinary';
}

/** What a caller of this persona says on its turn (undefined: nothing, a silence timeout). */
function utterance(persona: Persona, turn: number): string | undefined {
  switch (persona) {
    case 'silent':
      return undefined;
    case 'confused':
      return pick(CONFUSED_LINES);
    case 'agent':
      return turn === 1 ? '转人工' : pick(CALLER_LINES);
    case 'ordinary':
      return Math.random() < 0.12 ? pick(CONFUSED_LINES) : pick(CALLER_LINES);
  }
}

const pick = (lines: string[]): string => lines[Math.floor(Math.random() * lines.length)] as string;

export interface Traffic {
  stop(): void;
  /** Calls made so far (tests, the banner). */
  readonly calls: number;
}

interface Open {
  instanceId: string;
  conversationId: string;
  callingNumber: string;
  turns: number;
  persona: Persona;
}

/** A mobile-shaped calling number, a different caller each call (so per-caller views and scrubbing have something to work on). */
function callerNumber(): string {
  return `1${3 + Math.floor(Math.random() * 7)}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
}

export function startTraffic(state: EmulatorState, handlers: HandlerTable, rate: number): Traffic {
  const perSecond = Math.min(MAX_RATE, Math.max(0, rate));
  const open: Open[] = [];
  let calls = 0;
  const inTransaction = state.store.transaction((handler: ActionHandler, ctx: ActionContext<string>) => handler(ctx));
  const now = () => state.clock?.now() ?? Date.now();

  const call = (action: ActionName, params: Record<string, string>): Record<string, unknown> | undefined => {
    const spec = ACTION_SPECS[action];
    const ctx: ActionContext<string> = {
      state,
      store: state.store,
      action: spec,
      params: new RequestParams(params, spec.paginator),
      now: now(),
      requestId: randomUUID().toUpperCase(),
      accessKeyId: 'vn-traffic',
    };
    calls++;
    const handler = handlers[action] as unknown as ActionHandler;
    try {
      return spec.readOnly ? handler(ctx) : inTransaction(handler, ctx);
    } catch {
      return undefined;
    }
  };

  const tick = () => {
    const convo = open.length > 0 && (open.length >= MAX_OPEN || Math.random() < 0.7) ? open[Math.floor(Math.random() * open.length)] : undefined;
    if (convo) {
      const ids = { InstanceId: convo.instanceId, ConversationId: convo.conversationId };
      const done = convo.turns >= TURNS;
      const said = utterance(convo.persona, convo.turns);
      const answer = done
        ? call('EndDialogue', ids)
        : said === undefined
          ? call('SilenceTimeout', ids)
          : call('Dialogue', { ...ids, Utterance: said, CallingNumber: convo.callingNumber });
      convo.turns++;
      if (done || answer === undefined || (answer.Action !== undefined && answer.Action !== 'Broadcast' && answer.Action !== 'Listen')) {
        if (!done && answer !== undefined) call('EndDialogue', ids);
        open.splice(open.indexOf(convo), 1);
      }
      return;
    }
    const list = call('ListInstances', { PageSize: '100' });
    const instances = ((list?.Instances as { InstanceId: string; Status?: string }[] | undefined) ?? []).filter((i) => i.Status !== 'Disabled');
    const instance = instances[Math.floor(Math.random() * instances.length)];
    if (!instance) return;
    const conversationId = `traffic-${randomUUID()}`;
    const callingNumber = callerNumber();
    const begun = call('BeginDialogue', { InstanceId: instance.InstanceId, ConversationId: conversationId, CallingNumber: callingNumber });
    if (begun !== undefined) open.push({ instanceId: instance.InstanceId, conversationId, callingNumber, turns: 0, persona: pickPersona() });
  };

  const timer = perSecond > 0 ? setInterval(tick, 1000 / perSecond) : undefined;
  timer?.unref();
  return {
    stop() {
      if (timer) clearInterval(timer);
    },
    get calls() {
      return calls;
    },
  };
}
