import { describe, expect, it } from 'vitest';
import { allActions } from '../../src/api/catalog.js';
import { checkParamValue } from '../../src/api/validate.js';
import type { CommandDef } from '../../src/commands/define.js';
import { GROUPS, type GroupEntry, TOP_VERBS } from '../../src/commands/registry.js';
import { runVn, tempDir } from '../helpers/run.js';

async function allDefs(): Promise<{ path: string; def: CommandDef }[]> {
  const out: { path: string; def: CommandDef }[] = [];
  const walk = async (g: GroupEntry, prefix: string) => {
    for (const v of g.verbs) out.push({ path: `${prefix}${g.name} ${v.name}`, def: (await v.load()).default });
    for (const sub of g.groups ?? []) await walk(sub, `${prefix}${g.name} `);
  };
  for (const g of GROUPS) await walk(g, '');
  for (const v of TOP_VERBS) out.push({ path: v.name, def: (await v.load()).default });
  return out;
}

describe('every action of the catalog is reachable', () => {
  it('through a named command', async () => {
    const defs = await allDefs();
    const reached = new Set<string>(defs.flatMap(({ def }) => [def.action, ...(def.alsoSends ?? [])].filter((a): a is NonNullable<typeof a> => Boolean(a))));
    const missing = allActions()
      .map((a) => a.name)
      .filter((n) => !reached.has(n));
    expect(missing).toEqual([]);
    for (const name of reached)
      expect(
        allActions().some((a) => a.name === name),
        `${name} is in the catalog`,
      ).toBe(true);
  });

  it('through `vn call` with its wire parameters (dry run: validated, signed, not sent)', async () => {
    const t = tempDir();
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk', VN_ENDPOINT: 'http://127.0.0.1:9', VN_CONFIG_DIR: t.dir };
    for (const action of allActions()) {
      const args = ['call', action.name, '--dry-run'];
      for (const p of action.params.filter((x) => x.required)) {
        const candidates = [p.example, p.rules?.enum?.[0], p.rules?.json === 'array' ? '[]' : p.jsonString ? '{}' : undefined, '1', 'x'];
        const value = candidates.find((v): v is string => v !== undefined && checkParamValue(p, v) === undefined) ?? 'x';
        args.push(`--${p.name}`, value);
      }
      const r = await runVn(args, { env });
      expect(r.code, `${action.name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Action=${action.name}`);
      expect(r.stdout.startsWith(`${action.method} `), action.name).toBe(true);
    }
    t.cleanup();
  });
});
