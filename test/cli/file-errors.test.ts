import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVn, tempDir } from '../helpers/run.js';

/**
 * docs/testing.md and docs/config-as-code.md: an invalid file of vn's own (a test suite, a
 * configuration file, a chatbot file) exits 2 with one `file:line:col: …` line per problem on
 * stderr, never several problems on one line joined by a literal "\n".
 */
const tmp = tempDir('vn-file-errors-');
afterAll(() => tmp.cleanup());

function file(name: string, lines: string[]): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function expectLines(stderr: string, expected: string[]): void {
  expect(stderr).not.toContain('\\n');
  expect(stderr.trimEnd().split('\n')).toEqual(expected);
}

// no credentials and an endpoint nothing listens on: a file error must come before any of them matters
const env = { VN_CONFIG_DIR: join(tmp.dir, 'config'), VN_ENDPOINT: 'http://127.0.0.1:9' };

describe('one line per problem in the errors of vn’s own files', () => {
  it('a test suite (vn dialogue test)', async () => {
    const path = file('bad.test.yaml', [
      'instance: i-1',
      'conversations:',
      '  - name: one',
      '    steps:',
      '      - say: hi',
      '        expect: {txt: hello}',
      '      - sya: bye',
    ]);
    const r = await runVn(['dialogue', 'test', path], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expectLines(r.stderr, [
      `${path}:3:5: conversation "one" needs \`turns\``,
      `${path}:4:5: unknown key \`steps\` in conversation; expected name, tags, context, callingNumber, calledNumber, turns`,
    ]);
  });

  it('a configuration file (vn apply, vn diff)', async () => {
    const path = file('bad.yaml', ['name: a', 'concurency: 1', 'tts:', '  voise: aixia']);
    for (const argv of [
      ['apply', '-f', path, '--yes'],
      ['diff', '-f', path],
    ]) {
      const r = await runVn(argv, { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expectLines(r.stderr, [
        `${path}:2:1: unknown key \`concurency\` in an instance (did you mean \`concurrency\`?)`,
        `${path}:4:3: unknown key \`voise\` in \`tts\` (did you mean \`voice\`?)`,
      ]);
    }
  });

  it('a chatbot file (vn emulator start --chatbots)', async () => {
    const path = file('bots.yaml', ['chatbots:', '  - id: x', '    threshold: 2', '  - id: x']);
    const r = await runVn(['emulator', 'start', '--chatbots', path, '--port', '0', '--data', join(tmp.dir, 'emu.db')], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expectLines(r.stderr, [
      `${path}:3:16: chatbots[0].threshold must be a number above 0 and at most 1`,
      `${path}:4:9: chatbots[1].id repeats the id "x" (ids must be unique)`,
    ]);
  });
});
