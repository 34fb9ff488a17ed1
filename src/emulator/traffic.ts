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
const CALLER_LINES = ['你好', '我想查一下账户余额', '信用卡怎么还款', '好的，谢谢', '转人工'];

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
      const answer = done
        ? call('EndDialogue', ids)
        : call('Dialogue', { ...ids, Utterance: CALLER_LINES[Math.floor(Math.random() * CALLER_LINES.length)] as string, CallingNumber: convo.callingNumber });
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
    if (begun !== undefined) open.push({ instanceId: instance.InstanceId, conversationId, callingNumber, turns: 0 });
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
