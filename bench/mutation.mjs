#!/usr/bin/env node
// bench/mutation: `vn dialogue test examples/demo-bank.test.yaml --mutate` on the `local` profile (a
// new instance: the demo bank bot with a new instance's navigation config), as a user runs it: the
// built CLI in its own process. Prints the mutants, the score, the whole run's wall time (goal: under
// 30 s on a 2-core machine) and mutants per second. Needs a build: npm run build && npm run bench:mutation
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'vn.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'vn-bench-mutation-'));
const env = { ...process.env, VN_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' };
delete env.VN_PROFILE;
delete env.VN_INSTANCE;

function vn(args) {
  const r = spawnSync(process.execPath, [BIN, '--profile', 'local', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vn ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

try {
  const instance = vn(['instance', 'create', '--name', 'bench-mutation', '--concurrency', '5', '-o', 'tsv', '--query', 'InstanceId']).trim();
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const report = JSON.parse(vn(['dialogue', 'test', 'examples/demo-bank.test.yaml', '--instance', instance, '--mutate', '--reporter', 'json']));
    const wallMs = performance.now() - started;
    rows.push({ wallMs, report });
  }
  const best = rows.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const { report } = best;
  const ran = report.killed + report.survived;
  console.log(`bench/mutation: the demo suite (examples/demo-bank.test.yaml) on ${cpus().length} cores, best of ${RUNS}`);
  console.log(
    `  mutants: ${report.total} (${report.killed} killed, ${report.survived} survived, ${report.notRun} not run); score ${(report.score * 100).toFixed(1)}%`,
  );
  console.log(`  whole command: ${(best.wallMs / 1000).toFixed(2)} s (goal < 30 s); mutation run ${(report.durationMs / 1000).toFixed(2)} s`);
  console.log(`  mutants per second: ${(ran / (best.wallMs / 1000)).toFixed(1)} (whole command), ${report.mutantsPerSecond} (mutation run)`);
  console.log(`  every run: ${rows.map((r) => `${(r.wallMs / 1000).toFixed(2)} s`).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
