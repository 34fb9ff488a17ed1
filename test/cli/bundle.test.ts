import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readProvenance } from '../helpers/provenance.js';
import { ROOT, spawnVn, tempDir } from '../helpers/run.js';

// The runtime dependencies are bundled into dist/'s chunks (scripts/build.mjs); the in-process tests
// run src/, so this drives each bundled package through the built CLI, where a bundling mistake
// (a CommonJS package's exports, a module required on demand) would show.
describe('the built CLI with its bundled packages', () => {
  const t = tempDir();
  const env = { VN_CONFIG_DIR: t.dir };
  afterAll(() => t.cleanup());

  it('bundles every runtime dependency, better-sqlite3’s JavaScript too (its compiled addon is loaded by path)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const chunks = JSON.parse(readFileSync(join(ROOT, 'dist', 'packages.json'), 'utf8')) as Record<string, string[]>;
    const bundled = new Set(Object.values(chunks).flat());
    const deps = Object.keys(pkg.dependencies);
    expect(deps.filter((d) => !bundled.has(d))).toEqual([]);
    // in the emulator's chunk, and the `bindings` package (which would search for the addon) is not bundled
    expect(Object.entries(chunks).find(([, names]) => names.includes('better-sqlite3'))?.[0]).toMatch(/^chunks\/emulator-/);
    expect(bundled.has('bindings')).toBe(false);
  });

  it('draws tables through cli-table3, in a chunk that only a table loads (not --version or --help)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['cli-table3']).toMatch(/^\^0\.6\./);
    const chunks = JSON.parse(readFileSync(join(ROOT, 'dist', 'packages.json'), 'utf8')) as Record<string, string[]>;
    const tableChunk = Object.keys(chunks).find((c) => chunks[c]?.includes('cli-table3'));
    expect(tableChunk).toBeDefined();
    // every module the entry imports statically, transitively: what --version and --help read
    const eager = new Set<string>();
    const visit = (file: string) => {
      for (const m of readFileSync(join(ROOT, 'dist', file), 'utf8').matchAll(/^(?:import|} from|export .* from)\s*.*?"\.\/(?:chunks\/)?([^"]+\.js)"/gm)) {
        const next = `chunks/${m[1]}`;
        if (!eager.has(next)) {
          eager.add(next);
          visit(next);
        }
      }
    };
    visit('cli.js');
    expect(eager.size).toBeGreaterThan(0);
    expect([...eager]).not.toContain(tableChunk);
  });

  // Node 20 has no compile cache to enable: bin/vn.js does not load node:module (and the source-map
  // support it brings) only to find that out, which --version and --help would pay for
  it.skipIf(!process.versions.node.startsWith('20.'))('on Node 20, --version and --help load no node:module', () => {
    // a preload that prints the built-in modules the process loaded, as it exits
    const preload = join(t.dir, 'module-list.cjs');
    writeFileSync(preload, "process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)));\n");
    for (const arg of ['--version', '--help']) {
      const r = spawnSync(process.execPath, ['-r', preload, join(ROOT, 'bin', 'vn.js'), arg], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, NO_COLOR: '1' },
      });
      expect(r.status, r.stderr).toBe(0);
      const loaded = JSON.parse(r.stderr) as string[];
      expect(loaded).toContain('NativeModule fs');
      expect(loaded).not.toContain('NativeModule module');
      expect(loaded).not.toContain('NativeModule internal/source_map/source_map');
    }
  });

  it('ships the model without its provenance (the sources of the rules stay in src/api/generated/provenance.json)', () => {
    const dist = join(ROOT, 'dist');
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const text = files.map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
    // the catalog is there (a rule's value), its provenance is not (that rule's source, the field names)
    expect(text).toContain('DownloadTasks.TotalCount');
    const source = readProvenance().actions.CreateInstance.params.Concurrency?.rulesSource ?? '';
    expect(source.length).toBeGreaterThan(20);
    expect(text).not.toContain(JSON.stringify(source).slice(1, -1));
    expect(text).not.toMatch(/\brulesSource\b|\binSeed\b|\bresponseSeedOnly\b/);
  });

  it('undici, better-sqlite3, string-width, chalk, the JMESPath query and yaml work from dist', async () => {
    const created = await spawnVn(['--profile', 'local', 'instance', 'create', '--name', 'bundle', '--concurrency', '3', '-o', 'json'], { env });
    expect(created.stderr).toBe('');
    const id = (JSON.parse(created.stdout) as { InstanceId: string }).InstanceId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const query = await spawnVn(['--profile', 'local', 'instance', 'list', '-o', 'json', '--query', "Instances[?Name=='bundle'].Concurrency"], { env });
    expect(query.stdout.trim()).toMatch(/^\[\s*3\s*\]$/);

    const table = await spawnVn(['--profile', 'local', 'instance', 'list', '-o', 'table'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('bundle');
    expect(table.stdout).toMatch(/^\S*ID\S*\s+/);
    expect(table.stdout).toContain('\u001b[');

    // yaml: a test suite is parsed, run and its report printed
    const suite = await spawnVn(['--profile', 'local', 'dialogue', 'test', join(ROOT, 'examples', 'demo-bank.test.yaml'), '--instance', id], {
      env,
      timeoutMs: 60_000,
    });
    expect(suite.stderr).toBe('');
    expect(suite.code).toBe(0);
    expect(suite.stdout).toMatch(/Conversations: \d+ passed, 0 failed/);
  });

  it('conf writes a profile that the read path then resolves', async () => {
    const set = await spawnVn(['configure', 'set', '--profile', 'b', '--access-key-id', 'AKID-B', '--region', 'cn-hangzhou'], {
      env,
      stdin: 'bundle-secret\n',
    });
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('saved profile "b"');
    const list = await spawnVn(['configure', 'list', '-o', 'json'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('cn-hangzhou');
    expect(list.stdout).not.toContain('bundle-secret');
    const dry = await spawnVn(['--profile', 'b', '--dry-run', 'instance', 'describe', 'a1111111-0000-4000-8000-000000000001'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('AccessKeyId=AKID-B');
    expect(dry.stdout).toContain('cn-hangzhou');
  });
});
