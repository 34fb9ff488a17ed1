import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES, ACTION_SPECS } from '../../src/api/catalog.js';
import { readProvenance } from '../helpers/provenance.js';

describe('generated model', () => {
  it('is what scripts/gen-catalog.mjs makes from spec/ (run `npm run gen:catalog` after a spec or constraints change)', async () => {
    const gen = await import('../../scripts/gen-catalog.mjs');
    const spec = JSON.parse(readFileSync(gen.SPEC_PATH, 'utf8'));
    const constraints = JSON.parse(readFileSync(gen.CONSTRAINTS_PATH, 'utf8'));
    expect(readFileSync(gen.OUT_PATH, 'utf8')).toBe(gen.generateCatalogSource(spec, constraints));
    expect(readFileSync(gen.MODEL_PATH, 'utf8')).toBe(gen.generateModelSource(spec, constraints));
    expect(readFileSync(gen.PROVENANCE_PATH, 'utf8')).toBe(gen.generateProvenanceSource(spec, constraints));
  });

  it('keys every action by its name, with no provenance in the runtime table (it is in provenance.json)', () => {
    expect(Object.keys(ACTION_SPECS).sort()).toEqual([...ACTION_NAMES].sort());
    for (const [name, a] of Object.entries(ACTION_SPECS)) {
      expect(a.name).toBe(name);
      expect(Object.keys(a)).not.toContain('inSeed');
      expect(Object.keys(a)).not.toContain('responseSeedOnly');
      for (const p of a.params) expect(Object.keys(p).filter((k) => k === 'source' || k === 'rulesSource')).toEqual([]);
    }
    const provenance = readProvenance();
    expect(Object.keys(provenance.actions).sort()).toEqual([...ACTION_NAMES].sort());
    expect(provenance.actions.CreateInstance.params.Concurrency?.rulesSource).toMatch(/^seed 7\.3/);
    expect(provenance.actions.DescribeInstance.params.InstanceId?.source).toBe('both');
  });

  it('gives each paged action its paginator as data, and refuses a half-paged one', async () => {
    const paged = Object.values(ACTION_SPECS).filter((a) => a.paginator);
    expect(paged.map((a) => a.name).sort()).toEqual(['ListChatbotInstances', 'ListConversations', 'ListDownloadTasks', 'ListInstances', 'QueryConversations']);
    expect(ACTION_SPECS.ListDownloadTasks.paginator).toEqual({
      page: 'PageNumber',
      size: 'PageSize',
      items: 'DownloadTasks.List',
      total: 'DownloadTasks.TotalCount',
      echoPage: 'DownloadTasks.PageNumber',
      echoSize: 'DownloadTasks.PageSize',
    });
    for (const a of Object.values(ACTION_SPECS)) {
      const names = a.params.map((p) => p.name);
      expect(names.includes('PageNumber') || names.includes('PageSize'), a.name).toBe(a.paginator !== undefined);
    }
    const gen = await import('../../scripts/gen-catalog.mjs');
    const spec = JSON.parse(readFileSync(gen.SPEC_PATH, 'utf8')) as { actions: { name: string; params: { name: string }[] }[] };
    const target = spec.actions.find((a) => a.name === 'DescribeInstance');
    target?.params.push({ ...(target.params[0] as { name: string }), name: 'PageNumber' });
    expect(() => gen.generateCatalogSource(spec, { params: {}, actions: {} })).toThrow(/DescribeInstance: PageNumber and PageSize come together/);
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
