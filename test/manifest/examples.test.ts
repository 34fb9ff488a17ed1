import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/run.js';
import { bashWithVn } from '../helpers/vn-shim.js';

/** The ```sh blocks of a markdown text (of one section when `heading` is given). */
function shBlocks(markdown: string, heading?: string): string[] {
  let text = markdown;
  if (heading) {
    const start = text.indexOf(`\n${heading}\n`);
    expect(start, heading).toBeGreaterThanOrEqual(0);
    const level = heading.split(' ')[0] as string;
    const rest = text.slice(start + heading.length + 2);
    const next = rest.search(new RegExp(`\\n${level} `));
    text = next < 0 ? rest : rest.slice(0, next);
  }
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

let t: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  t = tempDir('vn-examples-');
  // the examples run from a copy of the repository's examples/, in a directory of their own
  cpSync(join(ROOT, 'examples'), join(t.dir, 'work', 'examples'), { recursive: true });
  env = {
    PATH: process.env.PATH,
    HOME: t.dir,
    VN_CONFIG_DIR: join(t.dir, 'config'),
    NO_COLOR: '1',
  };
});
afterAll(() => t.cleanup());

/**
 * Runs each block in its own bash (set -e, pipefail), one after another in the same directory and
 * config; `vn` is the in-process shim of test/helpers/vn-shim.ts.
 */
async function runBlocks(blocks: string[]): Promise<string> {
  let all = '';
  for (const block of blocks) {
    const r = await bashWithVn(['-eo', 'pipefail', '-c', block], { cwd: join(t.dir, 'work'), env, timeoutMs: 60_000 });
    all += r.stdout;
    expect(r.code, `${block}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).toBe(0);
  }
  return all;
}

describe('the configuration-as-code examples run against the local profile', () => {
  it('README: Configuration as code (apply, promotion, drift)', async () => {
    const blocks = shBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), '## Configuration as code');
    expect(blocks.length).toBe(3);
    const out = await runBlocks(blocks);
    expect(out).toContain('+ create 售后热线');
    expect(out).toContain('= unchanged 售后热线');
    expect(out).toContain('+voice: aixia');
    expect(out).toContain('drift: exit 5');
  });

  it('docs/config-as-code.md', async () => {
    const blocks = shBlocks(readFileSync(join(ROOT, 'docs/config-as-code.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const out = await runBlocks(blocks);
    expect(out).toContain('= unchanged 示例热线');
  });

  it('examples/README.md: hotline.yaml', async () => {
    const out = await runBlocks(shBlocks(readFileSync(join(ROOT, 'examples/README.md'), 'utf8'), '## `hotline.yaml` — an instance as configuration'));
    expect(out).toContain('示例热线');
  });
});
