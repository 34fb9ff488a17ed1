import { describe, expect, it } from 'vitest';
import { GLOBAL_FLAGS } from '../../src/commands/globals.js';
import { FORMATS, OUTPUT_FORMATS } from '../../src/output/formats/index.js';
import { render } from '../../src/output/render.js';

describe('the output format registry', () => {
  it("is -o's list of choices, in its order", () => {
    const flag = (GLOBAL_FLAGS as readonly { key: string; choices?: readonly string[] }[]).find((f) => f.key === 'output');
    expect(flag?.choices).toEqual(OUTPUT_FORMATS);
    expect(OUTPUT_FORMATS).toEqual(['table', 'wide', 'json', 'yaml', 'xml', 'tsv', 'text']);
  });

  it.each(OUTPUT_FORMATS)('%s loads its formatter and renders an answer', async (name) => {
    let text = '';
    const target = { write: (s: string) => void (text += s), isTTY: false, color: false };
    await render({ data: { Instances: [{ InstanceId: 'i-1', Name: 'n' }], TotalCount: 1 }, view: { listField: 'Instances' } }, { format: name }, target);
    expect(text).toContain('i-1');
    expect(typeof FORMATS[name].summary).toBe('string');
  });

  it('says which format asks the service for its own body and which refuses --query', () => {
    const wire = OUTPUT_FORMATS.filter((f) => FORMATS[f].wire);
    expect(wire).toEqual(['xml']);
    expect(OUTPUT_FORMATS.filter((f) => !FORMATS[f].acceptsQuery)).toEqual(['xml']);
    expect(OUTPUT_FORMATS.filter((f) => FORMATS[f].supportsViews)).toEqual(['table', 'wide', 'tsv']);
  });
});

describe('-o text: raw values, as jq -r (issue 21, what to build 3)', () => {
  const draw = async (data: unknown, isTTY = false) => {
    let text = '';
    await render({ data }, { format: 'text' }, { write: (s: string) => void (text += s), isTTY, color: false });
    return text;
  };

  it('a string prints without quotes, other scalars as JSON writes them, null as nothing', async () => {
    expect(await draw('3f6e-id')).toBe('3f6e-id\n');
    expect(await draw('客服\t热线')).toBe('客服\t热线\n');
    expect(await draw(42)).toBe('42\n');
    expect(await draw(true)).toBe('true\n');
    expect(await draw(null)).toBe('\n');
  });

  it('a list of scalars one per line; a list of lists tab-separated; nested values as compact JSON', async () => {
    expect(await draw(['a', 'b', 3])).toBe('a\nb\n3\n');
    expect(await draw([])).toBe('');
    expect(
      await draw([
        ['i-1', '示例热线', 5],
        ['i-2', 'tab\there', null],
      ]),
    ).toBe('i-1\t示例热线\t5\ni-2\ttab\\there\t\n');
    expect(await draw([{ a: 1 }])).toBe('{"a":1}\n');
  });

  it('an object as key<TAB>value lines', async () => {
    expect(await draw({ InstanceId: 'i-1', Concurrency: 5, Ops: ['Modify'] })).toBe('InstanceId\ti-1\nConcurrency\t5\nOps\t["Modify"]\n');
  });

  it('neutralises control characters on a terminal, and --query applies first', async () => {
    expect(await draw('\u001b[31mred', true)).toBe('\\x1b[31mred\n');
    let text = '';
    await render(
      { data: { Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] } },
      { format: 'text', query: 'Instances[].InstanceId' },
      { write: (s: string) => void (text += s), isTTY: false, color: false },
    );
    expect(text).toBe('i-1\ni-2\n');
  });
});
