// Group commit in the emulator: changes that arrive together share one BEGIN IMMEDIATE
// transaction (one savepoint each) and one COMMIT, answered only after it. Concurrent changes over
// keep-alive connections all succeed and persist, one failing change in a batch is answered with
// its own error while the others commit, and another handle on the same file sees every change.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalQuery } from '../../src/client/encode.js';
import { signV1, timestampV1 } from '../../src/client/sign-v1.js';
import { type EmulatorHandle, startEmulator } from '../../src/emulator/http.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const CONNECTIONS = 50;
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function signedForm(action: string, params: Record<string, string>, nonce = randomUUID()): string {
  const all: Record<string, string> = {
    Action: action,
    Format: 'JSON',
    Version: '2018-06-12',
    AccessKeyId: TEST_KEY.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce,
    Timestamp: timestampV1(new Date()),
    ...params,
  };
  all.Signature = signV1('POST', all, TEST_KEY.secret);
  return canonicalQuery(all);
}

function post(url: string, form: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/`,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

/** Opens all keep-alive connections first (with a file URL refused before any database work), so a burst arrives at once. */
async function warmUp(url: string): Promise<void> {
  await Promise.all(
    Array.from(
      { length: CONNECTIONS },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = httpRequest(`${url}/no-such-file`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          });
          req.on('error', reject);
          req.end();
        }),
    ),
  );
}

/**
 * Commits in the WAL so far: frames of the current WAL generation (its salts) whose header carries
 * the database size, which SQLite writes only on a transaction's last frame.
 */
function commitsInWal(dataFile: string): number {
  const wal = readFileSync(`${dataFile}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}

let emu: TestEmulator;
let dataFile: string;
let second: EmulatorHandle;

beforeAll(async () => {
  emu = await startTestEmulator();
  dataFile = join(emu.dir, 'emulator.db');
  await warmUp(emu.url);
});

afterAll(async () => {
  agent.destroy();
  await second?.close();
  await emu?.stop();
});

describe('group commit', () => {
  const created = new Map<string, string>();

  it('commits 50 concurrent CreateInstance calls from one client together, and every one persists', async () => {
    const names = Array.from({ length: CONNECTIONS }, (_, i) => `group-${i}`);
    const commitsBefore = commitsInWal(dataFile);
    const answers = await Promise.all(names.map((Name) => post(emu.url, signedForm('CreateInstance', { Name, Concurrency: '2' }))));
    const commits = commitsInWal(dataFile) - commitsBefore;

    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    const ids = answers.map((a) => a.body.InstanceId as string);
    expect(new Set(ids).size).toBe(CONNECTIONS);
    expect(new Set(answers.map((a) => a.body.RequestId)).size).toBe(CONNECTIONS);
    for (const [i, name] of names.entries()) created.set(name, ids[i] as string);
    // one commit per change would be 50; changes that arrive together share one
    expect(commits).toBeGreaterThanOrEqual(1);
    // batched: far fewer commits than requests (the bound leaves room for a slow machine)
    expect(commits).toBeLessThanOrEqual(25);

    const rows = emu.state.db.prepare("SELECT name, instance_id AS id FROM instances WHERE name LIKE 'group-%'").all() as { name: string; id: string }[];
    expect(new Map(rows.map((r) => [r.name, r.id]))).toEqual(created);
  });

  it('answers the one failing change of a batch with its own error and commits the others', async () => {
    // one name taken before the batch, one taken twice within it, the rest new
    const forms = [
      { name: 'group-7', form: signedForm('CreateInstance', { Name: 'group-7', Concurrency: '2' }) },
      ...Array.from({ length: 20 }, (_, i) => ({ name: `batch-${i}`, form: signedForm('CreateInstance', { Name: `batch-${i}`, Concurrency: '3' }) })),
      { name: 'batch-twice', form: signedForm('CreateInstance', { Name: 'batch-twice', Concurrency: '3' }) },
      { name: 'batch-twice', form: signedForm('CreateInstance', { Name: 'batch-twice', Concurrency: '3' }) },
    ];
    const commitsBefore = commitsInWal(dataFile);
    const answers = await Promise.all(forms.map((f) => post(emu.url, f.form)));
    const commits = commitsInWal(dataFile) - commitsBefore;
    expect(commits).toBeLessThanOrEqual(12);

    const taken = answers[0] as Answer;
    expect(taken.status).toBe(400);
    expect(taken.body.Code).toBe('InvalidInstanceName.Duplicated');
    expect(taken.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    for (const a of answers.slice(1, 21)) expect(a.status, JSON.stringify(a.body)).toBe(200);
    const twice = answers.slice(21).map((a) => a.body.Code ?? 'ok');
    expect(twice.sort()).toEqual(['InvalidInstanceName.Duplicated', 'ok']);
    for (const [i, a] of answers.entries()) {
      if (a.status === 200) created.set(forms[i]?.name as string, a.body.InstanceId as string);
    }

    // the failed change's nonce was used all the same, as when each change had its own transaction
    const replayed = await post(emu.url, forms[0]?.form as string);
    expect(replayed.body.Code).toBe('SignatureNonceUsed');
    const replayedOk = await post(emu.url, forms[1]?.form as string);
    expect(replayedOk.body.Code).toBe('SignatureNonceUsed');
    // the refused name kept its first instance only
    const sevens = emu.state.db.prepare("SELECT count(*) AS n FROM instances WHERE name = 'group-7'").get() as { n: number };
    expect(sevens.n).toBe(1);
  });

  it('shows every committed change to another handle on the same file, and refuses its replays there', async () => {
    second = await startEmulator({ host: '127.0.0.1', port: 0, dataFile, accessKeys: [{ ...TEST_KEY, policy: 'full' }] });
    expect(created.size).toBe(CONNECTIONS + 21);
    const answers = await Promise.all([...created.values()].map((InstanceId) => post(second.url, signedForm('DescribeInstance', { InstanceId }))));
    const seen = new Map(answers.map((a) => [a.body.Name as string, a.body.InstanceId as string]));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(seen).toEqual(created);

    const nonce = randomUUID();
    const first = await post(emu.url, signedForm('CreateInstance', { Name: 'replayed', Concurrency: '1' }, nonce));
    expect(first.status).toBe(200);
    const replay = await post(second.url, signedForm('CreateInstance', { Name: 'replayed-elsewhere', Concurrency: '1' }, nonce));
    expect(replay.body.Code).toBe('SignatureNonceUsed');
  });
});

describe('group commit: a change rolled back to its one savepoint, and answered', () => {
  it('undoes what the change wrote, keeps what `after` writes, and commits the batch’s other changes', async () => {
    const { openDatabase } = await import('../../src/emulator/store/database.js');
    const { groupCommit, RollBackAndAnswer } = await import('../../src/emulator/group-commit.js');
    const { tempDir } = await import('../helpers/run.js');
    const t = tempDir('vn-gc-');
    const db = await openDatabase(join(t.dir, 'gc.db'));
    try {
      const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      const changes = groupCommit<string, string>(db, (input) => {
        put.run(`${input}-written`, 'x');
        if (input === 'undo') {
          throw new RollBackAndAnswer(() => {
            put.run('undo-after', 'x');
            return 'refused';
          });
        }
        if (input === 'throw') throw new Error('broken');
        return 'ok';
      });
      const answers = await Promise.allSettled(['a', 'undo', 'throw', 'b'].map((i) => changes.submit(i)));
      expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual(['ok', 'refused', 'broken', 'ok']);
      const keys = db.prepare('SELECT key FROM meta WHERE key GLOB ? ORDER BY key').pluck().all('[abtu]*');
      expect(keys).toEqual(['a-written', 'b-written', 'undo-after']);
    } finally {
      db.close();
      t.cleanup();
    }
  });
});

describe('group read: the reads of a turn share one read transaction', () => {
  it('runs them on one snapshot (a commit from another handle in between is not seen), and a read that throws fails alone', async () => {
    const { openDatabase } = await import('../../src/emulator/store/database.js');
    const { groupRead } = await import('../../src/emulator/group-commit.js');
    const { tempDir } = await import('../helpers/run.js');
    const t = tempDir('vn-gr-');
    const file = join(t.dir, 'gr.db');
    const db = await openDatabase(file);
    const other = await openDatabase(file);
    try {
      const count = db.prepare("SELECT count(*) FROM meta WHERE key GLOB 'gr-*'").pluck();
      const put = other.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      const reads = groupRead<string, number>(db, (input) => {
        if (input === 'throw') throw new Error('broken');
        expect(db.inTransaction).toBe(true);
        const n = count.get() as number;
        // another process commits between two reads of the batch
        if (input === 'first') put.run('gr-1', 'x');
        return n;
      });
      const answers = await Promise.allSettled(['first', 'throw', 'second'].map((i) => reads.submit(i)));
      expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual([0, 'broken', 0]);
      // the next turn's reads see it
      expect(await reads.submit('third')).toBe(1);
      expect(db.inTransaction).toBe(false);
    } finally {
      other.close();
      db.close();
      t.cleanup();
    }
  });

  it('runs a full batch of 8 at once, before the turn ends, and the rest at the end of the turn', async () => {
    const { openDatabase } = await import('../../src/emulator/store/database.js');
    const { groupRead } = await import('../../src/emulator/group-commit.js');
    const db = await openDatabase(':memory:');
    try {
      const ran: number[] = [];
      const reads = groupRead<number, number>(db, (i) => {
        ran.push(i);
        return i;
      });
      const answers = Array.from({ length: 10 }, (_, i) => reads.submit(i));
      // the first eight ran while they were submitted; the ninth and tenth wait for the end of the turn
      expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(await Promise.all(answers)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      db.close();
    }
  });
});
