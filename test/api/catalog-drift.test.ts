import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('generated model', () => {
  it('is what scripts/gen-catalog.mjs makes from spec/ (run `npm run gen:catalog` after a spec or constraints change)', async () => {
    const gen = await import('../../scripts/gen-catalog.mjs');
    const spec = JSON.parse(readFileSync(gen.SPEC_PATH, 'utf8'));
    const constraints = JSON.parse(readFileSync(gen.CONSTRAINTS_PATH, 'utf8'));
    expect(readFileSync(gen.OUT_PATH, 'utf8')).toBe(gen.generateCatalogSource(spec, constraints));
    expect(readFileSync(gen.MODEL_PATH, 'utf8')).toBe(gen.generateModelSource(spec, constraints));
  });

  it('refuses an overlay rule without a source, on a parameter that does not exist, or of the wrong kind', async () => {
    const gen = await import('../../scripts/gen-catalog.mjs');
    const spec = JSON.parse(readFileSync(gen.SPEC_PATH, 'utf8'));
    const bad = [
      { actions: { CreateInstance: { Name: { nonBlank: true } } } },
      { actions: { CreateInstance: { Nmae: { nonBlank: true, source: 'x' } } } },
      { actions: { NoSuchAction: {} } },
      { actions: { CreateInstance: { Name: { min: 1, source: 'x' } } } },
      { actions: { CreateInstance: { Name: { limit: 1, source: 'x' } } } },
      { params: { NoSuchParam: { nonBlank: true, source: 'x' } } },
    ];
    for (const c of bad) expect(() => gen.generateCatalogSource(spec, c), JSON.stringify(c)).toThrow();
  });
});
