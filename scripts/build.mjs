#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild: one small entry (dist/cli.js) and code-split chunks that
// load on demand, so `vn --version` and `vn --help` read little.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

/**
 * Modules that bundled packages require at load time for features vn never uses, replaced by a
 * stand-in that requires the real one on first use: undici's HTTP/2 client (it loads node:http2
 * and node:tls; vn's agents never negotiate HTTP/2) and commander's node:child_process (for
 * executable subcommands, which vn has none of). Each key: the importer's path ending, and what it
 * requires.
 */
const ON_DEMAND = [
  { importer: 'node_modules/undici/lib/dispatcher/client.js', request: './client-h2.js', kind: 'function' },
  { importer: 'node_modules/commander/lib/command.js', request: 'node:child_process', kind: 'object' },
];
const onDemand = {
  name: 'on-demand',
  setup(b) {
    const seen = new Set();
    b.onResolve({ filter: /./ }, (args) => {
      if (args.namespace !== 'file' || args.kind !== 'require-call') return undefined;
      const rule = ON_DEMAND.find((r) => r.request === args.path && args.importer.replaceAll('\\', '/').endsWith(r.importer));
      if (!rule) return undefined;
      seen.add(rule);
      // named by its path in the project (that is what the bundle's comments show)
      const target = rule.request.startsWith('.') ? relative(root, resolve(dirname(args.importer), rule.request)).replaceAll('\\', '/') : rule.request;
      return { path: target, namespace: 'on-demand', pluginData: rule };
    });
    b.onLoad({ filter: /./, namespace: 'on-demand' }, (args) => {
      const real = JSON.stringify(args.path.startsWith('node:') ? args.path : resolve(root, args.path));
      const contents =
        args.pluginData.kind === 'function'
          ? `let real; module.exports = function (...a) { real ??= require(${real}); return real.apply(this, a); };`
          : `let real; module.exports = new Proxy({}, { get: (_, k) => (real ??= require(${real}))[k] });`;
      return { contents, loader: 'js', resolveDir: root };
    });
    b.onEnd((result) => {
      // a dependency update that moved these must not silently bring the cost back
      const missing = ON_DEMAND.filter((r) => !seen.has(r));
      if (result.errors.length === 0 && missing.length > 0)
        throw new Error(`on-demand: not found any more: ${missing.map((r) => `${r.request} from ${r.importer}`).join(', ')}`);
    });
  },
};

/**
 * `await import('yaml')` of a CommonJS package: Node gives the module's named exports, but a bundled
 * CommonJS module that is a chunk's entry only gets a default export. Such an import goes through
 * a small ES module that names each export (read from the package itself, as Node's lexer would).
 */
const commonJsDynamicImports = {
  name: 'commonjs-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.namespace !== 'file' || args.pluginData === 'inner') return undefined;
      const r = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0 || r.external || !isCommonJs(r.path)) return undefined;
      return { path: args.path, namespace: 'commonjs-entry' };
    });
    b.onLoad({ filter: /./, namespace: 'commonjs-entry' }, (args) => {
      const names = Object.keys(createRequire(`${root}/`)(args.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      const spec = JSON.stringify(args.path);
      return {
        contents: `import * as m from ${spec};\nexport default m.default;\nexport const { ${names.join(', ')} } = m;\n`,
        loader: 'js',
        resolveDir: root,
      };
    });
  },
};

function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (file.endsWith('.mjs')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pj = resolve(dir, 'package.json');
    if (existsSync(pj)) return JSON.parse(readFileSync(pj, 'utf8')).type !== 'module';
  }
  return true;
}

// build beside dist/ and swap it in, so a test run that is spawning dist/bin meanwhile never sees
// a half-written tree
const next = resolve(root, `dist.next-${process.pid}`);
const old = resolve(root, `dist.old-${process.pid}`);
const main = await build({
  absWorkingDir: root,
  entryPoints: { cli: resolve(root, 'src/cli.ts') },
  outdir: next,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // the runtime dependencies are bundled into the chunks (one file read and compile per chunk
  // instead of Node's resolution, reading and CommonJS wrapping of every file of every package),
  // except the native better-sqlite3, which finds its .node binding from its own directory
  external: ['better-sqlite3'],
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // the bundled CommonJS packages require node built-ins; give the ESM chunks a require to do it with
  banner: { js: "import { createRequire as __vnRequire } from 'node:module'; const require = __vnRequire(import.meta.url);" },
  define: { __VN_VERSION__: JSON.stringify(pkg.version) },
  plugins: [onDemand, commonJsDynamicImports],
  metafile: true,
  logLevel: 'warning',
});

// dist/packages.json: the npm packages bundled into each output file, so a test can tell which
// packages a command loaded from the chunks it read (test/client/cli-http.test.ts)
const packages = {};
for (const [out, meta] of Object.entries(main.metafile.outputs)) {
  if (!out.endsWith('.js')) continue;
  const names = new Set();
  for (const input of Object.keys(meta.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
    if (m) names.add(m[1]);
  }
  if (names.size > 0) packages[relative(next, resolve(root, out))] = [...names].sort();
}
writeFileSync(resolve(next, 'packages.json'), `${JSON.stringify(packages, null, 2)}\n`);

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
