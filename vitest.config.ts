import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Test files where a real process is the point: they spawn the built CLI, bash or a terminal
 * (script, tmux), or run the documented examples. The `integration` project; every other file is
 * `unit` (in-process commands, loopback emulators), the edit loop of `npm run test:unit`. A new
 * test file that spawns belongs in this list.
 */
const INTEGRATION = [
  'test/cli/bundle.test.ts',
  'test/cli/secrets.test.ts',
  'test/cli/terminal-safety.test.ts',
  'test/client/cli-http.test.ts',
  'test/client/faults.test.ts',
  'test/commands/diff.test.ts',
  'test/commands/export.test.ts',
  'test/commands/output.test.ts',
  'test/commands/terminal-prompts.test.ts',
  'test/commands/watch.test.ts',
  'test/completion/completion.test.ts',
  'test/config/local-profile.test.ts',
  'test/config/store-safety.test.ts',
  'test/dialogue/chat.test.ts',
  'test/dialogue/examples.test.ts',
  'test/dialogue/team-scale.test.ts',
  'test/docs/**/*.test.ts',
  'test/emulator/process.test.ts',
  'test/manifest/examples.test.ts',
  'test/manifest/terminal.test.ts',
];

export default defineConfig({
  define: { __VN_VERSION__: JSON.stringify(pkg.version) },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
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
