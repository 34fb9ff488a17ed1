import { assertion, show } from './assertion.js';

/** The context key where the emulator's bots record the intent they matched (docs/emulator.md). */
export const INTENT_KEY = 'lastIntent';
/** Rules of the emulator's `lastRule` under which the turn itself matched an intent (or a keypad entry). */
const MATCHING_RULES = new Set(['knowledge', 'dtmf']);

/**
 * The intent this turn matched, as the context records it: its `lastIntent`, except when the
 * context's `lastRule` says the turn took another rule (not understood, a repeat, a silence…):
 * then the turn matched none (""), and an intent left from an earlier turn never counts. Undefined
 * when the context records no intent at all.
 */
export function intentOf(context: Record<string, unknown> | undefined): string | undefined {
  const v = context?.[INTENT_KEY];
  if (typeof v !== 'string') return undefined;
  const rule = context?.lastRule;
  if (typeof rule === 'string' && rule !== '' && !MATCHING_RULES.has(rule)) return '';
  return v;
}

/**
 * The intent the bot matched on this turn: a shorthand for the context's `lastIntent` (read with
 * DescribeConversationContext after the turn). `""` expects no intent (the bot did not understand).
 */
export default assertion<string>({
  schema: {
    type: 'string',
    description: 'The intent matched on this turn: the context’s lastIntent (the emulator’s bots record it); "" for none.',
  },
  needsContext: true,
  parse: (node, p) => p.str(node, 'intent'),
  check(expected, a) {
    const actual = intentOf(a.context);
    return actual === expected ? undefined : [{ actual: actual ?? null }];
  },
  describe: (expected, actual) => ({
    expected: expected === '' ? 'no intent matched' : `intent ${show(expected)}`,
    actual:
      actual === null ? `a context without ${INTENT_KEY} (this bot records no intent there)` : actual === '' ? 'no intent matched' : JSON.stringify(actual),
  }),
  update(u) {
    const actual = intentOf(u.context);
    if (actual === undefined) u.removePair('intent');
    else u.setValue('intent', actual);
  },
  example: {
    yaml: '余额查询',
    meets: { turn: { Action: 'Broadcast' }, context: { lastIntent: '余额查询', lastRule: 'knowledge' } },
    misses: { turn: { Action: 'Broadcast' }, context: { lastIntent: '余额查询', lastRule: 'unrecognized' } },
  },
});
