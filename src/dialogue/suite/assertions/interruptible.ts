import { assertion, show } from './assertion.js';

/** Whether the caller can barge in on the answer. */
export default assertion<boolean>({
  schema: { type: 'boolean' },
  inDefaults: true,
  parse(node, p) {
    if (p.yaml.isScalar(node) && typeof node.value === 'boolean') return node.value;
    p.issue(node, '`interruptible` is true or false');
    return undefined;
  },
  check: (expected, a) => (Boolean(a.turn.Interruptible) === expected ? undefined : [{ actual: Boolean(a.turn.Interruptible) }]),
  describe: (expected) => ({ expected: `interruptible ${show(expected)}` }),
  update: (u) => u.setValue('interruptible', Boolean(u.answer.Interruptible)),
  // a recorded transcript (ListConversationDetails) does not say whether the caller could barge in
  record: (answer) => (answer.Interruptible === undefined ? undefined : Boolean(answer.Interruptible)),
  example: { yaml: 'true', meets: { turn: { Interruptible: true } }, misses: { turn: { Interruptible: false } } },
});
