import { execLimited } from '../regex-limit.js';
import { assertion, type Miss } from './assertion.js';

/**
 * NAME → regex with one capture group, applied to TextResponse; the capture is `${NAME}` in later
 * steps. Not rewritten by --update: a pattern is not a property of the answer.
 */
export default assertion<Record<string, string>>({
  schema: {
    type: 'object',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names the file's ${NAME} syntax
    description: 'NAME: a regular expression with one capture group; the capture is ${NAME} in later say, dtmf and context values.',
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    additionalProperties: { type: 'string', format: 'regex' },
  },
  parse(node, p) {
    if (!p.yaml.isMap(node)) {
      p.issue(node, '`save` maps NAME to a regular expression with one capture group');
      return undefined;
    }
    const save: Record<string, string> = {};
    for (const pair of node.items) {
      const name = p.yaml.isScalar(pair.key) ? String(pair.key.value) : '';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        p.issue(pair.key as import('yaml').Node, `"${name}" is not a variable name (letters, digits, _)`);
        continue;
      }
      const value = pair.value as import('yaml').Node | null;
      const re = p.str(value, `save.${name}`);
      if (re === undefined || !p.regex(value, re, `save.${name}`)) continue;
      if (new RegExp(`${re}|`).exec('')?.length !== 2) p.issue(value, `save.${name} must have exactly one capture group`);
      save[name] = re;
      p.saved.add(name);
    }
    return save;
  },
  check(expected, a) {
    const misses: Miss[] = [];
    for (const [name, source] of Object.entries(expected)) {
      const m = execLimited(source, a.text, a.patternLimitMs);
      if (m.group === undefined) misses.push({ expected: { [name]: source }, actual: a.text });
      else a.capture(name, m.group);
    }
    return misses;
  },
  describe: (expected) => ({ expected: `text matching the save pattern ${JSON.stringify(expected)}` }),
  example: { yaml: "{ code: '验证码(\\d+)' }", meets: { turn: { TextResponse: '您的验证码1234' } }, misses: { turn: { TextResponse: '请稍候' } } },
});
