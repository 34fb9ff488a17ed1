#!/usr/bin/env node
// Regenerates completions/ (vn.bash, _vn, vn.fish) from the built CLI: `vn completion <shell>`
// walks the registry and every command's definition. Run after a build (npm run gen:completions
// does both); test/completion/completion.test.ts fails when the committed files drift.
import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = { bash: 'vn.bash', zsh: '_vn', fish: 'vn.fish' };

for (const [shell, name] of Object.entries(FILES)) {
  const script = execFileSync(process.execPath, [resolve(root, 'bin/vn.js'), 'completion', shell], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const target = resolve(root, 'completions', name);
  const part = `${target}.${process.pid}.part`;
  writeFileSync(part, script);
  renameSync(part, target);
  console.log(`wrote completions/${name}`);
}
