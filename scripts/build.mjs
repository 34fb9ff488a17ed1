#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild: one small entry (dist/cli.js) and code-split chunks that
// load on demand, so `vn --version` and `vn --help` read little.
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

// build beside dist/ and swap it in, so a test run that is spawning dist/bin meanwhile never sees
// a half-written tree
const next = resolve(root, `dist.next-${process.pid}`);
const old = resolve(root, `dist.old-${process.pid}`);
await build({
  entryPoints: { cli: resolve(root, 'src/cli.ts') },
  outdir: next,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // every package stays external except commander: it is on the path of every command and of
  // --help, and bundled as ESM it loads faster than through the CommonJS loader
  external: Object.keys(pkg.dependencies ?? {}).filter((d) => d !== 'commander'),
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // commander's CommonJS requires node built-ins; give the ESM chunks a require to do it with
  banner: { js: "import { createRequire as __vnRequire } from 'node:module'; const require = __vnRequire(import.meta.url);" },
  define: { __VN_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

// dist/quick.cjs: --version and the top-level help as one CommonJS file (see bin/vn.js). The
// registry's lazy command imports stay dynamic imports that this path never runs.
await build({
  entryPoints: { quick: resolve(root, 'src/quick.ts') },
  outdir: next,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { __VN_VERSION__: JSON.stringify(pkg.version) },
  plugins: [
    {
      name: 'lazy-commands-stay-lazy',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
      },
    },
  ],
  logLevel: 'warning',
});

try {
  renameSync(resolve(root, 'dist'), old);
} catch {
  /* first build */
}
renameSync(next, resolve(root, 'dist'));
rmSync(old, { recursive: true, force: true });
