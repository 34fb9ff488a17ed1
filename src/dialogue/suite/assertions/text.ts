import { alternatives, assertion, show, TEXTS_SCHEMA } from './assertion.js';

/** Substring of TextResponse; a list means any of them. */
export default assertion<string | string[]>({
  schema: { ...TEXTS_SCHEMA, description: 'TextResponse contains this (a list: any of them).' },
  parse: (node, p) => p.strOrList(node, 'text'),
  check: (expected, a) => (alternatives(expected).some((t) => a.text.includes(t)) ? undefined : [{ actual: a.text }]),
  describe: (expected) => ({ expected: `text containing ${show(expected)}` }),
  update: (u) => u.setValue('text', u.answer.TextResponse ?? ''),
  record: (answer) => answer.TextResponse ?? '',
  example: { yaml: '[余额, balance]', meets: { turn: { TextResponse: '您的余额是100元' } }, misses: { turn: { TextResponse: '再见' } } },
});
