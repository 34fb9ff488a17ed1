import { assertion } from './assertion.js';
import { isSubset } from './params.js';

/**
 * A subset of the conversation's context after the turn (DescribeConversationContext's
 * ConversationContext, parsed), matched as `params` is: every key written has an equal value there
 * (nested objects as subsets too). Asking for it costs one DescribeConversationContext after the turn.
 */
export default assertion<Record<string, unknown>>({
  schema: {
    type: 'object',
    description: 'A subset of the conversation context after the turn (DescribeConversationContext), matched as params is.',
  },
  needsContext: true,
  parse(node, p) {
    if (p.yaml.isMap(node)) return node.toJS(p.doc as import('yaml').Document) as Record<string, unknown>;
    p.issue(node, '`context` under `bot` is a mapping: keys the conversation context must hold after the turn');
    return undefined;
  },
  check: (expected, a) => (isSubset(expected, a.context ?? {}) ? undefined : [{ actual: a.context ?? {} }]),
  describe: (expected) => ({ expected: `context including ${JSON.stringify(expected)}` }),
  update(u) {
    // each key written takes the value the context holds now; a key the context lacks is dropped
    const actual = u.context ?? {};
    const written = (u.written ?? {}) as Record<string, unknown>;
    const kept = Object.fromEntries(
      Object.keys(written)
        .filter((k) => Object.hasOwn(actual, k))
        .map((k) => [k, actual[k]]),
    );
    if (Object.keys(kept).length === 0) u.removePair('context');
    else u.setValue('context', kept);
  },
  example: {
    yaml: '{ vip: true, unrecognizedCount: 0 }',
    meets: { turn: { Action: 'Broadcast' }, context: { vip: true, lastIntent: '余额查询', unrecognizedCount: 0 } },
    misses: { turn: { Action: 'Broadcast' }, context: { vip: true, lastIntent: '', unrecognizedCount: 1 } },
  },
});
