// What the bench scripts share: medians and a `vn emulator start` child on a free loopback port.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Starts `vn emulator start` (bin/vn.js on this Node: better-sqlite3 is built for it) with one key and
 * its state in `data`, and resolves with the child and its URL (the first line it prints).
 */
export function startEmulator({ bin, env, data, key }) {
  const child = spawn(process.execPath, [bin, 'emulator', 'start', '--port', '0', '--data', data, '--access-key', `${key.id}:${key.secret}`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((ok, fail) => {
    let out = '';
    child.on('exit', (code) => fail(new Error(`vn emulator start exited ${code} before printing its URL: ${err}`)));
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout.resume();
        ok({ child, url: out.slice(0, nl) });
      }
    });
  });
}

/** The project's root and its bin, and the one key the benches' emulators accept. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'vn.js');
export const BENCH_KEY = { id: 'bench-ak', secret: 'bench-secret' };

/**
 * A minimal environment for the measured processes (NODE_OPTIONS or NODE_EXTRA_CA_CERTS from the
 * calling shell would cost every start-up), with `home` as HOME and the bench key as the credentials.
 */
export function benchEnv(home) {
  return {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: '1',
    VN_CONFIG_DIR: join(home, 'vn'),
    ALIBABA_CLOUD_ACCESS_KEY_ID: BENCH_KEY.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: BENCH_KEY.secret,
  };
}
