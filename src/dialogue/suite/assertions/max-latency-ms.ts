import { assertion, show } from './assertion.js';

/** The answer came within this many milliseconds. Not rewritten by --update: latency is not a property of the answer. */
export default assertion<number>({
  schema: { type: 'number', exclusiveMinimum: 0 },
  inDefaults: true,
  parse(node, p) {
    if (p.yaml.isScalar(node) && typeof node.value === 'number' && node.value > 0) return node.value;
    p.issue(node, '`maxLatencyMs` is a positive number of milliseconds');
    return undefined;
  },
  check: (expected, a) => (a.latencyMs > expected ? [{ actual: a.latencyMs }] : undefined),
  // one decimal, the precision the check used: "within 2 ms" is never answered by "got 2 ms"
  describe: (expected, actual) => ({
    expected: `an answer within ${show(expected)} ms`,
    actual: typeof actual === 'number' ? `${actual.toFixed(1)} ms` : JSON.stringify(actual),
  }),
  example: { yaml: '500', meets: { turn: {}, latencyMs: 120 }, misses: { turn: {}, latencyMs: 900 } },
});
