import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnVn, tempDir } from '../helpers/run.js';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('profile writes from concurrent processes', () => {
  it('16 parallel `vn configure set` runs each keep their profile (an inter-process lock)', async () => {
    const cfg = dir();
    const n = 16;
    const runs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        spawnVn(['configure', 'set', '--profile', `p${i}`, '--access-key-id', `AK${i}`], {
          env: { VN_CONFIG_DIR: cfg },
          stdin: `secret-number-${i}\n`,
          timeoutMs: 60_000,
        }),
      ),
    );
    for (const [i, r] of runs.entries()) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`saved profile "p${i}"`);
    }
    const file = JSON.parse(readFileSync(join(cfg, 'config.json'), 'utf8'));
    expect(Object.keys(file.profiles).sort()).toEqual(Array.from({ length: n }, (_, i) => `p${i}`).sort());
    for (let i = 0; i < n; i++) expect(file.profiles[`p${i}`]).toMatchObject({ accessKeyId: `AK${i}`, accessKeySecret: `secret-number-${i}` });
    expect(statSync(join(cfg, 'config.json')).mode & 0o777).toBe(0o600);
    // the lock is gone and no temp file is left beside the profile file
    expect(readdirSync(cfg).sort()).toEqual(['config.json']);
  }, 90_000);
});

describe('broken input files', () => {
  it('a corrupt config.json is an error naming the file and how to repair it (exit 2)', async () => {
    const cfg = dir();
    mkdirSync(cfg, { recursive: true });
    const file = join(cfg, 'config.json');
    writeFileSync(file, '{"profiles": {"a": ', { mode: 0o600 });
    for (const argv of [
      ['configure', 'list'],
      ['instance', 'list'],
      ['configure', 'set', '--profile', 'b', '--access-key-id', 'AK'],
    ]) {
      const r = await spawnVn(argv, { env: { VN_CONFIG_DIR: cfg }, stdin: 'some-secret\n' });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: the profile file ${file.replace(/[.]/g, '\\.')} is not valid JSON`));
      expect(r.stderr).toContain(`mv ${file} ${file}.broken`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // nothing was written over the broken file
    expect(readFileSync(file, 'utf8')).toBe('{"profiles": {"a": ');
    // valid JSON of the wrong shape is refused the same way, not read as profiles "0", "1", …
    writeFileSync(file, '{"profiles": "abc"}');
    const shape = await spawnVn(['configure', 'list'], { env: { VN_CONFIG_DIR: cfg } });
    expect(shape.code).toBe(2);
    expect(shape.stderr).toMatch(/is not a vn profile file .*mv /);
  });

  it.each([
    ['not JSON', '{"profiles": [', /is not valid JSON/],
    ['JSON null', 'null', /is not an aliyun CLI configuration/],
    ['profiles not a list', '{"profiles": {"a": 1}}', /is not an aliyun CLI configuration/],
  ])('configure import-aliyun --file with %s is exit 2 naming the file', async (_what, text, message) => {
    const d = dir();
    const file = join(d, 'aliyun.json');
    writeFileSync(file, text);
    const r = await spawnVn(['configure', 'import-aliyun', '--file', file], { env: { VN_CONFIG_DIR: join(d, 'cfg') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(file);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('import-aliyun skips list entries that are not profiles instead of crashing', async () => {
    const d = dir();
    const file = join(d, 'aliyun.json');
    writeFileSync(file, JSON.stringify({ profiles: [null, 3, { name: 'ok', mode: 'AK', access_key_id: 'AK', access_key_secret: 'SK-123456' }] }));
    const r = await spawnVn(['configure', 'import-aliyun', '--file', file, '-o', 'json'], { env: { VN_CONFIG_DIR: join(d, 'cfg') } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).Imported.map((x: { Result: string }) => x.Result)).toEqual([
      'skipped: not a profile object',
      'skipped: not a profile object',
      'imported (AK)',
    ]);
  });
});

describe('permissions of what --profile local creates', () => {
  it('the config directory is 0700 and local.db 0600', async () => {
    const cfg = join(dir(), 'fresh', 'vn');
    const r = await spawnVn(['--profile', 'local', 'instance', 'list', '-o', 'json'], { env: { VN_CONFIG_DIR: cfg } });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(cfg).mode & 0o777).toBe(0o700);
    expect(statSync(join(cfg, 'emulator')).mode & 0o777).toBe(0o700);
    expect(statSync(join(cfg, 'emulator', 'local.db')).mode & 0o777).toBe(0o600);
  });
});

describe('emulator start: the config dir and bad input', () => {
  it('makes the config dir 0700 when its default state file is under it', async () => {
    const cfg = join(dir(), 'fresh', 'vn');
    // a chatbots file that does not exist: the command fails after it prepared the directory
    const r = await spawnVn(['emulator', 'start', '--port', '0', '--chatbots', join(cfg, 'none.yaml')], { env: { VN_CONFIG_DIR: cfg }, timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(statSync(cfg).mode & 0o777).toBe(0o700);
  });

  it.each(['not a host', 'bad_host!', '-x'])('--host %j is exit 2 in one line', async (host) => {
    const r = await spawnVn(['emulator', 'start', '--host', host, '--port', '0', '--data', join(dir(), 'e.db')], { timeoutMs: 10_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/getaddrinfo/);
  });
});

describe('files in the config dir that are not files', () => {
  /** A config dir with `name` made a FIFO or a directory. */
  function withSpecial(name: string, kind: 'fifo' | 'dir'): { cfg: string; path: string } {
    const cfg = dir();
    const path = join(cfg, name);
    mkdirSync(dirname(path), { recursive: true });
    if (kind === 'dir') mkdirSync(path);
    else expect(spawnSync('mkfifo', [path]).status).toBe(0);
    return { cfg, path };
  }

  it.each([
    ['fifo', 'a FIFO \\(named pipe\\)'],
    ['dir', 'a directory'],
  ] as const)('config.json as a %s is exit 2 naming the file, for reads and writes, at once', async (kind, what) => {
    const { cfg, path } = withSpecial('config.json', kind);
    for (const argv of [
      ['configure', 'list'],
      ['instance', 'list'],
      ['configure', 'set', '--profile', 'b', '--access-key-id', 'AK'],
      ['configure', 'use', 'local'],
    ]) {
      const r = await spawnVn(argv, { env: { VN_CONFIG_DIR: cfg }, stdin: 'some-secret\n', timeoutMs: 10_000 });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: the profile file ${path.replace(/[.]/g, '\\.')} is ${what}, not a file: move it away`));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // still what it was: nothing was written over it
    expect(kind === 'dir' ? statSync(path).isDirectory() : statSync(path).isFIFO()).toBe(true);
  });

  it.each(['fifo', 'dir'] as const)("the local emulator's state file as a %s is exit 2 naming it, at once", async (kind) => {
    const { cfg, path } = withSpecial(join('emulator', 'local.db'), kind);
    const r = await spawnVn(['--profile', 'local', 'instance', 'list'], { env: { VN_CONFIG_DIR: cfg }, timeoutMs: 10_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: the emulator's data file ${path.replace(/[.]/g, '\\.')} is a (FIFO|directory)`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('emulator start --data on a FIFO is exit 2, at once', async () => {
    const { path } = withSpecial('e.db', 'fifo');
    const r = await spawnVn(['emulator', 'start', '--port', '0', '--data', path], { timeoutMs: 10_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: --data .*e\.db is a FIFO \(named pipe\), not a file/);
  });

  it('a FIFO at the last-run state reads as no state, at once', async () => {
    const { cfg } = withSpecial('dialogue-last-run.json', 'fifo');
    const { LastRunState } = await import('../../src/dialogue/suite/select.js');
    const state = await LastRunState.load(cfg);
    expect(state.known([{ path: join(cfg, 'x.test.yaml') } as never])).toBe(false);
  });
});
