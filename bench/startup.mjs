#!/usr/bin/env node
// Start-up cost of `vn --version` and `vn --help` as a ratio to bare `node -e 0`, measured side by
// side in one run: the three commands are run interleaved, round after round, so machine noise
// falls on all of them alike. Goal (issue #3): --version ≤ 1.3×, --help ≤ 1.6×.
// Usage: npm run build && node bench/startup.mjs [rounds]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'vn.js');
const rounds = Number(process.argv[2] ?? 30);
const home = mkdtempSync(join(tmpdir(), 'vn-bench-'));
const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };

const cases = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'vn --version', args: [bin, '--version'] },
  { name: 'vn --help', args: [bin, '--help'] },
];

function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const samples = cases.map(() => []);
for (const c of cases) once(c.args); // warm the file cache
for (let i = 0; i < rounds; i++) {
  cases.forEach((c, j) => {
    samples[j].push(once(c.args));
  });
}
rmSync(home, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(samples[0]);
console.log(`startup, ${rounds} interleaved rounds, node ${process.version}, median wall time`);
cases.forEach((c, j) => {
  const m = median(samples[j]);
  console.log(`  ${c.name.padEnd(14)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}×`);
});
