import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../errors.js';

/** A directory holds the files named *.test.yaml or *.test.yml under it, at any depth. */
const TEST_FILE = /\.test\.ya?ml$/;
const GLOB_CHARS = /[*?[]/;

/**
 * Files named on the command line: a file as is, a directory's test files, or a glob (`*`, `**`,
 * `?`, `[…]`) for shells that do not expand it. Sorted and without repeats.
 */
export async function expandTestPaths(patterns: string[], cwd = process.cwd()): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const before = found.size;
    if (GLOB_CHARS.test(pattern)) {
      const parts = pattern.split(/[\\/]/);
      const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
      const base = parts.slice(0, firstGlob).join('/') || '.';
      const re = globRegex(parts.slice(firstGlob).join('/'));
      for await (const f of walk(resolve(cwd, base))) {
        if (re.test(relative(resolve(cwd, base), f).split(sep).join('/'))) found.add(display(f, cwd));
      }
    } else {
      const full = resolve(cwd, pattern);
      const st = await stat(full).catch(() => undefined);
      if (!st) throw new UsageError(`${pattern}: no such file or directory`);
      if (st.isDirectory()) {
        for await (const f of walk(full)) if (TEST_FILE.test(f)) found.add(display(f, cwd));
      } else found.add(display(full, cwd));
    }
    if (found.size === before) throw new UsageError(`${pattern}: no test files (a directory's test files are named *.test.yaml)`);
  }
  return [...found].sort();
}

function display(full: string, cwd: string): string {
  const rel = relative(cwd, full);
  return rel.startsWith('..') ? full : rel;
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

/** `**` any path, `*` any name part, `?` one character, `[…]` a class. */
export function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The test files the patterns name, each read and validated before anything is sent: every
 * problem of every file is collected into one TestFileError (exit 2, one line per problem).
 */
export async function loadTestFiles(patterns: string[], cwd = process.cwd()): Promise<import('./format.js').TestFile[]> {
  const { readFile } = await import('node:fs/promises');
  const { parseTestFile, TestFileError } = await import('./parse.js');
  const files = [];
  const issues = [];
  for (const path of await expandTestPaths(patterns, cwd)) {
    try {
      files.push(await parseTestFile(path, await readFile(path, 'utf8')));
    } catch (e) {
      if (e instanceof TestFileError) issues.push(...e.issues);
      else throw e;
    }
  }
  if (issues.length) throw new TestFileError(issues);
  return files;
}
