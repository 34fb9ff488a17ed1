#!/usr/bin/env node
// bench/dialogue: `vn dialogue test` against `vn emulator` at --concurrency 50, side by side with a
// minimal loop that sends the same turns as signed requests on one keep-alive pool. Prints turns per
// second for both, their ratio (goal ≥ 70%), and the runner's peak memory at 200 and at 1,000
// conversations (goal: flat). Needs a build: npm run build && npm run bench:dialogue
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'vn.js');
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const KEY = { id: 'bench', secret: 'bench-secret' };
const dir = mkdtempSync(join(tmpdir(), 'vn-bench-dialogue-'));

// six answered turns (greeting + five), then EndDialogue: the same for both sides
const STEPS = [['say', '我想查余额'], ['say', '再说一遍'], ['dtmf', '1'], ['silence'], ['say', '我要投诉']];

let emulators = 0;
/** A fresh emulator (its own data file): each measurement starts from the same empty state. */
async function startEmulator() {
  const data = join(dir, `emu-${++emulators}.db`);
  const child = spawn(process.execPath, [BIN, 'emulator', 'start', '--port', '0', '--data', data, '--access-key', `${KEY.id}:${KEY.secret}`], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, VN_CONFIG_DIR: join(dir, 'config') },
  });
  const url = await new Promise((res, rej) => {
    let buf = '';
    child.stdout.on('data', (c) => {
      buf += c;
      if (buf.includes('\n')) res(buf.split('\n')[0].trim());
    });
    child.on('exit', (code) => rej(new Error(`emulator exited with ${code}`)));
  });
  const created = await runVn(['instance', 'create', '--name', 'bench', '--concurrency', '1000', '-o', 'json'], envFor(url));
  const instanceId = JSON.parse(created.stdout).InstanceId;
  // warm-up: JIT and SQLite pages, the same for both sides
  await minimalLoop(url, instanceId, 100);
  return {
    url,
    instanceId,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

function envFor(url) {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.secret,
    VN_ENDPOINT: url,
    VN_CONFIG_DIR: join(dir, 'config'),
    NO_COLOR: '1',
  };
}

function runVn(args, env) {
  // peak RSS, and the heap still live after a full GC once the run is over (what the runner kept)
  const wrapper =
    "import { main } from './dist/cli.js'; process.on('exit', () => { globalThis.gc(); process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + ' HEAP ' + process.memoryUsage().heapUsed + '\\n'); }); await main(process.argv.slice(1));";
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', wrapper, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) =>
      res({ code, stdout, stderr, maxRssKb: Number(/MAXRSS (\d+)/.exec(stderr)?.[1] ?? 0), heapBytes: Number(/HEAP (\d+)/.exec(stderr)?.[1] ?? 0) }),
    );
  });
}

// seed: 签名机制 — HMAC-SHA1 over the sorted, percent-encoded query, written out here independently
function enc(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
function signedUrl(base, action, params) {
  const all = {
    ...params,
    Action: action,
    Format: 'JSON',
    Version: '2018-06-12',
    AccessKeyId: KEY.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const query = Object.keys(all)
    .sort()
    .map((k) => `${enc(k)}=${enc(all[k])}`)
    .join('&');
  const signature = createHmac('sha1', `${KEY.secret}&`)
    .update(`POST&${enc('/')}&${enc(query)}`)
    .digest('base64');
  return `${base}/?${query}&Signature=${enc(signature)}`;
}

async function minimalLoop(base, instanceId, conversations = CONVERSATIONS) {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: CONCURRENCY });
  const call = async (action, params) => {
    const res = await request(signedUrl(base, action, { InstanceId: instanceId, ...params }), { method: 'POST', dispatcher: agent });
    const body = await res.body.json();
    if (res.statusCode !== 200) throw new Error(`${action}: ${JSON.stringify(body)}`);
    return body;
  };
  let next = 0;
  let turns = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < conversations) {
      next++;
      const ConversationId = randomUUID();
      await call('DebugBeginDialogue', { ConversationId, CallingNumber: '13800000000' });
      turns++;
      for (const [kind, input] of STEPS) {
        if (kind === 'say') await call('DebugDialogue', { ConversationId, Utterance: input });
        else if (kind === 'dtmf') await call('DebugCollectedNumber', { ConversationId, Number: input });
        else await call('SilenceTimeout', { ConversationId });
        turns++;
      }
      await call('EndDialogue', { ConversationId });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return { turns, seconds, turnsPerSecond: turns / seconds };
}

function suiteFile(conversations) {
  const lines = ['env: debug', 'conversations:'];
  for (let i = 1; i <= conversations; i++) {
    lines.push(`  - name: bench ${i}`, '    turns:', '      - bot: { text: 欢迎 }');
    for (const [kind, input] of STEPS) {
      if (kind === 'silence') lines.push('      - silence: true', '        bot: { text: 没听到 }');
      else lines.push(`      - ${kind}: "${input}"`, `        bot: { action: ${input === '我要投诉' ? 'TransferToAgent' : 'Broadcast'} }`);
    }
    lines.push('      - end: true');
  }
  const path = join(dir, `bench-${conversations}.test.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function runner(url, instanceId, conversations) {
  // 10 distinct conversations, repeated: the file stays small and the run is `conversations` long
  const file = suiteFile(10);
  const report = join(dir, `report-${conversations}.json`);
  const env = envFor(url);
  const r = await runVn(
    [
      'dialogue',
      'test',
      file,
      '--instance',
      instanceId,
      '--repeat',
      String(conversations / 10),
      '--concurrency',
      String(CONCURRENCY),
      '--reporter',
      'json',
      '--report-file',
      report,
    ],
    env,
  );
  if (r.code !== 0) throw new Error(`vn dialogue test exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
  const summary = JSON.parse(readFileSync(report, 'utf8')).summary;
  return { summary, maxRssMb: r.maxRssKb / 1024, heapMb: r.heapBytes / 1e6 };
}

async function measure(what) {
  const emu = await startEmulator();
  try {
    return await what(emu);
  } finally {
    await emu.stop();
  }
}

try {
  // loop and runner alternate, each on a fresh emulator, so neither side gets a bigger database
  // or a quieter machine than the other; the medians of the rounds are compared
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const loops = [];
  const runs = [];
  for (let i = 0; i < rounds; i++) {
    loops.push(await measure((e) => minimalLoop(e.url, e.instanceId)));
    runs.push(await measure((e) => runner(e.url, e.instanceId, CONVERSATIONS)));
  }
  const small = await measure((e) => runner(e.url, e.instanceId, Math.max(10, Math.round(CONVERSATIONS / 5 / 10) * 10)));
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const loopRate = median(loops.map((l) => l.turnsPerSecond));
  const full = runs.find((r) => r.summary.turnsPerSecond === median(runs.map((x) => x.summary.turnsPerSecond)));
  const ratio = full.summary.turnsPerSecond / loopRate;
  const out = [
    `bench/dialogue — ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    `${CONVERSATIONS} conversations × 6 turns at concurrency ${CONCURRENCY} against vn emulator (a fresh one per measurement, ${rounds} rounds)`,
    `  minimal signed loop:  ${loopRate.toFixed(0)} turns/s (median of ${loops.map((l) => l.turnsPerSecond.toFixed(0)).join(', ')})`,
    `  vn dialogue test:     ${full.summary.turnsPerSecond.toFixed(0)} turns/s (median of ${runs.map((r) => r.summary.turnsPerSecond.toFixed(0)).join(', ')}; ${full.summary.turns} turns, p50 ${full.summary.latency.p50.toFixed(1)} ms, p95 ${full.summary.latency.p95.toFixed(1)} ms, p99 ${full.summary.latency.p99.toFixed(1)} ms; ${full.summary.passed} passed)`,
    `  ratio:                ${(ratio * 100).toFixed(0)}% of the minimal loop (goal ≥ 70%) ${ratio >= 0.7 ? 'OK' : 'BELOW GOAL'}`,
    `  runner memory:        ${small.summary.conversations} conversations: heap after GC ${small.heapMb.toFixed(0)} MB, peak RSS ${small.maxRssMb.toFixed(0)} MB; ${full.summary.conversations}: heap after GC ${full.heapMb.toFixed(0)} MB, peak RSS ${full.maxRssMb.toFixed(0)} MB`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (runs.some((r) => r.summary.passed !== CONVERSATIONS)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
