import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from '../state.js';
import type { ConversationRow, TurnRow } from '../store/index.js';
import { INSPECTOR_CSP, INSPECTOR_HTML } from './page.js';
import { parseFilter, type RequestLog } from './request-log.js';

/**
 * The inspector's endpoints under /_vn/, unsigned: the request log (`GET /_vn/requests`), its live
 * feed (`GET /_vn/events`, server-sent events), the page (`GET /_vn/ui`), and the two reads the
 * page shows besides (recent conversations as timelines of turns, the instances' configuration).
 * Every answer passes the log's redaction filter (the emulator's own secrets, the process's, and
 * secret-like names), string by string; the page escapes by building its DOM with textContent.
 */

/** One endpoint: it writes its own answer (JSON, the page, or an event stream). */
export type InspectHandler = (deps: InspectDeps, req: IncomingMessage, res: ServerResponse, url: URL) => void;

export interface InspectDeps {
  log: RequestLog;
  state: EmulatorState;
}

/** How many conversations the timeline endpoint answers at most. */
const MAX_CONVERSATIONS = 100;
const MAX_INSTANCES = 200;
/** A comment line this often keeps an idle event stream open through proxies. */
const KEEPALIVE_MS = 15_000;

/** Every answer's strings through the log's redaction filter. */
function json({ log }: InspectDeps, res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, redactDeep(body, log.redact));
}

/** The inspector's endpoints by `METHOD /path`, each mounted with one line. */
export const INSPECT_ROUTES = {
  'GET /_vn/requests': (d, _req, res, url) => {
    const { filter, problems } = parseFilter(url.searchParams);
    if (problems.length) return json(d, res, 400, { error: 'InvalidFilter', problems });
    json(d, res, 200, { requests: d.log.list(filter) });
  },
  'GET /_vn/events': ({ log }, req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    // the entries are redacted by the log; each becomes one `request` event
    const off = log.subscribe((entry) => res.write(`event: request\ndata: ${JSON.stringify(entry)}\n\n`));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
    keepAlive.unref();
    const stop = () => {
      off();
      clearInterval(keepAlive);
    };
    req.once('close', stop);
    res.once('close', stop);
  },
  'GET /_vn/ui': (_d, _req, res) => {
    const body = Buffer.from(INSPECTOR_HTML, 'utf8');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      'content-security-policy': INSPECTOR_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(body);
  },
  'GET /_vn/inspect/conversations': (d, _req, res, url) => {
    const limit = boundedLimit(url.searchParams.get('limit'), 20, MAX_CONVERSATIONS);
    if (limit === undefined) return json(d, res, 400, { error: 'InvalidFilter', problems: [`limit must be a whole number from 1 to ${MAX_CONVERSATIONS}`] });
    const id = url.searchParams.get('conversation') || undefined;
    const store = d.state.store.conversations;
    const conversations = store.recent(limit, id).map((c) => timeline(c, store.turns(c.instance_id, c.conversation_id)));
    json(d, res, 200, { conversations });
  },
  'GET /_vn/inspect/instances': (d, _req, res) => {
    const { store } = d.state;
    const { rows } = store.instances.list({}, { limit: MAX_INSTANCES, offset: 0 });
    const instances = rows.map((i) => ({
      instanceId: i.instance_id,
      name: i.name,
      description: i.description,
      status: i.status,
      concurrency: i.concurrency,
      numbers: parsed(i.numbers_json),
      chatbot: store.associations.chatbotOf(i.instance_id) ?? null,
      navigation: parsed(store.configs.navigation(i.instance_id)),
      tts: parsed(store.configs.tts(i.instance_id)),
    }));
    json(d, res, 200, { instances });
  },
} satisfies Record<string, InspectHandler>;

function timeline(c: ConversationRow, turns: TurnRow[]) {
  return {
    instanceId: c.instance_id,
    conversationId: c.conversation_id,
    debug: c.debug === 1,
    status: c.status,
    callingNumber: c.calling_number,
    calledNumber: c.called_number,
    beginTime: new Date(c.begin_time).toISOString(),
    endTime: c.end_time === null ? null : new Date(c.end_time).toISOString(),
    endReason: c.end_reason,
    turns: turns.map((t) => ({
      sequence: t.sequence,
      time: new Date(t.create_time).toISOString(),
      speaker: t.speaker,
      text: t.utterance,
      action: t.action,
      params: t.action_params,
      rule: t.rule,
    })),
  };
}

function parsed(text: string | undefined | null): unknown {
  if (text === undefined || text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function boundedLimit(text: string | null, fallback: number, max: number): number | undefined {
  if (text === null || text === '') return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : undefined;
}

/** Every string of a JSON value through `redact` (keys too): the text stays valid JSON whatever a value holds. */
export function redactDeep(value: unknown, redact: (s: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactDeep(v, redact);
    return out;
  }
  return value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // `<` escaped: the text stays inert even if something renders it as HTML
  const text = JSON.stringify(body).replace(/</g, '\\u003c');
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(text);
}
