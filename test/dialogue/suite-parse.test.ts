// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the test files' own variable syntax
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONVERSATION_KEYS, DEFAULT_KEYS, EXPECTATION_KEYS, FILE_KEYS, STEP_KEYS } from '../../src/dialogue/suite/format.js';
import { parseTestFile, TestFileError } from '../../src/dialogue/suite/parse.js';
import { ROOT } from '../helpers/run.js';

interface AjvLike {
  compile(schema: object): (data: unknown) => boolean;
}

async function issuesOf(text: string): Promise<string[]> {
  try {
    await parseTestFile('t.yaml', text);
  } catch (e) {
    expect(e).toBeInstanceOf(TestFileError);
    expect((e as TestFileError).exitCode).toBe(2);
    return (e as TestFileError).issues.map((i) => `${i.line}:${i.col} ${i.message}`);
  }
  throw new Error('expected the file to be invalid');
}

describe('dialogue test file parsing', () => {
  it('reads the issue example into steps, the greeting first', async () => {
    const text = readFileSync(join(ROOT, 'examples/demo-bank.test.yaml'), 'utf8');
    const f = await parseTestFile('examples/demo-bank.test.yaml', text);
    expect(f.env).toBe('debug');
    expect(f.callingNumber).toBe('13800000000');
    expect(f.defaults).toEqual({ maxLatencyMs: 1500 });
    const c = f.conversations[0]!;
    expect(c.context).toEqual({ vip: true });
    expect(c.steps.map((s) => s.kind)).toEqual(['begin', 'say', 'say', 'dtmf', 'silence', 'say', 'end']);
    expect(c.steps[0]!.bot).toEqual({ text: '欢迎' });
    expect(c.steps[1]!.bot).toEqual({ text: ['余额', '账户'], action: 'Broadcast' });
    expect(c.steps[3]!.input).toBe('1');
    expect(c.steps[6]!.index).toBe(6);
  });

  it('adds the begin step when the first item already talks, and reads unquoted numbers as text', async () => {
    const f = await parseTestFile(
      't.yaml',
      'callingNumber: 13800000000\nconversations:\n  - name: a\n    turns:\n      - dtmf: 12\n        bot: { action: Broadcast }\n',
    );
    const steps = f.conversations[0]!.steps;
    expect(steps.map((s) => [s.kind, s.index])).toEqual([
      ['begin', -1],
      ['dtmf', 0],
    ]);
    expect(steps[1]!.input).toBe('12');
    expect(f.callingNumber).toBe('13800000000');
  });

  it('accepts save captures used later in say, dtmf and context', async () => {
    const f = await parseTestFile(
      't.yaml',
      [
        'conversations:',
        '  - name: vars',
        '    turns:',
        '      - bot: { save: { code: "编号(\\\\d+)" } }',
        '      - say: 我的编号是${code}',
        '        context: { ref: "${code}" }',
        '      - dtmf: "${code}#"',
      ].join('\n'),
    );
    expect(f.conversations[0]!.steps[0]!.bot?.save).toEqual({ code: '编号(\\d+)' });
  });

  it('reports YAML syntax errors with line and column', async () => {
    const issues = await issuesOf('conversations:\n  - name: a\n    turns: [\n');
    expect(issues[0]).toMatch(/^\d+:\d+ /);
  });

  it('reports every problem with its position, before anything could be sent', async () => {
    const text = [
      'instance: abc', // 1
      'env: staging', // 2
      'conversations:', // 3
      '  - name: one', // 4
      '    turns:', // 5
      '      - say: hi', // 6
      '        bot: { txt: hello }', // 7
      '      - dtmf: "12a"', // 8
      '      - say: a', // 9
      '        silence: true', // 10
      '      - bot: { textMatches: "([" }', // 11
      '      - say: ${nope}', // 12
      '      - end: true', // 13
      '        bot: { text: x }', // 14
      '  - name: one', // 15
      '    turns: []', // 16
    ].join('\n');
    const issues = await issuesOf(text);
    const find = (re: RegExp) => issues.find((i) => re.test(i));
    expect(find(/^2:6 `env` must be one of debug, live/)).toBeDefined();
    expect(find(/^7:16 unknown key `txt` in bot \(did you mean `text`\?\)/)).toBeDefined();
    expect(find(/^8:15 dtmf must be digits/)).toBeDefined();
    expect(find(/^9:9 a step does one thing; this one has say and silence/)).toBeDefined();
    expect(find(/^11:9 a step needs one of say/)).toBeDefined();
    expect(find(/^12:14 \$\{nope\} is not saved by an earlier step/)).toBeDefined();
    expect(find(/^14:14 EndDialogue has no answer to check/)).toBeDefined();
    expect(find(/^15:11 two conversations are named "one"/)).toBeDefined();
  });

  it('checks regular expressions and the one capture group of save', async () => {
    const issues = await issuesOf('conversations:\n  - name: a\n    turns:\n      - bot: { textMatches: "(", save: { x: "no group" } }\n');
    expect(issues.some((i) => /textMatches` is not a valid regular expression/.test(i))).toBe(true);
    expect(issues.some((i) => /save.x must have exactly one capture group/.test(i))).toBe(true);
  });

  it('rejects a file that is not a mapping or has no conversations', async () => {
    expect((await issuesOf('- a\n- b\n'))[0]).toMatch(/a test file is a mapping/);
    expect((await issuesOf('instance: x\n'))[0]).toMatch(/missing `conversations`/);
    expect((await issuesOf('conversations: []\n'))[0]).toMatch(/non-empty list/);
    expect((await issuesOf('defaults: { text: hi }\nconversations:\n  - { name: a, turns: [] }\n'))[0]).toMatch(/unknown key `text` in defaults/);
  });

  it('the JSON Schema accepts the example suite and refuses what the parser refuses', async () => {
    // ajv (a devDependency) in its 2020-12 build reads the schema's dialect
    const { default: Ajv2020 } = (await import('ajv/dist/2020.js')) as unknown as { default: new (o: object) => AjvLike };
    const { default: addFormats } = (await import('ajv-formats')) as unknown as { default: (a: AjvLike) => void };
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema/dialogue-test.schema.json'), 'utf8')));
    const yaml = await import('yaml');
    expect(validate(yaml.parse(readFileSync(join(ROOT, 'examples/demo-bank.test.yaml'), 'utf8')))).toBe(true);
    const bad = [
      'conversations: [{ name: a, turns: [{ say: hi, bot: { txt: x } }] }]',
      'conversations: [{ name: a, turns: [{ say: hi, silence: true }] }]',
      'conversations: [{ name: a, turns: [{ end: true, bot: { text: x } }] }]',
      'conversations: [{ name: a, turns: [{ dtmf: "12a" }] }]',
      'env: staging\nconversations: [{ name: a, turns: [] }]',
      'conversations: []',
    ];
    for (const text of bad) expect(validate(yaml.parse(text)), text).toBe(false);
  });

  it('publishes the same keys in the JSON Schema as the parser accepts', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/dialogue-test.schema.json'), 'utf8'));
    const keys = (o: { properties: Record<string, unknown> }) => Object.keys(o.properties).sort();
    expect(keys(schema)).toEqual([...FILE_KEYS].sort());
    expect(keys(schema.properties.defaults)).toEqual([...DEFAULT_KEYS].sort());
    expect(keys(schema.$defs.conversation)).toEqual([...CONVERSATION_KEYS].sort());
    expect(keys(schema.$defs.step)).toEqual([...STEP_KEYS].sort());
    expect(keys(schema.$defs.expectation)).toEqual([...EXPECTATION_KEYS].sort());
  });
});
