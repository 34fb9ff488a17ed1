// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the test files' own variable syntax
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTestFile, TestFileError } from '../../src/dialogue/suite/parse.js';
import { MAX_VARIANT_CASES } from '../../src/dialogue/suite/variants.js';
import { ROOT, tempDir } from '../helpers/run.js';

const tmp = tempDir('vn-variants-');
afterAll(() => tmp.cleanup());

function write(name: string, text: string): string {
  const p = join(tmp.dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function issuesOf(path: string, text: string): Promise<string[]> {
  try {
    await parseTestFile(path, text);
  } catch (e) {
    expect(e).toBeInstanceOf(TestFileError);
    expect((e as TestFileError).exitCode).toBe(2);
    return [...((e as TestFileError).lines ?? [])];
  }
  throw new Error('expected the file to be invalid');
}

describe('utterance variants in a test file', () => {
  it('expands say.anyOf and say.file (relative to the test file) into one case per combination, named with the variants', async () => {
    write('utterances/balance.txt', '# balance, one a line\n我想查余额\n\n  查一下余额\r\n余额多少钱\n');
    const path = write(
      'a.test.yaml',
      'conversations:\n  - name: balance\n    turns:\n      - say: { anyOf: [你好, 喂] }\n      - say: { file: utterances/balance.txt }\n        bot: { intent: 余额查询 }\n  - name: plain\n    turns:\n      - say: hi\n',
    );
    const f = await parseTestFile(path, (await import('node:fs')).readFileSync(path, 'utf8'));
    expect(f.conversations.map((c) => c.name)).toEqual([
      'balance [say: 你好; say: 我想查余额]',
      'balance [say: 你好; say: 查一下余额]',
      'balance [say: 你好; say: 余额多少钱]',
      'balance [say: 喂; say: 我想查余额]',
      'balance [say: 喂; say: 查一下余额]',
      'balance [say: 喂; say: 余额多少钱]',
      'plain',
    ]);
    const c = f.conversations[4]!;
    expect(c.steps.map((s) => s.input)).toEqual([undefined, '喂', '查一下余额']);
    expect(c.variantOf).toBe('balance');
    expect(c.index).toBe(0);
    expect(c.steps[2]!.bot).toEqual({ intent: '余额查询' });
    // every step of a case is shared by the other cases: --update leaves it alone
    expect(c.steps.every((s) => s.shared)).toBe(true);
    expect(f.conversations[6]!.steps.some((s) => s.shared)).toBe(false);
  });

  it('exits 2 on a missing or empty utterance file, naming the test file line and the file, and on bad say mappings', async () => {
    write('utterances/empty.txt', '# nothing yet\n\n');
    const path = join(tmp.dir, 'b.test.yaml');
    const text =
      'conversations:\n  - name: a\n    turns:\n      - say: { file: utterances/nope.txt }\n      - say: { file: utterances/empty.txt }\n' +
      '      - say: { anyOf: [查余额, 查余额] }\n      - say: { anyOf: [] }\n      - say: { anyOf: [x], file: y }\n      - say: { every: [x] }\n';
    const issues = await issuesOf(path, text);
    expect(issues).toEqual([
      `${path}:6:29: "查余额" is listed twice in say.anyOf (items 1 and 2)`,
      `${path}:7:23: \`say.anyOf\` is a non-empty list of utterances`,
      `${path}:8:14: say takes anyOf or file, not both`,
      `${path}:9:16: unknown key \`every\` in say; a say mapping holds anyOf (a list of utterances) or file (a file of them, one a line)`,
    ]);
    // the files are read once the file itself is valid
    const files = await issuesOf(path, text.split('\n').slice(0, 5).join('\n'));
    expect(files).toEqual([
      `${path}:4:22: say.file utterances/nope.txt: no such file (looked for ${join(tmp.dir, 'utterances/nope.txt')})`,
      `${path}:5:22: say.file utterances/empty.txt: holds no utterance (one utterance a line; blank lines and # comments are left out)`,
    ]);
  });

  it('names the utterance file and line of a repeated utterance or an unsaved ${NAME}', async () => {
    const u = write('utterances/dup.txt', '查余额\n余额\n查余额\n${code}\n');
    const path = join(tmp.dir, 'c.test.yaml');
    const issues = await issuesOf(path, 'conversations:\n  - name: a\n    turns:\n      - say: { file: utterances/dup.txt }\n');
    expect(issues).toEqual([
      `${u}:3:1: "查余额" is listed twice (first on line 1) in the utterances of ${path}:4`,
      `${u}:4:1: \${code} is not saved by an earlier step of this conversation (bot.save)`,
    ]);
  });

  it(`refuses more than ${MAX_VARIANT_CASES} combinations in one conversation, saying how many`, async () => {
    const many = (n: number, p: string) => `[${Array.from({ length: n }, (_, i) => `${p}${i}`).join(', ')}]`;
    const text = `conversations:\n  - name: big\n    turns:\n      - say: { anyOf: ${many(40, 'a')} }\n      - say: { anyOf: ${many(30, 'b')} }\n`;
    expect(await issuesOf(join(tmp.dir, 'd.test.yaml'), text)).toEqual([
      `${join(tmp.dir, 'd.test.yaml')}:2:1: conversation "big" has 40 × 30 = 1200 combinations of its variants, more than 1000 (each one is a conversation): give it fewer variants, or split it`,
    ]);
    // at the cap it is fine
    const ok = await parseTestFile(
      'e.test.yaml',
      `conversations:\n  - name: big\n    turns:\n      - say: { anyOf: ${many(40, 'a')} }\n      - say: { anyOf: ${many(25, 'b')} }\n`,
    );
    expect(ok.conversations).toHaveLength(1000);
  });

  it('reads the example intent set into its eight cases', async () => {
    const path = join(ROOT, 'examples/intents/demo-bank.intents.yaml');
    const f = await parseTestFile(path, readFileSync(path, 'utf8'));
    expect(f.conversations.map((c) => c.name)).toEqual([
      'balance [say: 我想查余额]',
      'balance [say: 查一下余额]',
      'balance [say: 我的卡里钱]',
      'balance [say: 账户里还剩多少]',
      'loan [say: 我想贷款]',
      'loan [say: 贷款利率是多少]',
      'loan [say: 申请一笔消费贷]',
      'keypad menu',
    ]);
  });

  it('refuses a case named like another conversation', async () => {
    const text = 'conversations:\n  - name: a\n    turns:\n      - say: { anyOf: [x] }\n  - name: "a [say: x]"\n    turns:\n      - say: y\n';
    expect(await issuesOf('f.test.yaml', text)).toEqual(['f.test.yaml:5:1: two conversations are named "a [say: x]" (one of them from variants)']);
  });
});
