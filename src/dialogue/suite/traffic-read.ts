import type { Client } from '../../client/client.js';
import { conversationSteps } from './from-conversation.js';
import type { TrafficConversation } from './traffic-paths.js';

/** `--limit`'s default: the conversations read (each is one ListConversationDetails). */
export const DEFAULT_TRAFFIC_LIMIT = 1000;
const PAGE_SIZE = 100;
/** ListConversationDetails calls in flight at once (reads: safe to overlap, kept few for the service's rate limits). */
const PARALLEL_READS = 4;

export interface TrafficQuery {
  instanceId: string;
  env: 'live' | 'debug';
  /** ListConversations filters besides the instance, the env and the page: BeginTimeLeftRange, CallingNumber, … */
  filters?: Record<string, unknown>;
  /** At most this many ended conversations are read. */
  limit: number;
}

export interface TrafficRead {
  /** The ended conversations read, newest first, with their steps. */
  conversations: TrafficConversation[];
  /** Conversations the list named that had not ended (left out: their path is not finished). */
  inProgress: number;
  /** More ended conversations matched than --limit let in. */
  truncated: boolean;
  /** Detail rows that were not objects (left out). */
  leftOutRows: number;
}

/**
 * An instance's recent traffic: ListConversations page by page (newest first) until `limit` ended
 * conversations are in hand, then each one's ListConversationDetails as steps. Reads only.
 */
export async function readTraffic(client: Pick<Client, 'call'>, q: TrafficQuery): Promise<TrafficRead> {
  const ended: { id: string; callingNumber?: string }[] = [];
  let inProgress = 0;
  let truncated = false;
  for (let page = 1; ; page++) {
    const res = await client.call('ListConversations', {
      ...q.filters,
      InstanceId: q.instanceId,
      DebugConversation: q.env === 'debug' ? 1 : 0,
      PageNumber: page,
      PageSize: PAGE_SIZE,
    });
    const data = res.data as { Conversations?: unknown; TotalCount?: unknown };
    const items = Array.isArray(data.Conversations) ? (data.Conversations as Record<string, unknown>[]) : [];
    for (const c of items) {
      if (!c || typeof c !== 'object' || typeof c.ConversationId !== 'string' || c.ConversationId === '') continue;
      if (c.EndTime === undefined || c.EndTime === null || c.EndTime === '') {
        inProgress++;
        continue;
      }
      if (ended.length >= q.limit) {
        truncated = true;
        break;
      }
      const calling = c.CallingNumber;
      ended.push({ id: c.ConversationId, ...(typeof calling === 'string' || typeof calling === 'number' ? { callingNumber: String(calling) } : {}) });
    }
    const total = Number(data.TotalCount);
    if (truncated || items.length < PAGE_SIZE || (Number.isFinite(total) && page * PAGE_SIZE >= total)) break;
  }

  let leftOutRows = 0;
  const conversations: TrafficConversation[] = new Array(ended.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ended.length; i = next++) {
      const c = ended[i] as { id: string; callingNumber?: string };
      const res = await client.call('ListConversationDetails', { InstanceId: q.instanceId, ConversationId: c.id });
      const rows = (res.data as { ConversationDetails?: unknown }).ConversationDetails;
      const steps = conversationSteps(Array.isArray(rows) ? rows : [], (n) => (leftOutRows += n));
      conversations[i] = { ...c, steps };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, ended.length) }, worker));
  return { conversations, inProgress, truncated, leftOutRows };
}
