#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild: one small entry (dist/cli.js) and code-split chunks that
// load on demand, so `vn --version` and `vn --help` read little. npm packages stay external.
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
  packages: 'external',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __VN_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

try {
  renameSync(resolve(root, 'dist'), old);
} catch {
  /* first build */
}
renameSync(next, resolve(root, 'dist'));
rmSync(old, { recursive: true, force: true });
