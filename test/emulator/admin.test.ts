// The emulator's /_vn/ service endpoints and the `vn emulator` commands on them (issue #24):
// health, reset, snapshots, seeding, the virtual clock, and who may call them.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

async function admin(emu: { url: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.url}/_vn${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

let emu: TestEmulator;
const vn = (...argv: string[]) => runVn(argv, { env: emu.env });
const ok = async (...argv: string[]) => {
  const r = await vn(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};
const create = async (name: string, env = emu.env) => {
  const r = await runVn(['instance', 'create', '--name', name, '--concurrency', '3', '-o', 'json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).InstanceId as string;
};
const names = async (env = emu.env) => {
  const r = await runVn(['instance', 'list', '-o', 'json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout).Instances as { Name: string }[]).map((i) => i.Name).sort();
};

beforeAll(async () => {
  emu = await startTestEmulator({ virtualClock: true });
});
afterAll(async () => {
  await emu?.stop();
});

describe('GET /_vn/health', () => {
  it('answers unsigned with the version, uptime, state file and ready', async () => {
    const r = await admin(emu, 'GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ready: true, stateFile: join(emu.dir, 'emulator.db'), virtualClock: true });
    expect(typeof r.body.version).toBe('string');
    expect(typeof r.body.uptimeSeconds).toBe('number');
  });

  it('answers an unknown endpoint 404 and a wrong method 405, as JSON', async () => {
    expect((await admin(emu, 'GET', '/nope')).status).toBe(404);
    const r = await admin(emu, 'DELETE', '/health');
    expect(r.status).toBe(405);
    expect(r.body.Code).toBe('MethodNotAllowed');
  });

  it('refuses a request from another origin (a web page must not drive it)', async () => {
    const r = await admin(emu, 'POST', '/reset', undefined, { origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body.Code).toBe('Forbidden.Origin');
  });
});

describe('reset between two tests', () => {
  it('test 1 creates an instance', async () => {
    await create('重置前的实例');
    expect(await names()).toContain('重置前的实例');
  });

  it('test 2 starts empty after `vn emulator reset`; the keys still work', async () => {
    const r = await ok('emulator', 'reset', '-o', 'json');
    expect(JSON.parse(r.stdout)).toEqual({ reset: true });
    expect(await names()).toEqual([]);
    await create('重置后的实例');
    expect(await names()).toEqual(['重置后的实例']);
  });
});

describe('snapshots', () => {
  it('a snapshot saved to a file, loaded into a new emulator, is equal', async () => {
    await ok('emulator', 'reset');
    const id = await create('快照热线');
    await ok('tts', 'set', id, '--voice', 'xiaogang');
    await ok('dialogue', 'begin', id, '--conversation-id', 'snap-c1', '--calling-number', '13800000000', '--debug');
    const file = join(emu.dir, 'fixture.json');
    await ok('emulator', 'snapshot', 'save', file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({ format: 'vn-emulator-snapshot', formatVersion: 1 });
    expect(saved.tables.instances.rows).toHaveLength(1);

    const other = await startTestEmulator();
    try {
      const r = await runVn(['emulator', 'snapshot', 'load', file], { env: other.env });
      expect(r.code, r.stderr).toBe(0);
      const a = (await admin(emu, 'POST', '/snapshots/save', {})).body;
      const b = (await admin(other, 'POST', '/snapshots/save', {})).body;
      expect(b.tables).toEqual(a.tables);
      expect(await names(other.env)).toEqual(['快照热线']);
    } finally {
      await other.stop();
    }
  });

  it('saves and loads by name over /_vn/, and lists the names', async () => {
    await ok('emulator', 'reset');
    await create('命名快照');
    await ok('emulator', 'snapshot', 'save', 'one');
    await ok('emulator', 'reset');
    expect(await names()).toEqual([]);
    const listed = JSON.parse((await ok('emulator', 'snapshot', 'list', '-o', 'json')).stdout);
    expect(listed.snapshots.map((s: { name: string }) => s.name)).toContain('one');
    await ok('emulator', 'snapshot', 'load', 'one');
    expect(await names()).toEqual(['命名快照']);
  });

  it('works on a stopped state file (--data)', async () => {
    const stopped = await startTestEmulator();
    await create('停机快照', stopped.env);
    const data = join(stopped.dir, 'emulator.db');
    const file = join(stopped.dir, 'stopped.json');
    await stopped.close();
    const save = await runVn(['emulator', 'snapshot', 'save', file, '--data', data], { env: { VN_CONFIG_DIR: stopped.env.VN_CONFIG_DIR } });
    expect(save.code, save.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).tables.instances.rows).toHaveLength(1);
    const other = await startTestEmulator();
    try {
      const dataB = join(other.dir, 'emulator.db');
      await other.close();
      const load = await runVn(['emulator', 'snapshot', 'load', file, '--data', dataB], { env: { VN_CONFIG_DIR: other.env.VN_CONFIG_DIR } });
      expect(load.code, load.stderr).toBe(0);
      const again = await startTestEmulator({ dataFile: dataB });
      try {
        expect(await names(again.env)).toEqual(['停机快照']);
      } finally {
        await again.stop();
      }
    } finally {
      other.stop().catch(() => undefined);
      stopped.stop().catch(() => undefined);
    }
  });

  it('refuses a corrupt file and a newer version with one clear line (exit 2), changing nothing', async () => {
    await ok('emulator', 'reset');
    await create('保持不变');
    const corrupt = join(emu.dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "vn-emulator-snapshot", "formatVersion": 1, "schema');
    let r = await vn('emulator', 'snapshot', 'load', corrupt);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a vn emulator snapshot: not valid JSON/);
    const newer = join(emu.dir, 'newer.json');
    writeFileSync(newer, JSON.stringify({ format: 'vn-emulator-snapshot', formatVersion: 1, schemaVersion: 999, tables: {} }));
    r = await vn('emulator', 'snapshot', 'load', newer);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema 999, newer than this vn's .*upgrade vn/);
    const future = join(emu.dir, 'future.json');
    writeFileSync(future, JSON.stringify({ format: 'vn-emulator-snapshot', formatVersion: 2, schemaVersion: 1, tables: {} }));
    r = await vn('emulator', 'snapshot', 'load', future);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/snapshot format 2, newer than this vn reads/);
    expect(await names()).toEqual(['保持不变']);
  });

  it('loads an older schema version by migrating its tables', async () => {
    await ok('emulator', 'reset');
    const file = join(emu.dir, 'v1.json');
    // schema 1 has no uploads table (version 3 adds it), no sts_keys (version 4) and no
    // conversations.last_sequence (version 5)
    await ok('emulator', 'snapshot', 'save', join(emu.dir, 'now.json'));
    const current = JSON.parse(readFileSync(join(emu.dir, 'now.json'), 'utf8'));
    const { uploads: _uploads, sts_keys: _stsKeys, ...tables } = current.tables;
    tables.instances = {
      columns: ['instance_id', 'name', 'concurrency', 'status', 'create_time', 'modify_time'],
      rows: [['old-1', '旧格式', 2, 'Published', 1, 1]],
    };
    tables.conversations = { ...tables.conversations, columns: tables.conversations.columns.filter((c: string) => c !== 'last_sequence') };
    writeFileSync(file, JSON.stringify({ ...current, schemaVersion: 1, tables }));
    await ok('emulator', 'snapshot', 'load', file);
    expect(await names()).toEqual(['旧格式']);
  });
});

describe('the virtual clock', () => {
  it('advancing it finishes an export task', async () => {
    await ok('emulator', 'reset');
    const id = await create('时钟导出');
    const started = JSON.parse(
      (await ok('call', 'ExportConversationDetails', '--InstanceId', id, '--BeginTimeLeftRange', '0', '--BeginTimeRightRange', String(Date.now() + 3600_000)))
        .stdout,
    );
    const taskId = started.ExportTaskId ?? started.TaskId;
    expect(taskId).toBeTruthy();
    const running = JSON.parse((await ok('call', 'DescribeExportProgress', '--InstanceId', id, '--ExportTaskId', taskId)).stdout);
    expect(running.Status).not.toBe('FINISHED');
    const moved = JSON.parse((await ok('emulator', 'clock', 'advance', '10m', '-o', 'json')).stdout);
    expect(moved.offsetMs).toBeGreaterThanOrEqual(600_000);
    const done = JSON.parse((await ok('call', 'DescribeExportProgress', '--InstanceId', id, '--ExportTaskId', taskId)).stdout);
    expect(done.Status).toBe('FINISHED');
  });

  it('keeps signatures on the wall clock: a signed call still works a day ahead', async () => {
    await ok('emulator', 'clock', 'advance', '1d');
    expect(Array.isArray(await names())).toBe(true);
  });

  it('refuses to move a clock that is not virtual (409) and a bad duration (exit 2)', async () => {
    const plain = await startTestEmulator();
    try {
      const r = await runVn(['emulator', 'clock', 'advance', '30s'], { env: plain.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ClockNotVirtual.*--virtual-clock/);
      expect((await runVn(['emulator', 'clock', 'advance', 'soon'], { env: plain.env })).code).toBe(2);
    } finally {
      await plain.stop();
    }
  });
});

describe('who may call /_vn/', () => {
  it('refuses on a non-loopback address without --admin-key, with a clear message', async () => {
    const open = await startTestEmulator({ host: '0.0.0.0' });
    try {
      const r = await admin({ url: `http://127.0.0.1:${open.port}` }, 'GET', '/health');
      expect(r.status).toBe(403);
      expect(r.body.Code).toBe('Forbidden.NotLoopback');
      expect(String(r.body.Message)).toMatch(/not a loopback address; start it with --admin-key/);
    } finally {
      await open.stop();
    }
  });

  it('with --admin-key, needs the key in X-Vn-Admin-Key', async () => {
    const keyed = await startTestEmulator({ host: '0.0.0.0', adminKey: 'admin-key-123' });
    try {
      const url = `http://127.0.0.1:${keyed.port}`;
      expect((await admin({ url }, 'GET', '/health')).status).toBe(403);
      expect((await admin({ url }, 'GET', '/health', undefined, { 'x-vn-admin-key': 'admin-key-12X' })).status).toBe(403);
      expect((await admin({ url }, 'GET', '/health', undefined, { 'x-vn-admin-key': 'admin-key-123' })).status).toBe(200);
      const r = await runVn(['emulator', 'reset', '--admin-key', 'admin-key-123'], { env: { ...keyed.env, VN_ENDPOINT: url } });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await keyed.stop();
    }
  });
});

describe('vn emulator seed --from-profile', () => {
  it('copies an instance of one emulator into a second one, identical by vn diff', async () => {
    await ok('emulator', 'reset');
    const id = await create('生产热线');
    await ok('tts', 'set', id, '--voice', 'xiaogang', '--volume', '70');
    const target = await startTestEmulator();
    try {
      const config = emu.env.VN_CONFIG_DIR as string;
      const setup = await runVn(['configure', 'set', '--profile', 'prod', '--access-key-id', TEST_KEY.id, '--endpoint', emu.url], {
        env: { VN_CONFIG_DIR: config },
        stdin: TEST_KEY.secret,
      });
      expect(setup.code, setup.stderr).toBe(0);
      // the environment points at the target emulator (as `eval "$(… --print-env)"` leaves it)
      const targetEnv = { ...target.env, VN_CONFIG_DIR: config };
      const seeded = await runVn(['emulator', 'seed', '--from-profile', 'prod', '--instance', '生产热线', '-o', 'json'], { env: targetEnv });
      expect(seeded.code, seeded.stderr).toBe(0);
      expect(JSON.parse(seeded.stdout)).toMatchObject({ seeded: ['生产热线'], to: target.url });
      expect(await names(targetEnv)).toEqual(['生产热线']);
      const copyId = JSON.parse((await runVn(['instance', 'list', '-o', 'json'], { env: targetEnv })).stdout).Instances[0].InstanceId;
      // compared through two profiles (VN_ENDPOINT in the environment would point both at one emulator)
      const profiles = { VN_CONFIG_DIR: config };
      const copy = await runVn(['configure', 'set', '--profile', 'copy', '--access-key-id', TEST_KEY.id, '--endpoint', target.url], {
        env: profiles,
        stdin: TEST_KEY.secret,
      });
      expect(copy.code, copy.stderr).toBe(0);
      const diff = await runVn(['-p', 'copy', 'diff', copyId, id, '--target-profile', 'prod'], { env: profiles });
      expect(diff.code, diff.stdout + diff.stderr).toBe(0);
      // and the comparison can see a difference
      expect((await runVn(['tts', 'set', copyId, '--volume', '20'], { env: targetEnv })).code).toBe(0);
      expect((await runVn(['-p', 'copy', 'diff', copyId, id, '--target-profile', 'prod'], { env: profiles })).code).toBe(5);
    } finally {
      await target.stop();
    }
  });

  it('refuses to write to something that is not an emulator', async () => {
    const r = await vn('emulator', 'seed', '--from-profile', 'prod', '--instance', 'x', '--to', 'http://127.0.0.1:9');
    expect(r.code).not.toBe(0);
  });
});

describe('the virtual clock and STS tokens', () => {
  it('advancing it expires a token', async () => {
    const sts = await startTestEmulator({
      virtualClock: true,
      stsTokens: [{ accessKeyId: TEST_KEY.id, token: 'sts-token-1', expiresAt: Date.now() + 3600_000 }],
    });
    try {
      const env = { ...sts.env, ALIBABA_CLOUD_SECURITY_TOKEN: 'sts-token-1' };
      expect((await runVn(['instance', 'list'], { env })).code).toBe(0);
      expect((await runVn(['emulator', 'clock', 'advance', '2h'], { env })).code).toBe(0);
      const r = await runVn(['instance', 'list'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Expired/);
    } finally {
      await sts.stop();
    }
  });
});
