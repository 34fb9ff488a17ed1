#!/usr/bin/env node
// A whole command, process start to exit, as a user's script or CI step pays for it, next to the
// same call from a script on the official SDK and next to bare Node, measured side by side in one
// run: the cases run interleaved, round after round, so machine noise falls on all of them alike.
//   - `vn --endpoint URL instance describe ID -o json` against a running `vn emulator` (child process)
//   - bench/sdk-describe.mjs: the same DescribeInstance through @alicloud/openapi-core
//   - bare `node -e 0`
//   - `vn --profile local instance list -o json` (the embedded emulator, in-process)
//   - the aliyun CLI's `voicenavigator DescribeInstance`, only when an `aliyun` binary is on PATH
//     (this script never downloads or builds it): same emulator, same key, through its --endpoint
// Wall time is the median of the rounds; peak RSS (the kernel's maxrss, through /usr/bin/time, or
// /proc/PID/status VmHWM sampled until exit when it is not installed) the median of separate
// interleaved rounds, so the wrapper never adds to the wall times.
// Goals (issue #25): describe / bare ≤ 1.6× (stretch 1.3×), its peak RSS ≤ 45 MB, list / bare ≤ 2.0×;
// (issue #15) describe / SDK ≤ 1.0× (stretch 0.7×).
// BENCH_NODE=/path/to/node runs the rows with another Node (22, 24, 26: V8's compile cache is on
// there) against the same emulator; the local-profile row needs better-sqlite3 built for that Node's
// ABI, and is left out when it is not.
// Loopback only. Usage: npm run build && node bench/command.mjs [rounds]
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_KEY, BIN, benchEnv, median, ROOT, startEmulator } from './common.mjs';

const root = ROOT;
const bin = BIN;
const rounds = Number(process.argv[2] ?? 20);
const rssRounds = Math.min(rounds, 7);
const key = BENCH_KEY;
const home = mkdtempSync(join(tmpdir(), 'vn-bench-cmd-'));
const env = benchEnv(home);
const TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));
/** The Node the rows run on (the emulator always runs on this one). */
const NODE = process.env.BENCH_NODE || process.execPath;
const nodeInfo = JSON.parse(
  spawnSync(NODE, ['-p', 'JSON.stringify({ version: process.version, abi: process.versions.modules })'], { encoding: 'utf8' }).stdout || '{}',
);
if (!nodeInfo.version) throw new Error(`BENCH_NODE=${NODE} does not run`);
const sameAbi = nodeInfo.abi === process.versions.modules;

/** The `aliyun` binary on PATH, if there is one (never fetched: a row only where it is installed). */
function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
const ALIYUN = findOnPath('aliyun');

function run(args, { capture = false, cmd = NODE } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/**
 * Peak resident set of one run, in MB, and with time(1) the CPU time it took (user + system, ms): on
 * a loaded machine the CPU time moves much less than the wall time.
 */
async function peakRss(args, cmd = NODE) {
  if (TIME) {
    const r = spawnSync(TIME, ['-f', '%M %U %S', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const [kb, user, sys] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
    return { rss: kb / 1024, cpu: (user + sys) * 1000 };
  }
  const child = spawn(cmd, args, { env, stdio: 'ignore' });
  let hwm = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]));
    } catch {
      /* gone */
    }
  };
  const timer = setInterval(sample, 1);
  await new Promise((ok) => child.on('exit', ok));
  clearInterval(timer);
  return { rss: hwm / 1024, cpu: Number.NaN };
}

const emu = await startEmulator({ bin, env, data: join(home, 'bench.db'), key });
try {
  const created = JSON.parse(
    run([bin, '--endpoint', emu.url, 'instance', 'create', '--name', 'bench', '--concurrency', '5', '-o', 'json'], { capture: true, cmd: process.execPath })
      .stdout,
  );
  const id = created.InstanceId;
  if (!id) throw new Error(`instance create answered ${JSON.stringify(created)}`);
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'vn instance describe', args: [bin, '--endpoint', emu.url, 'instance', 'describe', id, '-o', 'json'], expect: id },
    { name: 'official SDK script', args: [join(root, 'bench', 'sdk-describe.mjs'), emu.url, key.id, key.secret, id], expect: id },
  ];
  if (sameAbi) cases.push({ name: 'vn --profile local list', args: [bin, '--profile', 'local', 'instance', 'list', '-o', 'json'], expect: '"Instances"' });
  if (ALIYUN) {
    // the aliyun CLI's global flags (aliyun --help): the key on the command line, the emulator as the
    // endpoint; it signs RPC calls with V1 as vn does. The check below (its answer names the
    // instance) stops the bench when a version reads these flags otherwise.
    const host = emu.url.replace(/^http:\/\//, '');
    cases.push({
      name: 'aliyun CLI describe',
      cmd: ALIYUN,
      args: [
        'voicenavigator',
        'DescribeInstance',
        '--InstanceId',
        id,
        '--endpoint',
        host,
        // plain HTTP to the emulator (the CLI's default is HTTPS)
        '--insecure',
        '--region',
        'cn-shanghai',
        '--access-key-id',
        key.id,
        '--access-key-secret',
        key.secret,
        '--mode',
        'AK',
      ],
      expect: id,
    });
  }
  // warm the file cache (and create the local profile's database), checking each answers for real
  for (const c of cases) {
    const { stdout } = run(c.args, { capture: true, cmd: c.cmd });
    if (c.expect && !stdout.includes(c.expect)) throw new Error(`${c.name} answered ${stdout.slice(0, 300)}`);
  }
  const wall = cases.map(() => []);
  const rss = cases.map(() => []);
  const cpuMs = cases.map(() => []);
  for (let i = 0; i < rounds; i++) for (const [j, c] of cases.entries()) wall[j].push(run(c.args, { cmd: c.cmd }).ms);
  for (let i = 0; i < rssRounds; i++)
    for (const [j, c] of cases.entries()) {
      const p = await peakRss(c.args, c.cmd);
      rss[j].push(p.rss);
      cpuMs[j].push(p.cpu);
    }

  const m = Object.fromEntries(cases.map((c, j) => [c.name, { wall: median(wall[j]), min: Math.min(...wall[j]), rss: median(rss[j]), cpu: median(cpuMs[j]) }]));
  const cpu = cpus();
  console.log(
    `whole commands, ${rounds} interleaved rounds, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}${ALIYUN ? '' : ', no aliyun on PATH (no row)'} (peak RSS: ${rssRounds} rounds, ${TIME ? 'maxrss via time(1)' : 'VmHWM sampled'}), ` +
      `node ${nodeInfo.version}${sameAbi ? '' : ' (another ABI: no local-profile row)'}, ${cpu.length} × ${cpu[0]?.model.trim()}, ${new Date().toISOString().slice(0, 10)}; medians`,
  );
  const base = m['node -e 0'].wall;
  const baseMin = m['node -e 0'].min;
  // the fastest round too: on a loaded machine it is the steadier estimate of what a command costs
  // and the CPU time (user + system, from time(1) in the RSS rounds), which the load moves least
  const baseCpu = m['node -e 0'].cpu;
  console.log(
    `  ${''.padEnd(24)} ${'median'.padStart(10)} ${'ratio'.padStart(6)}   ${'fastest'.padStart(9)} ${'ratio'.padStart(6)}   ${'CPU'.padStart(9)} ${'ratio'.padStart(6)}   peak RSS`,
  );
  for (const c of cases) {
    const r = m[c.name];
    console.log(
      `  ${c.name.padEnd(24)} ${r.wall.toFixed(1).padStart(7)} ms ${(r.wall / base).toFixed(2).padStart(5)}×   ` +
        `${r.min.toFixed(1).padStart(6)} ms ${(r.min / baseMin).toFixed(2).padStart(5)}×   ` +
        `${r.cpu.toFixed(0).padStart(6)} ms ${(r.cpu / baseCpu).toFixed(2).padStart(5)}×   ${r.rss.toFixed(1).padStart(6)} MB`,
    );
  }
  const d = m['vn instance describe'];
  const line = (what, value, goal, ok) => console.log(`  ${what.padEnd(36)} ${value.padStart(8)}   goal ${goal.padEnd(22)} ${ok ? 'met' : 'NOT met'}`);
  console.log('goals (medians):');
  const ratio = d.wall / base;
  line('describe / bare node', `${ratio.toFixed(2)}×`, '≤ 1.6× (stretch 1.3×)', ratio <= 1.6);
  line('describe peak RSS', `${d.rss.toFixed(1)} MB`, '≤ 45 MB', d.rss <= 45);
  if (m['vn --profile local list']) {
    const list = m['vn --profile local list'].wall / base;
    line('--profile local instance list / bare', `${list.toFixed(2)}×`, '≤ 2.0×', list <= 2);
  }
  const sdk = d.wall / m['official SDK script'].wall;
  line('describe / official SDK script', `${sdk.toFixed(2)}×`, '≤ 1.0× (stretch 0.7×)', sdk <= 1);
  if (m['aliyun CLI describe']) line('describe / aliyun CLI', `${(d.wall / m['aliyun CLI describe'].wall).toFixed(2)}×`, '(none: for reference)', true);
} finally {
  emu.child.kill('SIGTERM');
  await new Promise((ok) => (emu.child.exitCode !== null ? ok() : emu.child.on('exit', ok)));
  rmSync(home, { recursive: true, force: true });
}
