import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { JsonReporter } from '../../src/dialogue/suite/reporters/json.js';
import { esc } from '../../src/dialogue/suite/reporters/junit.js';
import { PrettyReporter } from '../../src/dialogue/suite/reporters/pretty.js';
import { ProgressReporter } from '../../src/dialogue/suite/reporters/progress.js';
import type { ConversationResult, Summary } from '../../src/dialogue/suite/runner.js';
import { IOStreams } from '../../src/output/iostreams.js';
import { tempDir } from '../helpers/run.js';

function result(name: string, outcome: ConversationResult['outcome'] = 'passed', run = 1): ConversationResult {
  return {
    file: 'a.test.yaml',
    name,
    run,
    conversationId: `id-${name}`,
    outcome,
    durationMs: 12,
    turns: 3,
    transcript: [],
    failures:
      outcome === 'failed'
        ? [
            {
              line: 12,
              sent: 'say 我要投诉',
              answer: { TextResponse: '好的', Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"g1"}' },
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
  flaky: 0,
  failed: 1,
  errored: 0,
  timedOut: 1,
  updated: 0,
  flakyConversations: [],
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
    const term = IOStreams.test();
    let now = 0;
    const p = new ProgressReporter(term.io.sink('stderr'), false, () => now);
    p.start({ conversations: 3 });
    now = 1500;
    p.conversation(result('a'));
    now = 1600;
    p.conversation(result('b', 'failed'));
    now = 1700;
    p.conversation(result('c'));
    expect(term.stderr()).toBe('[1/3] 1 passed, 0 not passed\n[3/3] 2 passed, 1 not passed\n');
  });

  it('junit escaping keeps the XML well-formed', () => {
    expect(esc('a<b>&"c"\n\u0001')).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#10;');
    expect(esc('a<b>\n', false)).toBe('a&lt;b&gt;\n');
  });

  it('pretty, --repeat: the first failure of a conversation in full, then one tally line ("failed 300/300 runs")', () => {
    let out = '';
    const r = new PrettyReporter({ write: (s) => (out += s) }, new Chalk({ level: 0 }), { repeat: 300 });
    for (let run = 1; run <= 300; run++) r.conversation(result('wrong', 'failed', run));
    for (let run = 1; run <= 300; run++) r.conversation(result('ok', 'passed', run));
    r.end({ ...summary, conversations: 600, passed: 300, failed: 300, timedOut: 0 });
    expect(out.match(/✗ failed wrong/g)).toHaveLength(1);
    expect(out.match(/expected params including/g)).toHaveLength(1);
    expect(out).toContain('✗ wrong (a.test.yaml): failed 300/300 runs');
    expect(out).not.toMatch(/✗ ok/);
    expect(out.split('\n').length).toBeLessThan(20);
  });

  it('pretty: a latency miss states the value the check used, never "within 2 ms … got 2 ms"', () => {
    let out = '';
    const r = new PrettyReporter({ write: (s) => (out += s) }, new Chalk({ level: 0 }), { repeat: 1 });
    const slow = result('slow', 'failed');
    (slow.failures[0] as (typeof slow.failures)[0]).mismatches = [{ key: 'maxLatencyMs', expected: 2, actual: 2.4 }];
    r.conversation(slow);
    expect(out).toMatch(/expected an answer within 2 ms\n\s+got 2\.4 ms/);
  });

  it('pretty: a conversation that passed on a retry is flaky, with the attempt that failed', () => {
    let out = '';
    const r = new PrettyReporter({ write: (s) => (out += s) }, new Chalk({ level: 0 }), { repeat: 1 });
    const failed = result('sometimes', 'failed');
    r.conversation({ ...result('sometimes', 'flaky'), retries: [{ ...failed, transcript: [] }] });
    r.end({ ...summary, passed: 0, flaky: 1, failed: 0, timedOut: 0 });
    expect(out).toContain('⚠ flaky sometimes (a.test.yaml) passed on attempt 2 of 2');
    expect(out).toMatch(/attempt 1: failed: line 12 say 我要投诉: params did not match/);
    expect(out).toContain('Conversations: 0 passed, 1 flaky, 0 failed');
  });

  it('progress on a terminal: drawn after every erase, so it stays visible (not 51 draws for 2,052 erases)', () => {
    const term = IOStreams.test({ tty: { stderr: true } });
    const err = () => term.stderr();
    let now = 0;
    const p = new ProgressReporter(term.io.sink('stderr'), true, () => now);
    p.start({ conversations: 2000 });
    for (let i = 0; i < 2000; i++) {
      now += 1;
      // another reporter writes a line for every third result: the line is erased first
      if (i % 3 === 0) p.clear();
      p.conversation(result(`c${i}`));
    }
    const ERASE = '\r\x1b[K';
    const draws = err().split(`${ERASE}[`).length - 1;
    const erases = err().split(ERASE).length - 1 - draws;
    expect(erases).toBeGreaterThan(600);
    // every erase is followed by a draw: the line is on screen whenever nothing else is printed
    expect(draws).toBeGreaterThanOrEqual(erases);
    expect(err().endsWith('[2000/2000] 2000 passed, 0 not passed')).toBe(true);
    p.end();
    expect(err().endsWith('\r\x1b[K')).toBe(true);
  });

  it('json: durations and latency without float noise; flaky as data', async () => {
    const { SummaryBuilder } = await import('../../src/dialogue/suite/summary.js');
    const b = new SummaryBuilder();
    const t = (latencyMs: number) => ({ line: 1, kind: 'say' as const, input: 'x', answer: {}, latencyMs, ok: true });
    b.add({ ...result('a'), transcript: [t(39.2), t(0.3)] });
    b.add({ ...result('b', 'flaky'), transcript: [t(1.1)], retries: [{ ...result('b', 'failed'), transcript: [t(2.2)] }] });
    const s = b.build({ skipped: 0, durationMs: 39.18248700000001 });
    expect(s.durationMs).toBe(39.2);
    expect(s.latency.mean).toBe(10.7);
    expect(s.turns).toBe(4);
    expect(s.flakyConversations).toEqual([{ file: 'a.test.yaml', name: 'b', runs: 1, passed: 0, flaky: 1, failed: 0 }]);
    expect(JSON.stringify(s)).not.toMatch(/\d\.\d{5,}/);
  });
});
