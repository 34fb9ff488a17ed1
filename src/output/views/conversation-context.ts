import type { ViewRenderer } from '../types.js';

/** DescribeConversationContext in table mode: the context JSON string, pretty-printed. */
const context: ViewRenderer = (data, format, target) => {
  if (format !== 'table') return false;
  const raw = (data as { ConversationContext?: unknown } | undefined)?.ConversationContext;
  let text = typeof raw === 'string' ? raw : JSON.stringify(raw ?? null);
  try {
    text = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* not JSON: shown as the service sent it */
  }
  target.write(`${text}\n`);
  return true;
};

export default context;
