import { describe, expect, it } from 'vitest';
import { GLOBAL_FLAGS } from '../../src/commands/globals.js';
import { FORMATS, OUTPUT_FORMATS } from '../../src/output/formats/index.js';
import { render } from '../../src/output/render.js';

describe('the output format registry', () => {
  it("is -o's list of choices, in its order", () => {
    const flag = (GLOBAL_FLAGS as readonly { key: string; choices?: readonly string[] }[]).find((f) => f.key === 'output');
    expect(flag?.choices).toEqual(OUTPUT_FORMATS);
    expect(OUTPUT_FORMATS).toEqual(['table', 'wide', 'json', 'yaml', 'xml', 'tsv']);
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
