import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { signV1 } from '../../src/client/sign-v1.js';
import { type AccessKey, signatureV1 } from '../../src/emulator/auth/index.js';
import { demoChatbot } from '../../src/emulator/chatbots/demo.js';
import { matchIntent, normalize, similarity } from '../../src/emulator/chatbots/match.js';
import type { Chatbot } from '../../src/emulator/chatbots/model.js';
import { MIGRATIONS, openDatabase } from '../../src/emulator/store/database.js';
import { tempDir } from '../helpers/run.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = [
  'a',
  'Z',
  '0',
  '-',
  '_',
  '.',
  '~',
  ' ',
  '!',
  "'",
  '(',
  ')',
  '*',
  '+',
  '/',
  '&',
  '=',
  '%',
  '?',
  '#',
  'é',
  '余',
  '额',
  '查',
  '😀',
  '\u3000',
  '，',
  '。',
];

function text(rand: () => number, max: number): string {
  let s = '';
  const n = Math.floor(rand() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

describe('the emulator verifies V1 signatures exactly as the client signs them', () => {
  it('signatureV1 equals signV1 for parameters with every kind of character, Signature left out', () => {
    const rand = random(7);
    for (let round = 0; round < 300; round++) {
      const key: AccessKey = { id: 'k', secret: text(rand, 12) || 's', policy: 'full' };
      const params: Record<string, string> = { Action: 'DescribeInstance', SignatureNonce: text(rand, 20), Timestamp: '2026-11-25T08:00:00Z' };
      for (let i = 0; i < 6; i++) params[text(rand, 6) || `P${i}`] = text(rand, 30);
      params.Signature = text(rand, 10);
      const method = rand() < 0.5 ? 'GET' : 'post';
      expect(signatureV1(method, params, key), JSON.stringify({ method, params })).toBe(signV1(method, params, key.secret));
    }
  });
});

/** The matcher as it was: every example normalised and compared with similarity() on each call. */
function referenceMatch(bot: Chatbot, utterance: string): { name: string; score: number; example: string } | undefined {
  const u = normalize(utterance);
  if (u === '') return undefined;
  let best: { name: string; score: number; example: string } | undefined;
  for (const intent of bot.intents) {
    for (const example of intent.examples) {
      const score = similarity(u, normalize(example));
      if (score >= bot.threshold && (!best || score > best.score)) best = { name: intent.name, score, example };
    }
  }
  return best;
}

describe('matchIntent with prepared examples', () => {
  const demo = demoChatbot();
  const examples = demo.intents.flatMap((i) => i.examples);

  it('picks the same intent, score and example as comparing each example afresh', () => {
    const rand = random(11);
    const utterances = [...examples, '我想查一下余额吧', '卡丢了怎么办', '周六营业吗', 'hello', '', '。', '余', 'ＡＢＣ１２３'];
    for (let i = 0; i < 400; i++) {
      const a = examples[Math.floor(rand() * examples.length)] ?? '';
      const b = examples[Math.floor(rand() * examples.length)] ?? '';
      utterances.push(a.slice(0, Math.floor(rand() * a.length) + 1) + text(rand, 3) + b.slice(Math.floor(rand() * b.length)));
    }
    for (const u of utterances) {
      const got = matchIntent(demo, u);
      const want = referenceMatch(demo, u);
      expect(got && { name: got.intent.name, score: got.score, example: got.example }, u).toEqual(want);
    }
  });

  it('keeps each bot apart (the prepared examples belong to the bot object)', () => {
    const shop: Chatbot = { ...demo, id: 'shop', intents: [{ name: 'order', examples: ['查物流'], answer: 'A', action: 'Broadcast', params: '{}' }] };
    expect(matchIntent(demo, '查余额')?.intent.name).toBe('余额查询');
    expect(matchIntent(shop, '查物流')?.intent.name).toBe('order');
    expect(matchIntent(shop, '查余额')).toBeUndefined();
  });
});

describe('schema version 2: nonces keyed by the nonce', () => {
  it('carries the nonces of a version 1 file over, and still refuses a fresh one twice', async () => {
    const { dir, cleanup } = tempDir('vn-nonces-');
    try {
      const file = join(dir, 'v1.db');
      const v1 = new Sqlite(file);
      v1.exec(MIGRATIONS[0]?.sql ?? '');
      v1.pragma('user_version = 1');
      v1.prepare('INSERT INTO nonces (nonce, seen_at) VALUES (?, ?)').run('kept', 1234);
      v1.close();
      const db = await openDatabase(file);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]?.version);
      expect(db.prepare('SELECT nonce, seen_at FROM nonces').all()).toEqual([{ nonce: 'kept', seen_at: 1234 }]);
      const table = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'nonces'").pluck().get() as string;
      expect(table).toMatch(/WITHOUT ROWID/);
      expect(() => db.prepare('INSERT INTO nonces (nonce, seen_at) VALUES (?, ?)').run('kept', 5678)).toThrow(/UNIQUE/);
      db.close();
    } finally {
      cleanup();
    }
  });
});

describe('schema version 5: the last turn number kept on the conversation', () => {
  it('fills it from the turns of an earlier file (0 for a conversation without turns)', async () => {
    const { dir, cleanup } = tempDir('vn-lastseq-');
    try {
      const file = join(dir, 'v3.db');
      const v3 = new Sqlite(file);
      for (const m of MIGRATIONS.filter((m) => m.version <= 3)) v3.exec(m.sql);
      v3.pragma('user_version = 3');
      const conv = v3.prepare(
        "INSERT INTO conversations (instance_id, conversation_id, debug, sandbox, calling_number, called_number, begin_time, status, state_json) VALUES (?, ?, 1, 0, '', '', 0, 'active', '{}')",
      );
      conv.run('i-1', 'c-3');
      conv.run('i-1', 'c-none');
      const turn = v3.prepare(
        "INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, create_time) VALUES ('i-1', 'c-3', ?, 'Robot', 'x', 0)",
      );
      for (const seq of [1, 2, 3]) turn.run(seq);
      v3.close();
      const db = await openDatabase(file);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]?.version);
      expect(db.prepare('SELECT conversation_id, last_sequence FROM conversations ORDER BY conversation_id').all()).toEqual([
        { conversation_id: 'c-3', last_sequence: 3 },
        { conversation_id: 'c-none', last_sequence: 0 },
      ]);
      db.close();
    } finally {
      cleanup();
    }
  });
});
