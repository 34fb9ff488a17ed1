import type { Client } from '../../client/client.js';
import type { Expectation } from './assertions/index.js';
import type { TranscriptTurn } from './result.js';

/**
 * The conversation's context as the service keeps it (DescribeConversationContext), for the
 * expectations that check it (`context:`, `intent:`). The runner asks only after a turn that has
 * such an expectation: a suite without them sends not one call more.
 */
export async function readConversationContext(client: Pick<Client, 'call'>, instanceId: string, conversationId: string): Promise<Record<string, unknown>> {
  const res = await client.call('DescribeConversationContext', { InstanceId: instanceId, ConversationId: conversationId });
  return parseConversationContext((res.data as { ConversationContext?: unknown }).ConversationContext);
}

/**
 * ConversationContext is a JSON string (the API documents its type only): an object is the
 * context; an empty or missing one is {}; any other JSON value or text is kept under `value`, so
 * an expectation can still see what came back.
 */
export function parseConversationContext(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return {};
  if (typeof raw !== 'string') return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : { value: raw };
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { value: raw };
  }
}

/** What a transcript turn keeps beyond the answer: the context read, and the intent and action expected (the `intents` report counts them). */
export function transcriptExtras(expect: Expectation, context: Record<string, unknown> | undefined): Pick<TranscriptTurn, 'context' | 'expect'> {
  const wanted = { ...(expect.intent !== undefined ? { intent: expect.intent } : {}), ...(expect.action !== undefined ? { action: expect.action } : {}) };
  return { ...(context ? { context } : {}), ...(Object.keys(wanted).length ? { expect: wanted } : {}) };
}
