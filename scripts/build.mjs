#!/usr/bin/env node
// Bundles src/ into dist/: rolldown makes the ES module entry (dist/cli.js), the core chunk every API
// command runs through and the chunks loaded on demand; esbuild makes dist/quick.cjs, the one small
// CommonJS file that answers `vn --version` and `vn --help`.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rolldown } from 'rolldown';

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
const ON_DEMAND_PREFIX = '\0on-demand:';
function onDemand() {
  const seen = new Set();
  return {
    name: 'on-demand',
    resolveId(source, importer, opts) {
      if (!importer || opts.kind !== 'require-call' || importer.startsWith('\0')) return null;
      const rule = ON_DEMAND.find((r) => r.request === source && importer.replaceAll('\\', '/').endsWith(r.importer));
      if (!rule) return null;
      seen.add(rule);
      const real = rule.request.startsWith('.') ? resolve(dirname(importer), rule.request) : rule.request;
      return { id: `${ON_DEMAND_PREFIX}${rule.kind}:${real}` };
    },
    load(id) {
      if (!id.startsWith(ON_DEMAND_PREFIX)) return null;
      const [kind, ...rest] = id.slice(ON_DEMAND_PREFIX.length).split(':');
      const real = JSON.stringify(rest.join(':'));
      // the real module is required only inside the stand-in's function: bundled CommonJS is
      // initialised on its first require, so neither it nor what it loads runs before then
      return kind === 'function'
        ? `let real; module.exports = function (...a) { real ??= require(${real}); return real.apply(this, a); };`
        : `let real; module.exports = new Proxy({}, { get: (_, k) => (real ??= require(${real}))[k] });`;
    },
    buildEnd(err) {
      // a dependency update that moved these must not silently bring the cost back
      const missing = ON_DEMAND.filter((r) => !seen.has(r));
      if (!err && missing.length > 0) throw new Error(`on-demand: not found any more: ${missing.map((r) => `${r.request} from ${r.importer}`).join(', ')}`);
    },
  };
}

/**
 * The modules every API command runs through (parsing, the context, profiles and credentials,
 * signing, the transport, output): they and everything they import statically go into one chunk,
 * `chunks/core-*.js`, so a command such as `vn instance describe` reads three files (the entry, the
 * core and rolldown's runtime) instead of the dozens an automatic split makes of them (each one a
 * resolve, read, compile and link of Node's ES module loader: issue #25). What only some commands
 * need (the emulator, dialogue tests, tables, prompts, …) stays in chunks loaded on demand.
 */
const CORE = [
  'src/context.ts',
  'src/program.ts',
  'src/factory.ts',
  'src/commands/build.ts',
  'src/commands/instance-ref.ts',
  'src/client/client.ts',
  'src/client/transport.ts',
  'src/client/products.ts',
  'src/client/paginate.ts',
  'src/config/profiles.ts',
  'src/config/resolve.ts',
  'src/config/endpoint.ts',
  'src/output/render.ts',
  'src/output/formats/json.ts',
  'src/output/query.ts',
];
const coreFiles = new Set(CORE.map((p) => resolve(root, p)));
// a package by its folder under any node_modules (ids are real paths: a linked node_modules is elsewhere)
const inPackage = (id, name) => id.replaceAll('\\', '/').includes(`/node_modules/${name}/`);
const isCore = (id) => coreFiles.has(id) || inPackage(id, 'commander');
const emulatorDir = `${resolve(root, 'src/emulator')}/`;

// build beside dist/ and swap it in, so a test run that is spawning dist/bin meanwhile never sees
// a half-written tree
const next = resolve(root, `dist.next-${process.pid}`);
const old = resolve(root, `dist.old-${process.pid}`);
const bundle = await rolldown({
  cwd: root,
  input: { cli: resolve(root, 'src/cli.ts') },
  platform: 'node',
  // the runtime dependencies are bundled into the chunks (one file read and compile per chunk
  // instead of Node's resolution, reading and CommonJS wrapping of every file of every package),
  // better-sqlite3's JavaScript too; its compiled addon is loaded from node_modules by path
  // (src/emulator/store/database.ts), so the `bindings` package that would look for it is never run
  external: ['bindings'],
  transform: { target: 'node20', define: { __VN_VERSION__: JSON.stringify(pkg.version) } },
  plugins: [onDemand()],
  logLevel: 'warn',
  onLog(level, log, handler) {
    // a module imported both ways stays where its static importers put it: expected here
    if (log.code === 'INEFFECTIVE_DYNAMIC_IMPORT') return;
    handler(level, log);
  },
});
const written = await bundle.write({
  dir: next,
  format: 'esm',
  sourcemap: true,
  // pure ASCII: Node decodes a file with any other byte on a slow path into a two-byte string
  // (twice the memory, slower to scan); text is escaped as \u sequences instead
  charset: 'ascii',
  // no JSDoc: it is for readers of src/ (the source maps lead there), and each byte is read and scanned
  comments: { legal: true, annotation: false, jsdoc: false },
  entryFileNames: '[name].js',
  chunkFileNames: 'chunks/[name]-[hash].js',
  codeSplitting: {
    groups: [
      { name: 'core', test: isCore },
      // the emulator, for `vn emulator start` and the embedded one of `--profile local`
      { name: 'emulator', test: (id) => id.startsWith(emulatorDir) || inPackage(id, 'better-sqlite3') },
    ],
  },
});
await bundle.close();

// every core module must have landed in the core chunk (a module another group or the entry took
// would be read from a second file again)
const coreChunk = written.output.filter((o) => o.type === 'chunk' && o.moduleIds.some(isCore));
if (coreChunk.length !== 1 || !coreChunk[0].fileName.startsWith('chunks/core-'))
  throw new Error(`core modules are spread over ${coreChunk.map((c) => c.fileName).join(', ')}`);

// dist/packages.json: the npm packages bundled into each output file, so a test can tell which
// packages a command loaded from the chunks it read (test/client/cli-http.test.ts)
const packages = {};
for (const out of written.output) {
  if (out.type !== 'chunk') continue;
  const names = new Set();
  for (const input of out.moduleIds) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input.replaceAll('\\', '/'));
    if (m) names.add(m[1]);
  }
  if (names.size > 0) packages[out.fileName] = [...names].sort();
}
writeFileSync(resolve(next, 'packages.json'), `${JSON.stringify(packages, null, 2)}\n`);
// VN_BUILD_REPORT=N: print the N largest modules of the core chunk (what every command compiles), or
// of the chunk whose file name starts with $VN_BUILD_REPORT_CHUNK
if (process.env.VN_BUILD_REPORT) {
  const core = process.env.VN_BUILD_REPORT_CHUNK ? written.output.find((o) => o.fileName.startsWith(process.env.VN_BUILD_REPORT_CHUNK)) : coreChunk[0];
  const rows = Object.entries(core.modules)
    .map(([id, m]) => [m.renderedLength, id.replace(`${root}/`, '')])
    .sort((a, b) => b[0] - a[0]);
  for (const [n, id] of rows.slice(0, Number(process.env.VN_BUILD_REPORT))) console.log(String(n).padStart(8), id);
}

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
