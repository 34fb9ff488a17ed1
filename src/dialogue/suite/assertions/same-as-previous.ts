import { type BotTurn, parsedParams } from '../../../api/bot-turn.js';
import { assertion } from './assertion.js';

/** true: same text, action and params as the previous bot turn; false: different. */
export default assertion<boolean>({
  schema: { type: 'boolean', description: 'true: same text, action and params as the previous answer; false: different.' },
  parse(node, p) {
    if (p.yaml.isScalar(node) && typeof node.value === 'boolean') return node.value;
    p.issue(node, '`sameAsPrevious` is true or false');
    return undefined;
  },
  check(expected, a) {
    const same = a.previous !== undefined && sameAnswer(a.previous, a.turn);
    if (same === expected) return undefined;
    return [{ actual: a.previous ? { previous: summary(a.previous), now: summary(a.turn) } : 'no previous answer' }];
  },
  describe: (expected) => ({ expected: expected ? 'the same answer as the previous turn' : 'a different answer from the previous turn' }),
  update: (u) => u.setValue('sameAsPrevious', !u.written),
  example: {
    yaml: 'true',
    meets: { turn: { TextResponse: '请再说一遍' }, previous: { TextResponse: '请再说一遍' } },
    misses: { turn: { TextResponse: '请再说一遍' }, previous: { TextResponse: '您好' } },
  },
});

function sameAnswer(a: BotTurn, b: BotTurn): boolean {
  return (
    (a.TextResponse ?? '') === (b.TextResponse ?? '') &&
    (a.Action ?? '') === (b.Action ?? '') &&
    JSON.stringify(parsedParams(a) ?? null) === JSON.stringify(parsedParams(b) ?? null)
  );
}

function summary(t: BotTurn): Record<string, unknown> {
  const params = parsedParams(t);
  return { text: t.TextResponse ?? '', action: t.Action ?? '', ...(params === undefined ? {} : { params }) };
}
