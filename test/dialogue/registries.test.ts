import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseReporterSpecs } from '../../src/commands/dialogue/reporters.js';
import type { Assertion } from '../../src/dialogue/suite/assertions/assertion.js';
import { ASSERTIONS, DEFAULT_KEYS, EXPECTATION_KEYS } from '../../src/dialogue/suite/assertions/index.js';
import { checkTurn, isUpdatableMismatch } from '../../src/dialogue/suite/expectations.js';
import { parseTestFile, TestFileError } from '../../src/dialogue/suite/parse.js';
import { expectationOf } from '../../src/dialogue/suite/record.js';
import { REPORTER_NAMES, REPORTERS } from '../../src/dialogue/suite/reporters/index.js';
import { JsonReporter } from '../../src/dialogue/suite/reporters/json.js';
import type { ConversationResult, FailedTurn } from '../../src/dialogue/suite/runner.js';
import { testFileSchema, testFileSchemaText } from '../../src/dialogue/suite/schema.js';
import { ExpectationUpdater } from '../../src/dialogue/suite/update.js';
import { ROOT, runVn, tempDir } from '../helpers/run.js';

/**
 * Where vn grows (docs/design.md): each registry's entries are all wired. An assertion kind is its
 * file in src/dialogue/suite/assertions/ and one line of its table; a reporter is its file in
 * src/dialogue/suite/reporters/ and one line of its table. Nothing else is needed, and these tests
 * fail when an entry is missing from a table or a table's entry misses a part.
 */
const SUITE = join(ROOT, 'src/dialogue/suite');
const tmp = tempDir('vn-registries-');
afterAll(() => tmp.cleanup());

type AjvLike = { compile(schema: object): (data: unknown) => boolean };
let validator: ((data: unknown) => boolean) | undefined;
async function schemaValidator(): Promise<(data: unknown) => boolean> {
  if (validator) return validator;
  const { default: Ajv2020 } = (await import('ajv/dist/2020.js')) as unknown as { default: new (o: object) => AjvLike };
  const { default: addFormats } = (await import('ajv-formats')) as unknown as { default: (a: AjvLike) => void };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  validator = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema/dialogue-test.schema.json'), 'utf8')));
  return validator;
}

/** A file of one conversation whose one step expects `key: value` (YAML text) of its answer. */
function fileWith(key: string, value: string): string {
  return `conversations:\n  - name: a\n    turns:\n      - say: hi\n        bot:\n          ${key}: ${value}\n`;
}

const entry = (key: string) => ASSERTIONS[key as keyof typeof ASSERTIONS] as Assertion<unknown>;

describe('the assertions registry (src/dialogue/suite/assertions/)', () => {
  it('has one line for each file of the folder', () => {
    const files = readdirSync(join(SUITE, 'assertions')).filter((f) => !['assertion.ts', 'index.ts'].includes(f));
    const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    expect(files.sort()).toEqual(EXPECTATION_KEYS.map((k) => `${kebab(k)}.ts`).sort());
    expect(EXPECTATION_KEYS).toEqual([
      'text',
      'textMatches',
      'notText',
      'action',
      'params',
      'context',
      'intent',
      'interruptible',
      'sameAsPrevious',
      'maxLatencyMs',
      'save',
    ]);
    expect(DEFAULT_KEYS).toEqual(['notText', 'interruptible', 'maxLatencyMs']);
  });

  it('has a row of docs/testing.md’s Expectations table for each kind, and the defaults named there', () => {
    const docs = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');
    const table = docs.slice(docs.indexOf('**Expectations**'), docs.indexOf('The patterns of `textMatches`'));
    const rows = [...table.matchAll(/^\| `(\w+)/gm)].map((m) => m[1]);
    expect(rows).toEqual(EXPECTATION_KEYS);
    expect(docs).toContain(
      `\`defaults\` holds ${DEFAULT_KEYS.map((k) => `\`${k}\``)
        .join(', ')
        .replace(/, ([^,]*)$/, ' and $1')}`,
    );
  });

  it('makes the committed JSON Schema (run `npm run gen:schema` after changing an assertion)', () => {
    expect(readFileSync(join(ROOT, 'schema/dialogue-test.schema.json'), 'utf8')).toBe(testFileSchemaText());
  });

  it.each(EXPECTATION_KEYS)('%s: is in the schema, parses, checks, is described, updates and records', async (key) => {
    const a = entry(key);
    const { example } = a;
    const yaml = await import('yaml');
    // the schema: its fragment, in `defaults` too when it may be a default; the example is valid, a nested list is not
    const schema = testFileSchema() as { $defs: { expectation: { properties: object } }; properties: { defaults: { properties: object } } };
    expect(schema.$defs.expectation.properties).toHaveProperty([key], a.schema);
    expect(Object.keys(schema.properties.defaults.properties).includes(key)).toBe(a.inDefaults === true);
    const validate = await schemaValidator();
    const text = fileWith(key, example.yaml);
    expect(validate(yaml.parse(text)), text).toBe(true);
    expect(validate(yaml.parse(fileWith(key, '[[1]]')))).toBe(false);

    // the parser: the example's value, and a wrong one reported at its line and column
    const file = await parseTestFile('t.test.yaml', text);
    const step = file.conversations[0]?.steps[1];
    const expected = step?.bot?.[key];
    expect(expected).toBeDefined();
    const bad = await parseTestFile('t.test.yaml', fileWith(key, '[[1]]')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(TestFileError);
    expect((bad as TestFileError).lines?.[0]).toMatch(new RegExp(`^t\\.test\\.yaml:6:(${13 + key.length}|${14 + key.length}): `));

    // the checker: the meeting answer passes, the missing one misses on this key alone
    const check = (ans: typeof example.meets, e: object = { [key]: expected }) =>
      checkTurn(e, ans.turn, ans.latencyMs ?? 10, ans.previous, undefined, ans.context);
    expect(check(example.meets).mismatches).toEqual([]);
    const missed = check(example.misses);
    expect(missed.mismatches.map((m) => m.key)).toEqual([key]);

    // the words of the report
    const m = missed.mismatches[0] as FailedTurn['mismatches'][number];
    const words = a.describe(m.expected, m.actual);
    expect(words.expected).not.toBe('');
    expect(words.expected).not.toBe(JSON.stringify(m.expected));

    // --update: what it writes from the missing answer then passes; a kind without update is left as it is
    const path = join(tmp.dir, `${key}.test.yaml`);
    writeFileSync(path, text);
    const updatable = isUpdatableMismatch(step as NonNullable<typeof step>, m);
    expect(updatable).toBe(a.update !== undefined);
    if (updatable) {
      const updater = new ExpectationUpdater();
      const failure: FailedTurn = {
        line: 4,
        sent: 'say hi',
        answer: example.misses.turn,
        latencyMs: 10,
        mismatches: missed.mismatches,
        ...(example.misses.context ? { context: example.misses.context } : {}),
      };
      updater.record(path, 0, step as NonNullable<typeof step>, failure);
      await updater.apply();
      const rewritten = await parseTestFile(path, readFileSync(path, 'utf8'));
      const bot = rewritten.conversations[0]?.steps[1]?.bot ?? {};
      const after = checkTurn(bot, example.misses.turn, example.misses.latencyMs ?? 10, example.misses.previous, undefined, example.misses.context);
      expect(after.mismatches, readFileSync(path, 'utf8')).toEqual([]);
    }

    // /save and --as-test: what is recorded from an answer is met by that answer
    const recorded = expectationOf(example.misses.turn);
    expect(recorded[key] !== undefined).toBe(a.record !== undefined);
    if (a.record) expect(check(example.misses, recorded).mismatches).toEqual([]);
  });

  it('shows every kind of mismatch in the terminal report in its own words', async () => {
    // a failed conversation holding one mismatch of every kind, through `vn dialogue merge --reporter pretty`
    const mismatches = EXPECTATION_KEYS.flatMap((key) => {
      const { example } = entry(key);
      const bot = { [key]: parseYaml(example.yaml) };
      return checkTurn(bot, example.misses.turn, example.misses.latencyMs ?? 10, example.misses.previous, undefined, example.misses.context).mismatches;
    });
    expect(mismatches.map((m) => m.key)).toEqual(EXPECTATION_KEYS);
    const shard = await shardWith(mismatches);
    const r = await runVn(['dialogue', 'merge', shard, '--reporter', 'pretty']);
    expect(r.code).toBe(1);
    for (const m of mismatches) expect(r.stdout).toContain(entry(m.key).describe(m.expected, m.actual).expected);
    expect(r.stdout).toContain('900.0 ms');
  });
});

/** A JSON report (as `vn dialogue test --reporter json=FILE` writes it) of one failed conversation. */
async function shardWith(mismatches: FailedTurn['mismatches']): Promise<string> {
  const file = join(tmp.dir, `shard-${Math.random().toString(36).slice(2)}.json`);
  const failure: FailedTurn = { line: 4, sent: 'say hi', answer: { TextResponse: '请稍候', Action: 'Broadcast' }, latencyMs: 900, mismatches };
  const result: ConversationResult = {
    file: 'a.test.yaml',
    name: 'every kind',
    run: 1,
    conversationId: 'c-1',
    outcome: 'failed',
    durationMs: 900,
    turns: 1,
    failures: [failure],
    // the turn expected another action: the intents reports list it as a miss
    transcript: [{ line: 4, kind: 'say', input: 'hi', answer: failure.answer, latencyMs: 900, ok: false, expect: { action: 'TransferToAgent' } }],
  };
  const { SummaryBuilder } = await import('../../src/dialogue/suite/summary.js');
  const summary = new SummaryBuilder();
  summary.add(result);
  const r = new JsonReporter(undefined, file);
  await r.start();
  await r.conversation(result);
  await r.end(summary.build({ skipped: 0, durationMs: 900 }));
  return file;
}

describe('the reporters registry (src/dialogue/suite/reporters/)', () => {
  it('has one entry for each reporter file of the folder', async () => {
    const files = readdirSync(join(SUITE, 'reporters')).filter((f) => !['index.ts', 'reporter.ts', 'progress.ts'].includes(f));
    const loaded = new Set<unknown>();
    for (const name of REPORTER_NAMES) loaded.add(await REPORTERS[name].load());
    const modules = await Promise.all(files.map((f) => import(join(SUITE, 'reporters', f))));
    // every reporter module's factories are entries of the table
    for (const [i, mod] of modules.entries()) {
      const factories = Object.entries(mod as object).filter(([k]) => k.startsWith('create'));
      expect(factories.length, files[i]).toBeGreaterThan(0);
      for (const [k, f] of factories) expect(loaded.has(f), `${files[i]} ${k}`).toBe(true);
    }
  });

  it('names every reporter in the docs of --reporter', () => {
    const docs = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');
    const row = docs.split('\n').find((l) => l.startsWith('| `--reporter NAME[=FILE]`')) ?? '';
    for (const name of REPORTER_NAMES) expect(row).toContain(`\`${name}\``);
  });

  it.each(REPORTER_NAMES)('%s: --reporter takes it, it loads and writes its report to a file', async (name) => {
    const info = REPORTERS[name];
    expect(info.summary).not.toBe('');
    expect(parseReporterSpecs([name], undefined)).toEqual([{ name, file: undefined }]);
    const out = join(tmp.dir, `report-${name}.${info.extension}`);
    expect(parseReporterSpecs([`${name}=${out}`], undefined)).toEqual([{ name, file: out }]);
    // a machine-readable report owns stdout: a second one there is refused
    if (info.machineReadable) expect(() => parseReporterSpecs([name, 'json'], undefined)).toThrow(/only one report can go to stdout/);
    else expect(parseReporterSpecs([name, 'json'], undefined)).toHaveLength(2);
    const shard = await shardWith([{ key: 'text', expected: '余额', actual: '请稍候' }]);
    const r = await runVn(['dialogue', 'merge', shard, '--reporter', `${name}=${out}`]);
    expect(r.code, r.stderr).toBe(1);
    expect(statSync(out).size).toBeGreaterThan(0);
    expect(readFileSync(out, 'utf8')).toContain('every kind');
    // on stdout: a machine-readable one alone, the summary then on stderr
    const s = await runVn(['dialogue', 'merge', shard, '--reporter', name]);
    expect(s.stdout).toContain('every kind');
    if (info.machineReadable) expect(s.stderr).toContain('✗ failed');
  });
});
