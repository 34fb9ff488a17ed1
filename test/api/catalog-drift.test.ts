import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('generated catalog', () => {
  it('is what scripts/gen-catalog.mjs makes from the spec (run `npm run gen:catalog` after a spec change)', async () => {
    const gen = await import('../../scripts/gen-catalog.mjs');
    const spec = JSON.parse(readFileSync(gen.SPEC_PATH, 'utf8'));
    expect(readFileSync(gen.OUT_PATH, 'utf8')).toBe(gen.generateCatalogSource(spec));
  });
});
