import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase } from '../../src/emulator/store/database.js';
import { tempDir } from '../helpers/run.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});

describe('openDatabase', () => {
  it('hands back a cached statement with its result mode reset', async () => {
    const db = await openDatabase(':memory:');
    db.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run();
    const sql = 'SELECT key, value FROM meta WHERE key = ?';
    expect(db.prepare(sql).pluck().get('k')).toBe('k');
    expect(db.prepare(sql)).toBe(db.prepare(sql));
    expect(db.prepare(sql).get('k')).toEqual({ key: 'k', value: 'v' });
    expect(db.prepare(sql).raw().get('k')).toEqual(['k', 'v']);
    expect(db.prepare(sql).get('k')).toEqual({ key: 'k', value: 'v' });
    db.close();
  });

  it('opens a file in WAL mode at the latest schema version, twice without migrating again', async () => {
    const { dir, cleanup } = tempDir('vn-db-');
    cleanups.push(cleanup);
    const file = join(dir, 'state.db');
    const first = await openDatabase(file);
    first.prepare("INSERT INTO meta (key, value) VALUES ('kept', '1')").run();
    const second = await openDatabase(file);
    expect(second.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(second.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]?.version);
    expect(second.prepare("SELECT value FROM meta WHERE key = 'kept'").get()).toEqual({ value: '1' });
    first.close();
    second.close();
  });
});
