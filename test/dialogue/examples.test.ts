import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/run.js';
import { bashWithVn } from '../helpers/vn-shim.js';
import { ANT_JUNIT, JENKINS_XUNIT_JUNIT_10 } from './fixtures/junit-schemas.js';

let tmp: { dir: string; cleanup: () => void };

beforeAll(() => {
  tmp = tempDir('vn-examples-');
});

afterAll(() => tmp?.cleanup());

/** The fenced ```sh blocks of a markdown file. */
function shBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe('examples/README.md', () => {
  it('runs as written on the local profile: three shards merged report the totals of one unsharded run', async () => {
    const [block] = shBlocks(readFileSync(join(ROOT, 'examples/README.md'), 'utf8'));
    expect(block).toBeDefined();
    // a copy of the examples in a scratch directory, `vn` on the PATH, a fresh config directory
    const work = join(tmp.dir, 'work');
    mkdirSync(work);
    cpSync(join(ROOT, 'examples'), join(work, 'examples'), { recursive: true });
    // each command's output is marked, so the assertions can tell them apart
    const script = (block as string)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (l.startsWith('#') ? l : `echo "### ${l.replace(/["$`\\]/g, '\\$&')}"\n${l} </dev/null; echo "### exit $?"`))
      .join('\n');
    // `vn` is the in-process shim of test/helpers/vn-shim.ts
    const r = await bashWithVn(['-c', `set -u\n${script}`], {
      cwd: work,
      timeoutMs: 120_000,
      env: { PATH: process.env.PATH, HOME: tmp.dir, VN_CONFIG_DIR: join(tmp.dir, 'config'), NO_COLOR: '1' },
    });
    expect(r.code, r.stderr).toBe(0);
    const sections = r.stdout.split('### ').slice(1);
    const exits = sections.filter((s) => s.startsWith('exit ')).map((s) => s.trim());
    expect(
      exits.every((e) => e === 'exit 0'),
      `${r.stdout}\n${r.stderr}`,
    ).toBe(true);
    const out = (prefix: string) => sections.find((s) => s.startsWith(prefix)) ?? '';
    const whole = out('vn --profile local dialogue test examples/              #');
    const merged = out('vn --profile local dialogue merge');
    expect(whole).toMatch(/Conversations: 5 passed, 0 failed, 0 errored, 0 timed out \(5 run\)/);
    expect(merged).toMatch(/Conversations: 5 passed, 0 failed, 0 errored, 0 timed out \(5 run, 3 reports merged\)/);
    const turns = (s: string) => /Turns: (\d+)/.exec(s)?.[1];
    expect(turns(merged)).toBe(turns(whole));
    expect(turns(merged)).toBe('20');
    // what the coverage line claims: the demo bot's model is the local profile's own
    const coverage = out('vn --profile local dialogue test examples/ --min-coverage');
    expect(coverage).toMatch(/Coverage: paths 100% \(9\/9\) · intents 40% \(2\/5\) · dtmf 50% \(2\/4\)/);
    expect(coverage).toMatch(/Coverage gate: paths 100% \(9 of 9\) ≥ 100% · intents 40% \(2 of 5\) ≥ 40%/);
    // piped, --list prints JSON (a table on a terminal)
    const listed = out('vn --profile local dialogue test examples/ --tag smoke --list');
    const list = JSON.parse(listed.slice(listed.indexOf('\n') + 1));
    expect(list.Conversations.map((c: { name: string; tags: string[] }) => [c.name, c.tags])).toEqual([
      ['complaint goes to an agent', ['smoke', 'transfer']],
      ['three silences hang up', ['smoke']],
    ]);
    // the shards' reports: disjoint parts that together hold every conversation once
    const names = [1, 2, 3].flatMap((i) =>
      (JSON.parse(readFileSync(join(work, `shard-${i}.json`), 'utf8')).conversations as { name: string }[]).map((c) => c.name),
    );
    expect(names).toHaveLength(5);
    expect(new Set(names).size).toBe(5);
    const html = readFileSync(join(work, 'report.html'), 'utf8');
    expect(html.match(/<section class="conversation /g)).toHaveLength(5);
    if (has('xmllint')) {
      writeFileSync(join(tmp.dir, 'junit-10.xsd'), JENKINS_XUNIT_JUNIT_10);
      writeFileSync(join(tmp.dir, 'ant.xsd'), ANT_JUNIT);
      for (const xsd of ['junit-10.xsd', 'ant.xsd']) {
        const v = spawnSync('xmllint', ['--noout', '--schema', join(tmp.dir, xsd), join(work, 'junit.xml')], { encoding: 'utf8' });
        expect(v.status, v.stderr).toBe(0);
      }
    }
  }, 150_000);
});
