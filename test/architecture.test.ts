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

/** The shell: the entry, the program, the Context behind the handlers' narrow context, the Factory, the commands. */
const SHELL = ['cli.ts', 'program.ts', 'context.ts', 'factory.ts', 'commands/'];

/** `[layer, forbidden]`: a module under `layer` (a folder, or one module) imports nothing under any of `forbidden` ('' is all of vn). */
const LAYER_RULES: [string, string[]][] = [
  ['api/', ['client/', 'commands/', 'config/', 'dialogue/', 'emulator/', 'output/', 'completion/']],
  ['client/', ['emulator/', 'commands/', 'dialogue/', 'output/', 'completion/']],
  ['emulator/', ['output/', 'commands/', 'client/', 'dialogue/', 'completion/', 'config/']],
  // the domain takes ports (src/ports.ts) and knows nothing of the shell that gives them
  ['output/', ['client/', 'emulator/', 'dialogue/', ...SHELL]],
  ['manifest/', SHELL],
  // `vn top`'s looks and screens: given an ApiCaller and the streams, like the rest of the domain
  ['top/', SHELL],
  // the dialogue domain (chat, session, the test runner and its registries) is driven by commands/, never the other way round
  ['dialogue/', [...SHELL, 'completion/']],
  // releasing (the test gate, impact, history) is driven by apply and diff, and is given its ports
  ['release/', [...SHELL, 'completion/']],
  ['completion/instances.ts', SHELL],
  ['ports.ts', SHELL],
  ['config/', ['commands/', 'output/', 'dialogue/', 'manifest/', 'cli.ts', 'program.ts', 'context.ts', 'factory.ts']],
  // the one redaction filter is a leaf: whatever breaks elsewhere, it still loads
  ['redact.ts', ['']],
  // the heavy pieces are made by the Factory; it is below the Context and the commands
  ['factory.ts', ['cli.ts', 'program.ts', 'context.ts', 'commands/define.ts', 'commands/build.ts', 'commands/registry.ts']],
  // handlers see HandlerContext, never the Context behind it (commands/build.ts, the program's builder, hands it over)
  ['commands/', ['context.ts', 'cli.ts']],
  ['commands/handler-context.ts', ['context.ts', 'cli.ts', 'program.ts']],
];

/** The modules allowed to break a rule, by rule: `layer → module`. */
const RULE_OWNERS = new Set(['commands/ → commands/build.ts']);

/** `mod → dep` for every import of a module under `layer` into `forbidden` (the emulator's use of the shared signing code aside). */
function layerBreaks(graph: Map<string, string[]>, layer: string, forbidden: string[]): string[] {
  const bad: string[] = [];
  for (const [mod, deps] of graph) {
    if (!mod.startsWith(layer) || RULE_OWNERS.has(`${layer} → ${mod}`)) continue;
    for (const d of deps) if (forbidden.some((f) => d.startsWith(f)) && !(layer === 'emulator/' && SHARED.includes(d))) bad.push(`${mod} → ${d}`);
  }
  return bad;
}

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

  it.each(LAYER_RULES)('%s imports nothing from %j', (layer, forbidden) => {
    expect(layerBreaks(graph, layer, forbidden).filter((b) => !KNOWN.has(b))).toEqual([]);
  });

  it('each layer rule sees a violation (it can fail)', () => {
    // one violating import per rule, fed to the same checker the real graph goes through
    const fixture = new Map<string, string[]>([
      ['config/resolve.ts', ['commands/globals.ts', 'output/render.ts', 'dialogue/session.ts', 'manifest/io.ts', 'context.ts', 'factory.ts']],
      ['manifest/io.ts', ['context.ts', 'commands/define.ts']],
      ['dialogue/chat.ts', ['context.ts', 'program.ts']],
      ['output/watch.ts', ['context.ts', 'factory.ts', 'cli.ts']],
      ['completion/instances.ts', ['context.ts']],
      ['ports.ts', ['commands/globals.ts']],
      ['redact.ts', ['client/encode.ts']],
      ['commands/diff.ts', ['context.ts']],
      ['factory.ts', ['context.ts', 'commands/define.ts']],
      ['commands/handler-context.ts', ['context.ts']],
    ]);
    const found = (layer: string) => layerBreaks(fixture, layer, LAYER_RULES.find(([l]) => l === layer)?.[1] ?? []);
    expect(found('config/')).toEqual([
      'config/resolve.ts → commands/globals.ts',
      'config/resolve.ts → output/render.ts',
      'config/resolve.ts → dialogue/session.ts',
      'config/resolve.ts → manifest/io.ts',
      'config/resolve.ts → context.ts',
      'config/resolve.ts → factory.ts',
    ]);
    expect(found('manifest/')).toEqual(['manifest/io.ts → context.ts', 'manifest/io.ts → commands/define.ts']);
    expect(found('dialogue/')).toEqual(['dialogue/chat.ts → context.ts', 'dialogue/chat.ts → program.ts']);
    expect(found('output/')).toEqual(['output/watch.ts → context.ts', 'output/watch.ts → factory.ts', 'output/watch.ts → cli.ts']);
    expect(found('completion/instances.ts')).toEqual(['completion/instances.ts → context.ts']);
    expect(found('ports.ts')).toEqual(['ports.ts → commands/globals.ts']);
    // the leaf: any module of vn is a break
    expect(found('redact.ts')).toEqual(['redact.ts → client/encode.ts']);
    // handlers are typed against the narrow context, and the Factory knows nothing of the shell above it
    expect(found('commands/')).toEqual(['commands/diff.ts → context.ts', 'commands/handler-context.ts → context.ts']);
    expect(found('factory.ts')).toEqual(['factory.ts → context.ts', 'factory.ts → commands/define.ts']);
    expect(found('commands/handler-context.ts')).toEqual(['commands/handler-context.ts → context.ts']);
    // the program's builder is the one command module that holds the Context itself
    expect(layerBreaks(new Map([['commands/build.ts', ['context.ts']]]), 'commands/', LAYER_RULES.find(([l]) => l === 'commands/')?.[1] ?? [])).toEqual([]);
  });

  it("keep the model's provenance out of the runtime: no module imports api/generated/provenance.json", () => {
    const bad = [...graph].flatMap(([mod, deps]) => deps.filter((d) => d.startsWith('api/generated/provenance')).map((d) => `${mod} → ${d}`));
    expect(bad).toEqual([]);
    // the walker sees a JSON import when there is one
    expect([...'import p from "./generated/provenance.json";'.matchAll(IMPORT_RE)].map((m) => m[1])).toEqual(['./generated/provenance.json']);
  });
});

/**
 * One way out to the terminal: src/output/iostreams.ts is the only module that holds a raw stream
 * (and the only one that may name process.stdout, process.stderr or process.stdin, import node:tty,
 * or write to a file descriptor of the terminal). Everything else prints through IOStreams' writer
 * (redaction, then sanitising), so no path to the terminal can skip either.
 */
const STREAM_OWNER = 'output/iostreams.ts';

const RAW_STREAM_RULES: [RegExp, string][] = [
  [/\bprocess\s*(?:\.|\?\.)\s*std(?:in|out|err)\b|\bprocess\s*\[\s*['"`]std(?:in|out|err)['"`]\s*\]/, 'names a process stream'],
  [/\{[^}]*\bstd(?:in|out|err)\b[^}]*\}\s*=\s*(?:globalThis\.)?process\b/, 'takes a stream out of process'],
  [/\bconsole\s*\.\s*\w+/, 'prints with console (raw stdout/stderr)'],
  [/['"](?:node:)?tty['"]/, 'imports node:tty (the TTY decisions are IOStreams’)'],
  [/\.io\s*\.\s*std(?:in|out|err)\b/, 'reaches a raw stream through the context'],
  [/\b(?:write|writeSync|writev|writevSync|createWriteStream|fsync)\s*\(\s*[12]\s*[,)]|\bfd\s*:\s*[012]\b/, 'writes to a terminal file descriptor'],
  [/['"`]\/dev\/(?:tty|stdout|stderr|stdin|fd\/[012])\b/, 'opens the terminal device'],
];

/** Source text without its comments (so prose about process.stdout is not code that uses it). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** `file:line: why` for every raw-stream use in one module's source. */
function rawStreamUses(file: string, text: string): string[] {
  if (file === STREAM_OWNER) return [];
  const found: string[] = [];
  code(text)
    .split('\n')
    .forEach((line, i) => {
      for (const [re, why] of RAW_STREAM_RULES) if (re.test(line)) found.push(`${file}:${i + 1}: ${why}`);
    });
  return found;
}

describe('one way out to the terminal', () => {
  it('no module but output/iostreams.ts touches a raw stream', () => {
    const bad = files(SRC).flatMap((f) => rawStreamUses(relative(SRC, f), readFileSync(f, 'utf8')));
    expect(bad).toEqual([]);
  });

  it('the rule sees a violation (it can fail)', () => {
    const fixture = [
      "import { isatty } from 'node:tty';",
      '// process.stdout in a comment is prose, not a write',
      "const url = 'http://example.com'; process.stdout.write(answer);",
      'ctx.io.stderr.write(text);',
      'const { stdout } = process;',
      "process['stderr'].write(x);",
      'console.log(answer);',
      "fs.writeSync(1, 'x');",
      "open('/dev/tty');",
      '/* process.stdin in a block comment */ const ok = 1;',
    ].join('\n');
    expect(rawStreamUses('commands/evil.ts', fixture)).toEqual([
      'commands/evil.ts:1: imports node:tty (the TTY decisions are IOStreams’)',
      'commands/evil.ts:3: names a process stream',
      'commands/evil.ts:4: reaches a raw stream through the context',
      'commands/evil.ts:5: takes a stream out of process',
      'commands/evil.ts:6: names a process stream',
      'commands/evil.ts:7: prints with console (raw stdout/stderr)',
      'commands/evil.ts:8: writes to a terminal file descriptor',
      'commands/evil.ts:9: opens the terminal device',
    ]);
    // the owner may; nothing else may
    expect(rawStreamUses('output/iostreams.ts', fixture)).toEqual([]);
    expect(rawStreamUses('cli.ts', 'process.stdout.on("error", f);')).toHaveLength(1);
  });
});

/**
 * One owner of the data file: every SQL statement, prepared statement and the database driver
 * live under src/emulator/store/ (docs/design.md, the emulator). Handlers, statistics, uploads and
 * the gateway call the store's typed methods; nothing else writes SQL.
 */
const SQL_OWNER = 'emulator/store/';

const SQL_RULES: [RegExp, string][] = [
  [/[`'"]\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|WITH|REPLACE|DROP|ALTER)\s/g, 'writes a SQL statement'],
  [/\.\s*(?:prepare|pragma)\s*\(/g, 'prepares or runs SQL'],
  [/\b(?:db|database|sqlite|connection)\s*\.\s*exec\s*\(/gi, 'runs SQL'],
  [/['"]better-sqlite3['"]/g, 'uses the database driver'],
];

/** `file:line: why` for every use of SQL in one module's source (outside the store). */
function sqlUses(file: string, text: string): string[] {
  if (file.startsWith(SQL_OWNER)) return [];
  const source = code(text);
  const found: { at: number; why: string }[] = [];
  for (const [re, why] of SQL_RULES) for (const m of source.matchAll(re)) found.push({ at: m.index ?? 0, why });
  return found.sort((a, b) => a.at - b.at).map(({ at, why }) => `${file}:${source.slice(0, at).split('\n').length}: ${why}`);
}

describe('one owner of the data file', () => {
  it('no module outside emulator/store/ writes SQL, prepares a statement or uses the driver', () => {
    const bad = files(SRC).flatMap((f) => sqlUses(relative(SRC, f), readFileSync(f, 'utf8')));
    expect(bad).toEqual([]);
  });

  it('the rule sees a violation (it can fail)', () => {
    const fixture = [
      "const row = ctx.db.prepare('SELECT * FROM instances WHERE instance_id = ?').get(id);",
      '// SELECT in a comment is prose',
      'db.exec(`',
      '  CREATE TABLE t (x)`);',
      "state.db.pragma('user_version');",
      "import Sqlite from 'better-sqlite3';",
      'const sql = "INSERT INTO nonces (nonce) VALUES (?)";',
      'const m = /^(\\d+)$/.exec(text); // a regular expression is not SQL',
      "const msg = 'Select a profile with --profile';",
    ].join('\n');
    expect(sqlUses('emulator/actions/evil.ts', fixture)).toEqual([
      'emulator/actions/evil.ts:1: prepares or runs SQL',
      'emulator/actions/evil.ts:1: writes a SQL statement',
      'emulator/actions/evil.ts:3: runs SQL',
      'emulator/actions/evil.ts:3: writes a SQL statement',
      'emulator/actions/evil.ts:5: prepares or runs SQL',
      'emulator/actions/evil.ts:6: uses the database driver',
      'emulator/actions/evil.ts:7: writes a SQL statement',
    ]);
    // the store may; nothing else may
    expect(sqlUses('emulator/store/instances.ts', fixture)).toEqual([]);
  });
});

/**
 * The heavy pieces of the shell (a signed client, the HTTP pool, the embedded emulator, the profile
 * resolution, the profile store, a Context) are made in one place: src/factory.ts (the Context by
 * itself and cli.ts through Context.fromProcess), beside the module that defines each. A handler
 * asks the narrow context for them; a domain module is given a port.
 */
const HEAVY_RULES: [RegExp, string, string[]][] = [
  // config/credentials/sts.ts: the credential piece's own STS client (AssumeRole…), on the Factory's transport
  [/\bnew\s+Client\s*[<(]/, 'makes a Client (the Factory’s client())', ['factory.ts', 'config/credentials/sts.ts']],
  [/\b(?:httpTransport|closeTransport)\b/, 'holds the HTTP pool (the Factory’s transport())', ['factory.ts', 'client/transport.ts', 'client/http.ts']],
  [/\bstartLocalEmulator\b/, 'starts the embedded emulator (the Factory’s emulator())', ['factory.ts', 'emulator/local.ts']],
  [/\bresolveProfile\s*\(/, 'resolves the profile (the Factory’s profile())', ['factory.ts', 'config/resolve.ts']],
  [/\bvnCredentialChain\s*\(/, 'builds the credential chain (the Factory’s credentials())', ['config/credentials/chain.ts', 'config/resolve.ts']],
  [/\bProfileStore\s*\.\s*open\b/, 'opens the profile store (the Factory’s config())', ['factory.ts', 'config/profiles.ts']],
  [/\bnew\s+Context\s*\(/, 'builds a Context (one per command, made by the entry)', ['context.ts']],
];

/** `file:line: why` for every heavy piece a module makes that is not its to make. */
function heavyUses(file: string, text: string): string[] {
  const found: string[] = [];
  code(text)
    .split('\n')
    .forEach((line, i) => {
      for (const [re, why, owners] of HEAVY_RULES) if (re.test(line) && !owners.includes(file)) found.push(`${file}:${i + 1}: ${why}`);
    });
  return found;
}

describe('the Factory makes the heavy pieces', () => {
  it('no module but the Factory (and each piece’s own module) makes one', () => {
    const bad = files(SRC).flatMap((f) => heavyUses(relative(SRC, f), readFileSync(f, 'utf8')));
    expect(bad).toEqual([]);
  });

  it('the rule sees a violation (it can fail)', () => {
    const fixture = [
      'const client = new Client({ endpoint, credentials });',
      "const { httpTransport } = await import('../client/transport.js');",
      'const emu = await startLocalEmulator({ configDir, env });',
      'const profile = await resolveProfile({ env });',
      'const { chain } = vnCredentialChain({ env });',
      'const store = await ProfileStore.open(dir);',
      'const other = new Context(io, env, now);',
      '// new Client( in a comment is prose',
    ].join('\n');
    expect(heavyUses('manifest/io.ts', fixture)).toEqual([
      'manifest/io.ts:1: makes a Client (the Factory’s client())',
      'manifest/io.ts:2: holds the HTTP pool (the Factory’s transport())',
      'manifest/io.ts:3: starts the embedded emulator (the Factory’s emulator())',
      'manifest/io.ts:4: resolves the profile (the Factory’s profile())',
      'manifest/io.ts:5: builds the credential chain (the Factory’s credentials())',
      'manifest/io.ts:6: opens the profile store (the Factory’s config())',
      'manifest/io.ts:7: builds a Context (one per command, made by the entry)',
    ]);
    // the Factory may make what it makes, and nothing it should not
    expect(heavyUses('factory.ts', fixture)).toEqual([
      'factory.ts:5: builds the credential chain (the Factory’s credentials())',
      'factory.ts:7: builds a Context (one per command, made by the entry)',
    ]);
  });
});
