import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run.js';

/**
 * Which Node lines vn supports is said in four places that must agree: package.json's `engines`,
 * the README, the smoke pass of .ci/run (.ci/smoke-node: the lines other than the test machine's 20)
 * and the `engines` of every runtime dependency, which decide how long Node 20 can stay.
 */

// the range checks are npm's own (semver is in the tree as npm's and several packages' dependency)
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
};

const SUPPORTED = [20, 22, 24, 26];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };
const text = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('the supported Node lines: 20, 22, 24 and 26', () => {
  it('package.json engines admits each of them, and no odd line in between or newer line', () => {
    const range = pkg.engines.node;
    for (const major of SUPPORTED) expect(semver.satisfies(`${major}.99.0`, range), `${major}`).toBe(true);
    for (const major of [18, 21, 23, 25, 27, 28]) expect(semver.satisfies(`${major}.0.0`, range), `${major}`).toBe(false);
    expect(semver.minVersion(range)?.version).toBe('20.19.0');
  });

  it("every runtime dependency's engines admits the lowest version of each supported line (what keeps 20 possible)", () => {
    const lowest = pkg.engines.node.split('||').map((r) => semver.minVersion(r.trim())?.version as string);
    expect(lowest.map((v) => Number(v.split('.')[0]))).toEqual(SUPPORTED);
    for (const dep of Object.keys(pkg.dependencies)) {
      const engines = (JSON.parse(text(`node_modules/${dep}/package.json`)) as { engines?: { node?: string } }).engines?.node;
      if (!engines) continue;
      for (const v of lowest) expect(semver.satisfies(v, engines), `${dep} (engines ${engines}) on Node ${v}`).toBe(true);
    }
  });

  it('.ci/run smoke-tests 22, 24 and 26, which is also .ci/smoke-node’s default', () => {
    const others = SUPPORTED.filter((m) => m !== 20).join(' ');
    expect(text('.ci/run')).toContain(`.ci/smoke-node ${others} `);
    expect(text('.ci/smoke-node')).toContain(`majors=(${others})`);
  });

  it('the README says which lines are supported and why 20 is kept', () => {
    const readme = text('README.md');
    expect(readme).toContain('20 (20.19 or newer), 22, 24 and 26');
    expect(readme).toMatch(/Node 20 reached\s+its end of life in April 2026/);
  });
});
