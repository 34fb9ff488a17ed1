import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/run.js';
import { type BashResult, bashWithVn } from '../helpers/vn-shim.js';

/**
 * Every fenced ```sh block of README.md and docs/*.md, run against the `local` profile: the blocks
 * of one file in order in one bash session (`set -eo pipefail`), as a reader following the page
 * would, in a scratch directory with `vn` on PATH, HOME and VN_CONFIG_DIR of its own, and bin/ and
 * examples/ of the repository beside it. A documented example can never fail again: a block that
 * is a syntax summary rather than a command belongs in a ```text fence.
 *
 * The `vn` on PATH is the shim of test/helpers/vn-shim.ts: bash runs every block as written
 * (pipes, `$(…)`, redirections, `&&`, `||`, loops), and each `vn` it starts runs in this process
 * over a loopback socket, in the script's directory with the script's environment, instead of
 * starting Node again. The shim becomes the real CLI where the process is the point
 * (`vn emulator start`, `--watch` ended by `kill`), and the quick start's `./bin/vn.js` lines run
 * the built binary as a newcomer would.
 */

interface Block {
  line: number;
  code: string;
}

function shBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```sh\s*$/.test(lines[i] as string)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] as string)) end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

const FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The repository's directories beside the blocks' working directory, as in a checkout. */
const LINKED = ['bin', 'examples', 'schema'];

/** Files in the repository's own directories that git would show as changed or new. */
function gitStatus(paths: string[]): string {
  return execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', ...paths], { cwd: ROOT, encoding: 'utf8' });
}

/** Of `names` (relative paths), those the repository's .gitignore does not cover. */
function notIgnored(names: string[]): string[] {
  if (names.length === 0) return [];
  let ignored = '';
  try {
    ignored = execFileSync('git', ['check-ignore', '--no-index', '--', ...names], { cwd: ROOT, encoding: 'utf8' });
  } catch (e) {
    // exit 1: none of them is ignored
    ignored = (e as { stdout?: string }).stdout ?? '';
  }
  const covered = new Set(ignored.split('\n').filter(Boolean));
  return names.filter((n) => !covered.has(n));
}

/**
 * Runs one file's blocks; resolves with the exit code, the output, how many blocks completed, and
 * the files the blocks left in their working directory (what a reader following the page in a
 * checkout would leave in it).
 */
async function runBlocks(blocks: Block[], file: string): Promise<BashResult & { done: number; left: string[] }> {
  const { dir, cleanup } = tempDir('vn-docs-');
  try {
    const work = join(dir, 'work');
    mkdirSync(work);
    for (const d of LINKED) symlinkSync(join(ROOT, d), join(work, d));
    const script = [
      'set -eo pipefail',
      // background jobs a block starts (an emulator) end with the session
      "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
      ...blocks.flatMap((b, i) => [`echo "@@ ${file}:${b.line} $(date +%s.%N)" >&2`, b.code, `echo "@@ done ${i + 1}" >&2`]),
    ].join('\n');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      // where the examples' `mktemp -d` makes their output directory: removed with the rest
      TMPDIR: join(dir, 'tmp'),
      HOME: join(dir, 'home'),
      VN_CONFIG_DIR: join(dir, 'config'),
      NO_COLOR: '1',
      LANG: 'C.UTF-8',
      TZ: 'Asia/Shanghai',
    };
    mkdirSync(env.HOME as string);
    mkdirSync(env.TMPDIR as string);
    const r = await bashWithVn(['--norc', '--noprofile', '-c', script], { cwd: work, env, timeoutMs: 180_000 });
    const done = Math.max(0, ...[...r.stderr.matchAll(/^@@ done (\d+)$/gm)].map((m) => Number(m[1])));
    const left = readdirSync(work, { recursive: true, encoding: 'utf8' }).filter((f) => !LINKED.some((d) => f === d || f.startsWith(`${d}/`)));
    return { ...r, done, left };
  } finally {
    cleanup();
  }
}

/**
 * The test of the pages `pick` selects: each page's blocks in one session. The pages are split over
 * two test files (examples.test.ts: the README; examples-docs.test.ts: docs/) so that the two
 * longest sessions run side by side on two workers.
 */
export function describeDocExamples(pick: (file: string) => boolean): void {
  describe('documented examples run against the local profile', () => {
    if (pick('README.md')) {
      it('finds the sh blocks of README.md and docs/', () => {
        const readme = shBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
        expect(readme.length).toBeGreaterThan(10);
        expect(shBlocks('text\n```sh\nvn a\nvn b\n```\n```text\nnot run\n```\n')).toEqual([{ line: 3, code: 'vn a\nvn b' }]);
      });
    }

    // each file's blocks in one session; the README's take a while (every vn call starts the local emulator)
    for (const file of FILES.filter(pick)) {
      const blocks = shBlocks(readFileSync(join(ROOT, file), 'utf8'));
      // a page with no commands to run (docs/design.md) has nothing to test
      if (blocks.length === 0) continue;
      it(`${file}: all ${blocks.length} sh blocks run, and leave nothing in the checkout`, async () => {
        const before = gitStatus(LINKED);
        const r = await runBlocks(blocks, file);
        const failedAt = [...r.stderr.matchAll(/^@@ (\S+:\d+) /gm)].pop()?.[1];
        expect(r.code, `failed in the block at ${failedAt}:\n${r.stderr.slice(-3000)}`).toBe(0);
        expect(r.done).toBe(blocks.length);
        // what the examples write goes to a temporary directory; whatever is left in the working
        // directory must be something the repository's .gitignore covers, and nothing in bin/,
        // examples/ or schema/ changes (git status shows no new file after following the page)
        expect(notIgnored(r.left), 'files the examples left in the working directory, not covered by .gitignore').toEqual([]);
        expect(gitStatus(LINKED)).toBe(before);
      }, 200_000);
    }
  });
}
