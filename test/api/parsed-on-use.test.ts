import { describe, expect, it } from 'vitest';
import { ACTION_SPECS } from '../../src/api/catalog.js';
import { parsedOnUse } from '../../src/api/parsed-on-use.js';

describe('parsedOnUse (the catalog’s specs, parsed when read)', () => {
  it('parses a text only when its key is read, once, and keeps the value', () => {
    // the second text is not JSON: nothing fails until it is read
    const o = parsedOnUse<Record<string, { n: number }>>({ a: '{"n":1}', b: 'not json' });
    expect(Object.keys(o)).toEqual(['a', 'b']);
    expect(Object.hasOwn(o, 'b')).toBe(true);
    const first = o.a;
    expect(first).toEqual({ n: 1 });
    expect(o.a).toBe(first);
    expect(() => o.b).toThrow(SyntaxError);
    // a parsed value cannot be replaced
    expect(() => {
      (o as Record<string, unknown>).a = 2;
    }).toThrow(TypeError);
  });

  it('gives the catalog’s specs as objects, every action’s', () => {
    expect(ACTION_SPECS.DescribeInstance.name).toBe('DescribeInstance');
    expect(Object.values(ACTION_SPECS)).toHaveLength(41);
    // the demo data in Chinese comes back from the text's \u escapes
    expect(JSON.stringify(ACTION_SPECS)).toMatch(/[\u4e00-\u9fff]/);
  });
});
