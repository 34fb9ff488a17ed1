import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Test files where a real process is the point: they spawn the built CLI, bash or a terminal
 * (tmux, script), or run the documented examples. They make the `integration` project, found by
 * what they call so that a new file lands on the right side by itself; every other file is `unit`
 * (commands in-process, loopback servers), the edit loop of `npm run test:unit`.
 */
const SPAWNS = /\b(spawnVn|spawnSync|spawn|execFileSync|execFile|execSync|bashWithVn|describeDocExamples)\(|helpers\/tmux\.js/;
const root = fileURLToPath(new URL('.', import.meta.url));
const INTEGRATION = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f.split(sep).join('/')}`)
  .filter((f) => SPAWNS.test(readFileSync(join(root, f), 'utf8')))
  .sort();

export default defineConfig({
  define: { __VN_VERSION__: JSON.stringify(pkg.version) },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // most test time is waiting (spawned CLIs, terminals, timers, loopback servers), not CPU: four
    // workers on this 2-core machine took the whole suite from 174 s to 89 s (CPU time unchanged)
    maxWorkers: 4,
    // the JSON report is what .ci/run counts for its closing line
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    projects: [
      // one module graph for all unit files: a quarter of the CPU time (the files leave no global state behind)
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION, isolate: false } },
      // spawned tests run the built dist/: built once per run
      { extends: true, test: { name: 'integration', include: INTEGRATION, globalSetup: ['test/helpers/global-setup.ts'] } },
    ],
  },
});
