import { alternatives, assertion, replaceWithText, show, TEXTS_SCHEMA } from './assertion.js';

/** Substring(s) TextResponse must not contain. */
export default assertion<string | string[]>({
  schema: { ...TEXTS_SCHEMA, description: 'TextResponse contains none of these.' },
  inDefaults: true,
  parse: (node, p) => p.strOrList(node, 'notText'),
  check: (expected, a) => (alternatives(expected).some((t) => a.text.includes(t)) ? [{ actual: a.text }] : undefined),
  describe: (expected) => ({ expected: `text without ${show(expected)}` }),
  update: replaceWithText,
  example: { yaml: '抱歉', meets: { turn: { TextResponse: '好的' } }, misses: { turn: { TextResponse: '抱歉，我没听懂' } } },
});
