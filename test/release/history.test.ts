import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { lookupAction } from '../../src/api/catalog.js';
import { type HistoryEntry, listEntries, newEntryId, recordEntry } from '../../src/release/history.js';
import { lastSeq, startTestEmulator, TEST_KEY, type TestEmulator, writesAfter } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';
import { startCountingProxy } from '../manifest/proxy.js';

let emu: TestEmulator;
let env: Record<string, string>;
const vn = (...argv: string[]) => runVn(argv, { env });
const ok = async (...argv: string[]) => {
  const r = await vn(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

beforeAll(async () => {
  emu = await startTestEmulator();
  env = emu.env;
});
afterAll(async () => {
  await emu.stop();
});

/** An export without its modify time (a clock reading, not configuration). */
function exported(text: string): unknown {
  return parseAllDocuments(text)
    .flatMap((d) => [d.toJSON()].flat() as Record<string, unknown>[])
    .map((doc) => {
      const { modifyTime: _t, ...info } = doc.readOnly as Record<string, unknown>;
      return { ...doc, readOnly: info };
    });
}

async function newInstance(name: string): Promise<string> {
  return JSON.parse((await ok('instance', 'create', '--name', name, '--concurrency', '3', '-o', 'json')).stdout).InstanceId as string;
}

describe('vn apply history and rollback', () => {
  it('records each apply (before, after, plan, time, profile, user; no secret) and --rollback restores an export-identical configuration', async () => {
    const id = await newInstance('回滚热线');
    await ok('ivr', 'set-silence-timeout', id, '--final-action', 'TransferToAgent', '--final-action-params', '{"skillGroupId":"vip"}');
    const before = (await ok('instance', 'export', id)).stdout;
    const historyDir = join(emu.dir, 'team-history');
    const file = join(emu.dir, 'change.yaml');
    // a rename, a policy, the voice and the status: every kind of write
    writeFileSync(
      file,
      [
        `id: ${id}`,
        'name: 回滚热线-新',
        'concurrency: 4',
        'enabled: false',
        'tts: {voice: aixia, speechRate: 50}',
        'silenceTimeout: {threshold: 2, finalAction: HangUp, finalActionParams: {}}',
        'unrecognizing: {prompt: 请再说一遍}',
        '',
      ].join('\n'),
    );
    const applied = await ok('apply', '-f', file, '--yes', '--history-dir', historyDir);
    const changed = (await ok('instance', 'export', id)).stdout;
    expect(exported(changed)).not.toEqual(exported(before));

    const files = readdirSync(historyDir);
    expect(files).toHaveLength(1);
    const text = readFileSync(join(historyDir, files[0] as string), 'utf8');
    expect(text).not.toContain(TEST_KEY.secret);
    const entry = JSON.parse(text) as HistoryEntry;
    expect(applied.stderr).toContain(`history entry ${entry.id}`);
    expect(entry).toMatchObject({ version: 1, profile: 'env', outcome: 'applied', source: file, writes: 5 });
    expect(entry.user).not.toBe('');
    expect(Date.parse(entry.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(entry.plan[0]?.changes).toContainEqual({ section: 'silenceTimeout', field: 'threshold', from: 3, to: 2 });
    expect(exported(JSON.stringify(entry.before))).toEqual(exported(before));
    expect(exported(JSON.stringify(entry.after))).toEqual(exported(changed));

    const listed = JSON.parse((await ok('apply', '--history', '--history-dir', historyDir, '-o', 'json')).stdout);
    expect(listed.entries).toEqual([expect.objectContaining({ id: entry.id, instances: ['回滚热线-新'], changes: 9, writes: 5, outcome: 'applied' })]);

    const rolled = await ok('apply', '--rollback', '--yes', '--history-dir', historyDir);
    expect(rolled.stdout).toContain('silenceTimeout.threshold 2 → 3');
    expect(exported((await ok('instance', 'export', id)).stdout)).toEqual(exported(before));
    // the rollback is an entry too, pointing at the one it undid
    const after = (await listEntries(historyDir)).entries;
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({ rollbackOf: entry.id, source: `rollback of ${entry.id}` });
    // and rolling back again by id is a no-op plan now: the configuration is already the earlier one
    const again = await ok('apply', '--rollback', entry.id.slice(0, 20), '--yes', '--history-dir', historyDir);
    expect(again.stdout).toContain('= unchanged 回滚热线');
  });

  it('--rollback goes through the plan and confirmation: --dry-run writes nothing, and without --yes off a terminal it refuses', async () => {
    const id = await newInstance('回滚演练');
    const historyDir = join(emu.dir, 'dry-history');
    const file = join(emu.dir, 'dry.yaml');
    writeFileSync(file, 'name: 回滚演练\ntts: {voice: aixia}\n');
    await ok('apply', '-f', file, '--yes', '--history-dir', historyDir);
    const seq = await lastSeq(emu);
    const dry = await ok('apply', '--rollback', '--dry-run', '--history-dir', historyDir);
    expect(dry.stdout).toContain('tts.voice aixia → xiaoyun');
    const refused = await vn('apply', '--rollback', '--history-dir', historyDir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await writesAfter(emu, seq)).toEqual([]);
    expect(JSON.parse((await ok('tts', 'get', id, '-o', 'json')).stdout).Voice).toBe('aixia');
    expect((await listEntries(historyDir)).entries).toHaveLength(1);
  });

  it('refuses a rollback on another profile, an unknown entry and an empty history, with one line each (exit 2)', async () => {
    const historyDir = join(emu.dir, 'other-history');
    const empty = await vn('apply', '--rollback', '--yes', '--history-dir', historyDir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/has no entry to roll back to/);
    const id = await newInstance('别的账号');
    const e: HistoryEntry = {
      version: 1,
      id: newEntryId(new Date()),
      time: new Date().toISOString(),
      profile: 'prod',
      user: 'someone',
      source: 'x.yaml',
      outcome: 'applied',
      writes: 1,
      plan: [],
      before: [{ name: '别的账号', tts: { voice: 'aixia' }, readOnly: { instanceId: id } }],
      after: [],
      created: [],
    };
    await recordEntry(historyDir, e);
    const other = await vn('apply', '--rollback', '--yes', '--history-dir', historyDir);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`was applied on profile prod, not env: roll it back there (-p prod)`);
    const unknown = await vn('apply', '--rollback', '19990101', '--yes', '--history-dir', historyDir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no history entry 19990101');
    const both = await vn('apply', '--history', '-f', 'x.yaml');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--history takes no -f FILE');
  });

  it('applies nothing when the history entry cannot be written (the earlier configuration must be kept first)', async () => {
    await newInstance('无处记录');
    const blocked = join(emu.dir, 'not-a-dir');
    writeFileSync(blocked, 'a file where the history directory should be');
    const file = join(emu.dir, 'blocked.yaml');
    writeFileSync(file, 'name: 无处记录\ntts: {voice: aixia}\n');
    const seq = await lastSeq(emu);
    const r = await vn('apply', '-f', file, '--yes', '--history-dir', blocked);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write the history entry');
    expect(r.stderr).toContain('nothing was applied');
    expect(await writesAfter(emu, seq)).toEqual([]);
  });

  it('records an apply that stopped part-way as `stopped`, with the writes made and the configuration before them', async () => {
    const id = await newInstance('中途停止');
    const before = (await ok('instance', 'export', id)).stdout;
    const proxy = await startCountingProxy(emu.url);
    try {
      // the second write fails: the first was made
      proxy.fault = (action, writesBefore) => (writesBefore === 1 && lookupAction(action)?.readOnly === false ? 'error-500' : undefined);
      const historyDir = join(emu.dir, 'stopped-history');
      const file = join(emu.dir, 'stopped.yaml');
      writeFileSync(file, 'name: 中途停止\ntts: {voice: aixia}\nsilenceTimeout: {threshold: 2}\n');
      const r = await runVn(['apply', '-f', file, '--yes', '--history-dir', historyDir], { env: { ...env, VN_ENDPOINT: proxy.url } });
      expect(r.code, r.stderr).toBe(1);
      const [entry] = (await listEntries(historyDir)).entries;
      expect(entry).toMatchObject({ outcome: 'stopped', writes: 1 });
      expect(exported(JSON.stringify(entry?.before))).toEqual(exported(before));
      expect(entry?.after[0]).toMatchObject({ tts: { voice: 'aixia' }, silenceTimeout: { threshold: 3 } });
    } finally {
      await proxy.close();
    }
  });

  it('keeps the history under the config dir by default, and notes an instance an entry created (a rollback leaves it)', async () => {
    const file = join(emu.dir, 'created.yaml');
    writeFileSync(file, 'name: 新建热线\nconcurrency: 2\n');
    await ok('apply', '-f', file, '--yes');
    const { entries } = await listEntries(join(env.VN_CONFIG_DIR as string, 'history'));
    const entry = entries.at(-1) as HistoryEntry;
    expect(entry.created).toEqual([{ name: '新建热线', instanceId: expect.any(String) }]);
    expect(entry.after[0]).toMatchObject({ name: '新建热线', concurrency: 2 });
    const r = await vn('apply', '--rollback', '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('changed no existing instance');
    expect(r.stderr).toContain('a rollback does not delete it');
  });
});

describe('the history directory', () => {
  it('takes entries from concurrent writers, one file each, and skips (naming) what is not an entry', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const at = new Date('2026-12-05T10:00:00Z');
      const entry = (i: number): HistoryEntry => ({
        version: 1,
        id: newEntryId(at),
        time: at.toISOString(),
        profile: 'p',
        user: 'u',
        source: `f${i}.yaml`,
        outcome: 'applied',
        writes: i,
        plan: [],
        before: [],
        after: [],
        created: [],
      });
      await Promise.all(Array.from({ length: 25 }, (_, i) => recordEntry(dir, entry(i))));
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, '20261205T100000000Z-abcdef.json'), '{"half": ');
      writeFileSync(join(dir, 'README.md'), 'kept in git');
      const { entries, skipped } = await listEntries(dir);
      expect(entries).toHaveLength(25);
      expect(new Set(entries.map((e) => e.source)).size).toBe(25);
      expect(skipped).toEqual(['20261205T100000000Z-abcdef.json']);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
