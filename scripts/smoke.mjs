#!/usr/bin/env node
// A smoke pass of an installed checkout under the Node that runs this script (.ci/smoke-node runs
// it on Node 22, 24 and 26 after an `npm ci` of their own, as better-sqlite3 is native): a `--profile
// local` command, the example test suite, and the emulator driven by an official client
// (@alicloud/openapi-core, V3 and V1 signatures). Prints one line per check and `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'vn.js');
const configDir = mkdtempSync(join(tmpdir(), 'vn-smoke-'));
const env = { ...process.env, VN_CONFIG_DIR: configDir, NO_COLOR: '1' };
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `\n     ${String(detail).trim().split('\n').slice(0, 6).join('\n     ')}`}`);
}

function vn(args) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

async function officialClient(url, signing) {
  const require = createRequire(join(root, 'package.json'));
  const mod = require('@alicloud/openapi-core');
  const OpenApi = mod.default ?? mod;
  const { $OpenApiUtil } = mod;
  const { RuntimeOptions } = require('@darabonba/typescript');
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      accessKeyId: 'smoke',
      accessKeySecret: 'smoke-secret',
      endpoint: url.replace(/^http:\/\//, ''),
      protocol: 'http',
      ...(signing === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  return async (action, method, query) => {
    const params = new $OpenApiUtil.Params({
      action,
      version: '2018-06-12',
      protocol: 'HTTP',
      pathname: '/',
      method,
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const res = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query }), new RuntimeOptions({ autoretry: false, maxAttempts: 1 }));
    return res.body;
  };
}

async function withEmulator(fn) {
  const child = spawn(process.execPath, [bin, 'emulator', 'start', '--port', '0', '--access-key', 'smoke:smoke-secret', '--data', join(configDir, 'emu.db')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise((res, rej) => {
      let out = '';
      const timer = setTimeout(() => rej(new Error(`the emulator did not start: ${out}`)), 20_000);
      child.stdout.on('data', (c) => {
        out += c;
        const line = out.split('\n')[0];
        if (out.includes('\n') && /^http:\/\//.test(line)) {
          clearTimeout(timer);
          res(line.trim());
        }
      });
      child.once('exit', (code) => rej(new Error(`the emulator exited (${code}): ${out}`)));
    });
    await fn(url);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main() {
  console.log(`vn smoke on Node ${process.version}`);
  const version = vn(['--version']);
  check('vn --version', version.status === 0 && /^\d+\.\d+\.\d+/.test(version.stdout), version.stderr);

  const created = vn(['--profile', 'local', 'instance', 'create', '--name', 'smoke', '--concurrency', '2', '-o', 'json']);
  const id = created.status === 0 ? JSON.parse(created.stdout).InstanceId : undefined;
  check('--profile local instance create', Boolean(id), created.stderr);
  const listed = vn(['--profile', 'local', 'instance', 'list', '-o', 'json']);
  check('--profile local instance list', listed.status === 0 && listed.stdout.includes(String(id)), listed.stderr);

  const suite = vn(['--profile', 'local', 'dialogue', 'test', 'examples/demo-bank.test.yaml', '--instance', String(id), '--reporter', 'json']);
  let summary;
  try {
    summary = JSON.parse(suite.stdout).summary;
  } catch {
    summary = undefined;
  }
  check('the example test suite passes', suite.status === 0 && summary && summary.failed === 0 && summary.passed > 0, suite.stderr || suite.stdout);

  await withEmulator(async (url) => {
    for (const signing of ['v3', 'v1']) {
      try {
        const call = await officialClient(url, signing);
        const made = await call('CreateInstance', 'POST', { Name: `sdk-${signing}`, Concurrency: '3' });
        const got = await call('DescribeInstance', 'GET', { InstanceId: made.InstanceId });
        check(`the emulator answers @alicloud/openapi-core (${signing})`, got.Name === `sdk-${signing}` && got.Concurrency === 3, JSON.stringify(got));
      } catch (e) {
        check(`the emulator answers @alicloud/openapi-core (${signing})`, false, e.stack ?? e);
      }
    }
  }).catch((e) => check('the emulator starts', false, e.message));

  rmSync(configDir, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
