import { execLimited } from '../regex-limit.js';
import { assertion, replaceWithText } from './assertion.js';

/** Regular expression (JavaScript syntax) that TextResponse must match; it runs with a time limit (regex-limit.ts). */
export default assertion<string>({
  schema: { type: 'string', format: 'regex', description: 'TextResponse matches this regular expression.' },
  parse(node, p) {
    const s = p.str(node, 'textMatches');
    return s !== undefined && p.regex(node, s, 'textMatches') ? s : undefined;
  },
  check: (expected, a) => (execLimited(expected, a.text, a.patternLimitMs).matched ? undefined : [{ actual: a.text }]),
  describe: (expected) => ({ expected: `text matching /${String(expected)}/` }),
  update: replaceWithText,
  example: { yaml: "'^您的余额是\\d+元$'", meets: { turn: { TextResponse: '您的余额是100元' } }, misses: { turn: { TextResponse: '余额不足' } } },
});
