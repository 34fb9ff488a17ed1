#!/usr/bin/env node
// Requests per second of the emulator (`vn emulator start`, a child process) next to a bare
// node:http server answering fixed JSON (another child process), measured side by side in one
// run: rounds alternate between the two, so machine noise falls on both alike. The load generator
// (this process: an undici Pool, keep-alive, a fixed number of requests in flight, a fixed
// duration per round) signs every request with V1, for the bare server too, so the difference is
// what the emulator does with a request: verify, check replay, run the action, answer.
// Goals (issue #25): DescribeInstance ≥ 85% and DebugDialogue ≥ 60% of the bare server's rate. Each line
// also gives the CPU time each server spent per request (from /proc), which the machine's load moves less,
// and the load generator's own (this process): the bare server keeps up with it, so the load generator is
// the bottleneck of the bare rounds, and a server that is the bottleneck pays more per answer (its write
// wakes a peer that waits, on a machine of two cores: README, "Not reached").
// Loopback only. Usage: npm run build && node bench/emulator.mjs [seconds-per-round] [in-flight]
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--serve-bare') {
  // the bare server: reads the request, answers the same fixed JSON every time
  const body = JSON.stringify({ RequestId: '00000000-0000-0000-0000-000000000000', InstanceId: 'bare', Name: 'bare', Concurrency: 1 });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  await main();
}

// seed: 签名机制 — percent-encode (RFC 3986), sort, HMAC-SHA1 over METHOD&%2F&encoded-query
function percentEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
function canonical(params) {
  return Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');
}
function signedQuery(method, action, params, key) {
  const all = {
    ...params,
    Action: action,
    Format: 'JSON',
    Version: '2018-06-12',
    AccessKeyId: key.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical(all))}`;
  all.Signature = createHmac('sha1', `${key.secret}&`).update(stringToSign).digest('base64');
  return canonical(all);
}

/** Starts a child process and resolves with the URL it prints on its first stdout line. */
function startChild(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before printing its URL`)));
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolveUrl({ child, url: out.slice(0, nl) });
    });
  });
}

async function main() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const seconds = Number(process.argv[2] ?? 5);
  const inFlight = Number(process.argv[3] ?? 32);
  const rounds = 2;
  const { Pool } = await import('undici');
  const key = { id: 'bench-ak', secret: 'bench-secret' };
  const home = mkdtempSync(join(tmpdir(), 'vn-bench-emu-'));
  // BENCH_EMU_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the emulator child (NODE_OPTIONS refuses --cpu-prof)
  const emuNodeArgs = (process.env.BENCH_EMU_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const emu = await startChild([
    ...emuNodeArgs,
    join(root, 'bin', 'vn.js'),
    'emulator',
    'start',
    '--port',
    '0',
    '--data',
    join(home, 'bench.db'),
    '--access-key',
    `${key.id}:${key.secret}`,
  ]);
  emu.child.stdout.resume();
  const bare = await startChild([fileURLToPath(import.meta.url), '--serve-bare']);
  const pools = new Map();
  const poolFor = (url) => {
    if (!pools.has(url)) pools.set(url, new Pool(url, { connections: inFlight, pipelining: 1, keepAliveTimeout: 10_000 }));
    return pools.get(url);
  };

  async function call(url, method, action, params) {
    const qs = signedQuery(method, action, params, key);
    const res =
      method === 'GET'
        ? await poolFor(url).request({ method, path: `/?${qs}` })
        : await poolFor(url).request({ method, path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: qs });
    const text = await res.body.text();
    return { status: res.statusCode, body: text };
  }

  try {
    const created = await call(emu.url, 'POST', 'CreateInstance', { Name: 'bench', Concurrency: '1000' });
    if (created.status !== 200) throw new Error(`CreateInstance failed: ${created.body}`);
    const instanceId = JSON.parse(created.body).InstanceId;

    /** CPU time a server child has used so far, in µs (/proc/PID/stat utime + stime; NaN where there is no /proc). */
    const cpuOf = (child) => {
      try {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6;
      } catch {
        return Number.NaN;
      }
    };
    const childOf = (url) => (url === emu.url ? emu.child : bare.child);

    /** A bounded load: `inFlight` loops, each sending its next request when the last is answered, until the deadline. */
    async function load(url, next) {
      const deadline = performance.now() + seconds * 1000;
      let ok = 0;
      let failed = 0;
      let lastFailure = '';
      const started = performance.now();
      const cpu0 = cpuOf(childOf(url));
      const own0 = process.cpuUsage();
      await Promise.all(
        Array.from({ length: inFlight }, async (_, worker) => {
          const state = { worker, conversation: undefined };
          while (performance.now() < deadline) {
            const r = await next(url, state);
            if (r.status === 200) ok++;
            else {
              failed++;
              lastFailure = r.body.slice(0, 200);
            }
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const own = process.cpuUsage(own0);
      return { rate: ok / elapsed, ok, failed, lastFailure, cpuUs: cpuOf(childOf(url)) - cpu0, loaderUs: own.user + own.system };
    }

    const describe = (url) => call(url, 'GET', 'DescribeInstance', { InstanceId: instanceId });
    const dialogue = async (url, state) => {
      if (!state.conversation) {
        state.conversation = randomUUID();
        if (url === emu.url) {
          const begun = await call(url, 'POST', 'DebugBeginDialogue', {
            InstanceId: instanceId,
            ConversationId: state.conversation,
            CallingNumber: '13800000000',
          });
          if (begun.status !== 200) return begun;
        }
      }
      const r = await call(url, 'POST', 'DebugDialogue', { InstanceId: instanceId, ConversationId: state.conversation, Utterance: '查余额' });
      // a conversation the bot ended (transfer, hang-up) is replaced by a new one
      if (r.status !== 200 || /"Action":"(HangUp|TransferToAgent)"/.test(r.body)) state.conversation = undefined;
      return r;
    };

    const cases = [{ name: 'DescribeInstance', next: describe }];
    const probe = await dialogue(emu.url, { worker: -1, conversation: undefined });
    if (probe.status === 200) cases.push({ name: 'DebugDialogue', next: dialogue });
    else console.log(`DebugDialogue skipped: ${probe.body.slice(0, 200)}`);

    console.log(
      `emulator vs bare node:http, V1-signed requests, ${inFlight} in flight, ${rounds} × ${seconds}s rounds each (loopback), ` +
        `node ${process.version}, load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    for (const c of cases) {
      await load(emu.url, c.next); // warm-up rounds are shorter and not counted
      await load(bare.url, c.next);
      const totals = {
        emu: { ok: 0, failed: 0, rate: 0, lastFailure: '', cpuUs: 0, loaderUs: 0 },
        bare: { ok: 0, failed: 0, rate: 0, lastFailure: '', cpuUs: 0, loaderUs: 0 },
      };
      for (let i = 0; i < rounds; i++) {
        for (const [name, url] of [
          ['emu', emu.url],
          ['bare', bare.url],
        ]) {
          const r = await load(url, c.next);
          const t = totals[name];
          t.ok += r.ok;
          t.failed += r.failed;
          t.rate += r.rate / rounds;
          t.cpuUs += r.cpuUs;
          t.loaderUs += r.loaderUs;
          if (r.lastFailure) t.lastFailure = r.lastFailure;
        }
      }
      const ratio = totals.emu.rate / totals.bare.rate;
      const goal = c.name === 'DebugDialogue' ? 60 : 85;
      // CPU per answered request (the server's own, from /proc): what the load on the machine moves least
      const perRequest = (t, us = t.cpuUs) => (t.ok + t.failed > 0 ? us / (t.ok + t.failed) : Number.NaN);
      console.log(
        `${c.name.padEnd(17)} emulator ${totals.emu.rate.toFixed(0).padStart(6)} req/s   bare ${totals.bare.rate.toFixed(0).padStart(6)} req/s   ratio ${(ratio * 100).toFixed(0)}% (goal ≥ ${goal}%)` +
          `   CPU/request ${perRequest(totals.emu).toFixed(0)} µs vs ${perRequest(totals.bare).toFixed(0)} µs` +
          // the load generator's own: beside the bare server it is the bottleneck, and a server that waits pays less per answer to wake it
          `   (load generator ${perRequest(totals.emu, totals.emu.loaderUs).toFixed(0)} µs vs ${perRequest(totals.bare, totals.bare.loaderUs).toFixed(0)} µs)` +
          (totals.emu.failed ? `   ${totals.emu.failed} failed, e.g. ${totals.emu.lastFailure}` : ''),
      );
    }
  } finally {
    for (const p of pools.values()) await p.close();
    emu.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
    await Promise.all([emu, bare].map(({ child }) => new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)))));
    rmSync(home, { recursive: true, force: true });
  }
}
