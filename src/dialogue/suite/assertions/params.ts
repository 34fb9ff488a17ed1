import { parsedParams } from '../../../api/bot-turn.js';
import { assertion } from './assertion.js';

/** A subset of the parsed ActionParams (deep: nested objects are subsets too). */
export default assertion<Record<string, unknown>>({
  schema: { type: 'object', description: 'A subset of the parsed ActionParams.' },
  parse(node, p) {
    if (p.yaml.isMap(node)) return node.toJS(p.doc as import('yaml').Document) as Record<string, unknown>;
    p.issue(node, '`params` is a mapping: a subset of the answer’s ActionParams');
    return undefined;
  },
  check(expected, a) {
    const actual = parsedParams(a.turn) ?? {};
    return isSubset(expected, actual) ? undefined : [{ actual }];
  },
  describe: (expected) => ({ expected: `params including ${JSON.stringify(expected)}` }),
  update(u) {
    const params = parsedParams(u.answer);
    // an answer without params leaves nothing to expect: `params: {}` would check nothing
    if (params === undefined) u.removePair('params');
    else u.setValue('params', params);
  },
  record(answer) {
    const params = parsedParams(answer);
    return params && typeof params === 'object' ? (params as Record<string, unknown>) : undefined;
  },
  example: {
    yaml: '{ skillGroupId: 12 }',
    meets: { turn: { Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"12","queue":1}' } },
    misses: { turn: { Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"7"}' } },
  },
});

/** Every key of `expected` is in `actual` with an equal value (objects compared as subsets too). */
export function isSubset(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected as Record<string, unknown>).every(([k, v]) => isSubset(v, (actual as Record<string, unknown>)[k]));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((v, i) => isSubset(v, actual[i]));
  }
  // ActionParams values arrive as JSON, so `skillGroupId: 12` and "12" are the same target
  if (typeof expected === 'number' && typeof actual === 'string') return String(expected) === actual;
  return expected === actual;
}
