import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, parseConfigFile } from '../../src/manifest/load.js';
import { fieldsOf, TOP_KEYS } from '../../src/manifest/model.js';
import { instanceConfigSchema } from '../../src/manifest/schema.js';
import { ROOT } from '../helpers/run.js';

interface AjvLike {
  compile(schema: object): (data: unknown) => boolean;
}

const SCHEMA_FILE = join(ROOT, 'schema/instance-config.schema.json');

async function issuesOf(text: string): Promise<string[]> {
  try {
    await parseConfigFile('f.yaml', text);
  } catch (e) {
    if (e instanceof ConfigFileError) return e.issues.map((i) => `${i.line}:${i.col}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('the configuration file', () => {
  it('takes YAML documents, lists and JSON, keeping the file’s values', async () => {
    const yaml = await parseConfigFile('f.yaml', 'name: a\nconcurrency: 2\n---\n- name: b\n  tts: {speechRate: -100}\n- name: c\n---\n');
    expect(yaml.instances.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(yaml.instances[0]?.sections.instance).toEqual({ Name: 'a', Concurrency: 2 });
    expect(yaml.instances[1]?.sections.tts).toEqual({ SpeechRate: -100 });
    const json = await parseConfigFile('f.json', JSON.stringify([{ name: 'x', silenceTimeout: { finalActionParams: { a: 1 } } }]));
    expect(json.instances[0]?.sections.silenceTimeout).toEqual({ FinalActionParams: { a: 1 } });
    expect(json.instances[0]?.positions.get('silenceTimeout.FinalActionParams')).toEqual({ line: 1, col: 52 });
  });

  it('has a key for every parameter of the write actions, and nothing else', () => {
    expect(fieldsOf('tts').map((f) => f.key)).toContain('speechRate');
    expect(
      fieldsOf('silenceTimeout')
        .map((f) => f.key)
        .sort(),
    ).toEqual(['finalAction', 'finalActionParams', 'finalPrompt', 'intentTrigger', 'prompt', 'sourceType', 'threshold', 'timeout'].sort());
    expect(fieldsOf('asr').map((f) => f.key)).not.toContain('configLevel');
    expect(TOP_KEYS).toEqual(expect.arrayContaining(['name', 'id', 'concurrency', 'description', 'enabled', 'chatbot', 'readOnly']));
  });

  it('reports every problem with line:col and a suggestion', async () => {
    expect(await issuesOf('name: a\nttss: {}\n')).toEqual(['2:1: unknown key `ttss` in an instance (did you mean `tts`?)']);
    expect(await issuesOf('name: a\ntts:\n  speechrate: 1\n')).toEqual(['3:3: unknown key `speechrate` in `tts` (did you mean `speechRate`?)']);
    expect(await issuesOf('concurrency: 1\n')).toEqual(['1:1: an instance needs a `name`']);
    expect(await issuesOf('name: " a "\n')).toEqual(['1:7: `name` must not begin or end with spaces']);
    // the catalog's rules (spec/constraints.json), through the one validator, in the order of the file
    expect(
      await issuesOf(
        'name: ""\nconcurrency: 0\ntts:\n  volume: 200\nsilenceTimeout:\n  finalAction: Transfer\n  finalActionParams: [1]\ngreeting:\n  greetingWords: "  "\n',
      ),
    ).toEqual([
      '1:7: `name` must not be empty',
      '2:14: `concurrency` must be an integer of 1 or more, got 0',
      '4:11: `tts.volume` must be an integer from 0 to 100, got 200',
      '6:16: `silenceTimeout.finalAction` must be one of TransferToAgent, TransferToIVR, RedirectToPage, HangUp, got "Transfer"',
      '7:22: `silenceTimeout.finalActionParams` must be a JSON object, e.g. {"key":"value"}',
      '9:18: `greeting.greetingWords` must not be empty',
    ]);
    expect(await issuesOf('name: a\nconcurrency: "lots"\n')).toEqual(['2:14: `concurrency` must be an integer, got "lots"']);
    expect(await issuesOf('name: a\ngreeting:\n  greetingWords:\n')).toEqual(['3:3: `greetingWords` has no value (write "" for an empty text)']);
    expect(await issuesOf('name: a\nchatbot: {chatbotName: x}\n')).toEqual(['2:10: `chatbot.chatbotInstanceId` is required']);
    expect(await issuesOf('name: a\n---\nname: a\n')).toEqual(['3:1: a second instance is named "a" (first at line 1)']);
    expect(await issuesOf('apiVersion: v2\nname: a\n')).toEqual(['1:13: `apiVersion` must be vn/v1']);
    expect(await issuesOf('- 1\n')).toEqual(['1:3: an instance is a mapping with at least a `name`']);
    expect(await issuesOf('')).toEqual(['1:1: the file declares no instance']);
    expect(await issuesOf('name: a\nname: b\n')).toEqual(['2:1: `name` is given twice (first at line 1)']);
  });

  it('refuses a text value that YAML would read as another number or a boolean, with a quoting hint', async () => {
    expect(
      await issuesOf('name: 1e3\ndescription: 0x1F\ntts:\n  voice: True\n  speechRate: 1.50\n  pitchRate: 0o17\ngreeting:\n  greetingWords: .inf\n'),
    ).toEqual([
      '1:7: `name` is text, but YAML reads 1e3 as the number 1000: quote it ("1e3") to keep it as written',
      '2:14: `description` is text, but YAML reads 0x1F as the number 31: quote it ("0x1F") to keep it as written',
      '4:10: `tts.voice` is text, but YAML reads True as the boolean true: quote it ("True") to keep it as written',
      '5:15: `tts.speechRate` is text, but YAML reads 1.50 as the number 1.5: quote it ("1.50") to keep it as written',
      '6:14: `tts.pitchRate` is text, but YAML reads 0o17 as the number 15: quote it ("0o17") to keep it as written',
      '8:18: `greeting.greetingWords` is text, but YAML reads .inf as the number Infinity: quote it (".inf") to keep it as written',
    ]);
    // a number that is its own text, and quoted text, are taken as written
    const ok = await parseConfigFile('f.yaml', 'name: "1e3"\ndescription: 2024\ntts: {speechRate: -100, voice: "0x1F"}\n');
    expect(ok.instances[0]?.sections.instance).toEqual({ Name: '1e3', Description: 2024 });
    expect(ok.instances[0]?.sections.tts).toEqual({ SpeechRate: -100, Voice: '0x1F' });
    // the same in a JSON file: a number where text is meant is refused too
    expect(await issuesOf('{"name": "a", "description": 1e3}')).toEqual([
      '1:30: `description` is text, but YAML reads 1e3 as the number 1000: quote it ("1e3") to keep it as written',
    ]);
  });

  it('reads a JSON field with its document: an alias inside is the value it names', async () => {
    const file = await parseConfigFile(
      'f.yaml',
      'name: a\nsilenceTimeout:\n  finalActionParams: &p {source: sg}\nunrecognizing:\n  finalActionParams: {copy: *p, list: [*p], s: &s x, t: *s}\n',
    );
    expect(file.instances[0]?.sections.unrecognizing).toEqual({
      FinalActionParams: { copy: { source: 'sg' }, list: [{ source: 'sg' }], s: 'x', t: 'x' },
    });
  });

  it('publishes a JSON Schema built from the same model (VN_WRITE_SCHEMA=1 rewrites it)', async () => {
    const built = `${JSON.stringify(instanceConfigSchema(), null, 2)}\n`;
    if (process.env.VN_WRITE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, built);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(built);
  });

  it('the JSON Schema accepts what the loader accepts and refuses unknown keys and wrong types', async () => {
    const { default: Ajv2020 } = (await import('ajv/dist/2020.js')) as unknown as { default: new (o: object) => AjvLike };
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
    const yaml = await import('yaml');
    const good = [
      'name: a\nconcurrency: 3\nenabled: false\ntts: {voice: aixia, speechRate: -100}\nsilenceTimeout: {timeout: 10, finalActionParams: {a: 1}}\nreadOnly: {instanceId: x}',
      '- name: a\n- name: b\n  asr: {asrVocabularyId: v}',
    ];
    for (const text of good) {
      await parseConfigFile('f.yaml', text);
      expect(validate(yaml.parse(text)), text).toBe(true);
    }
    const bad = [
      'name: a\nttss: {}',
      'name: a\nconcurrency: x',
      'concurrency: 1',
      'name: a\nenabled: maybe',
      'name: a\ntts: {voise: x}',
      'name: a\nreadOnly: {foo: 1}',
    ];
    for (const text of bad) {
      expect(validate(yaml.parse(text)), text).toBe(false);
      expect((await issuesOf(text)).length, text).toBeGreaterThan(0);
    }
  });
});
