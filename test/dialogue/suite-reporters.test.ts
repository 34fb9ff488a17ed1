import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/dialogue/suite/format.js';
import { JsonReporter } from '../../src/dialogue/suite/reporters/json.js';
import { esc } from '../../src/dialogue/suite/reporters/junit.js';
import { PrettyReporter } from '../../src/dialogue/suite/reporters/pretty.js';
import { ProgressReporter } from '../../src/dialogue/suite/reporters/progress.js';
import type { ConversationResult, Summary } from '../../src/dialogue/suite/runner.js';
import { tempDir } from '../helpers/run.js';

const step: Step = { kind: 'say', input: '我要投诉', line: 12, index: 3 };

function result(name: string, outcome: ConversationResult['outcome'] = 'passed'): ConversationResult {
  return {
    file: 'a.test.yaml',
    name,
    run: 1,
    conversationId: `id-${name}`,
    outcome,
    durationMs: 12,
    turns: 3,
    failures:
      outcome === 'failed'
        ? [
            {
              step,
              sent: 'say 我要投诉',
              turn: { TextResponse: '好的', Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"g1"}' },
              latencyMs: 7,
              mismatches: [{ key: 'params', expected: { skillGroupId: 'g2' }, actual: { skillGroupId: 'g1' } }],
            },
          ]
        : [],
    ...(outcome === 'timedOut' ? { error: { message: 'no answer within 100 ms', step: 'say 我要投诉', line: 12 } } : {}),
  };
}

const summary: Summary = {
  conversations: 3,
  passed: 1,
  failed: 1,
  errored: 0,
  timedOut: 1,
  flaky: [],
  skipped: 0,
  turns: 9,
  latency: { count: 9, p50: 4, p95: 12.4, p99: 30, max: 31, mean: 6 },
  turnsPerSecond: 123.45,
  durationMs: 73,
};

describe('reporters', () => {
  it('pretty: failing turns with expected and actual, timeouts apart, then counts and percentiles', () => {
    let out = '';
    const r = new PrettyReporter({ write: (s) => (out += s) }, new Chalk({ level: 0 }), { repeat: 1 });
    r.conversation(result('ok'));
    r.conversation(result('wrong', 'failed'));
    r.conversation(result('slow', 'timedOut'));
    r.end(summary);
    expect(out).toContain('✓ ok (a.test.yaml) 3 turns, 12 ms');
    expect(out).toContain('✗ failed wrong (a.test.yaml)');
    expect(out).toMatch(/line 12 say 我要投诉\n\s+expected params including \{"skillGroupId":"g2"\}\n\s+got \{"skillGroupId":"g1"\}/);
    expect(out).toContain('⏱ timed out slow');
    expect(out).toContain('line 12 say 我要投诉: no answer within 100 ms');
    expect(out).toContain('Conversations: 1 passed, 1 failed, 0 errored, 1 timed out (3 run)');
    expect(out).toContain('Turns: 9 · latency p50 4.0 ms · p95 12 ms · p99 30 ms · max 31 ms · 123.5 turns/s');
  });

  it('json: a valid document even when results arrive concurrently, renamed into place at the end', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'report.json');
      const r = new JsonReporter(undefined, file);
      await r.start();
      await Promise.all(Array.from({ length: 50 }, (_, i) => r.conversation(result(`c${i}`))));
      expect(readdirSync(dir).filter((f) => f === 'report.json')).toEqual([]);
      await r.end(summary);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(doc.conversations).toHaveLength(50);
      expect(doc.conversations.map((c: { name: string }) => c.name)).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
      expect(doc.summary.turns).toBe(9);
      expect(readdirSync(dir)).toEqual(['report.json']);
    } finally {
      cleanup();
    }
  });

  it('progress: one line a second when not a terminal, and the last one always', () => {
    let err = '';
    let now = 0;
    const p = new ProgressReporter({ write: (s) => (err += s) }, false, () => now);
    p.start({ conversations: 3 });
    now = 1500;
    p.conversation(result('a'));
    now = 1600;
    p.conversation(result('b', 'failed'));
    now = 1700;
    p.conversation(result('c'));
    expect(err).toBe('[1/3] 1 passed, 0 not passed\n[3/3] 2 passed, 1 not passed\n');
  });

  it('junit escaping keeps the XML well-formed', () => {
    expect(esc('a<b>&"c"\n\u0001')).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#10;');
  });
});
