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

describe('the rules vn chose', () => {
  it('are each listed in docs/emulator.md (Parameter rules)', async () => {
    const gen = await import('../../scripts/gen-catalog.mjs');
    const c = JSON.parse(readFileSync(gen.CONSTRAINTS_PATH, 'utf8')) as {
      params: Record<string, { source: string }>;
      actions: Record<string, Record<string, { source: string }>>;
    };
    const doc = readFileSync(new URL('../../docs/emulator.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Parameter rules'), doc.indexOf('## Faults and latency'));
    const chosen = [
      ...Object.entries(c.params)
        .filter(([, r]) => r.source.startsWith('vn'))
        .map(([p]) => p),
      ...Object.values(c.actions).flatMap((ps) =>
        Object.entries(ps)
          .filter(([, r]) => r.source.startsWith('vn'))
          .map(([p]) => p),
      ),
    ];
    expect(chosen.length).toBeGreaterThan(5);
    expect(chosen.filter((p) => !section.includes(`\`${p}\``))).toEqual([]);
  });
});
