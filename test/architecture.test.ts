import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run.js';

/**
 * The layers of docs/design.md, checked on the source: every import (static, dynamic and
 * type-only, as a reader sees them) of every module under src/.
 */
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT_RE = /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** src-relative module → the src-relative modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? '';
      if (!spec.startsWith('.')) continue;
      deps.push(relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

/** The emulator verifies signatures with the same algorithms the client signs with (one implementation of the seed's 签名机制). */
const SHARED = ['client/sign-v1.ts', 'client/sign-v3.ts', 'client/encode.ts'];

/** Known breaks being moved out (each one goes when its move lands). */
const KNOWN = new Set(['client/download.ts → output/progress.ts']);
const KNOWN_CYCLES = new Set<string>();

describe('the layers', () => {
  const graph = importGraph();

  it('sees the imports (the walker is not blind)', () => {
    expect(graph.get('cli.ts')).toContain('program.ts');
    expect(graph.get('context.ts')).toContain('api/types.ts');
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'a']]);
  });

  it('have no import circles', () => {
    expect(
      cycles(graph)
        .map((c) => c.join(' → '))
        .filter((c) => !KNOWN_CYCLES.has(c)),
    ).toEqual([]);
  });

  it.each([
    ['api/', ['client/', 'commands/', 'config/', 'dialogue/', 'emulator/', 'output/', 'completion/']],
    ['client/', ['emulator/', 'commands/', 'dialogue/', 'output/', 'completion/']],
    ['emulator/', ['output/', 'commands/', 'client/', 'dialogue/', 'completion/', 'config/']],
    ['output/', ['client/', 'emulator/', 'commands/', 'dialogue/']],
  ])('%s imports nothing from %j', (layer, forbidden) => {
    const bad: string[] = [];
    for (const [mod, deps] of graph) {
      if (!mod.startsWith(layer)) continue;
      for (const d of deps) if (forbidden.some((f) => d.startsWith(f)) && !SHARED.includes(d)) bad.push(`${mod} → ${d}`);
    }
    expect(bad.filter((b) => !KNOWN.has(b))).toEqual([]);
  });

  it("keep the model's provenance out of the runtime: no module imports api/generated/provenance.json", () => {
    const bad = [...graph].flatMap(([mod, deps]) => deps.filter((d) => d.startsWith('api/generated/provenance')).map((d) => `${mod} → ${d}`));
    expect(bad).toEqual([]);
    // the walker sees a JSON import when there is one
    expect([...'import p from "./generated/provenance.json";'.matchAll(IMPORT_RE)].map((m) => m[1])).toEqual(['./generated/provenance.json']);
  });
});
