// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the test files' own variable syntax
import { describe, expect, it } from 'vitest';
import { checkTurn, isSubset, MissingVariable, substitute, substituteDeep, withDefaults } from '../../src/dialogue/suite/expectations.js';
import { globRegex } from '../../src/dialogue/suite/files.js';
import { LatencyStats, percentile } from '../../src/dialogue/suite/stats.js';

const balance = { TextResponse: '您的账户余额是100元', Action: 'Broadcast', ActionParams: '{}', Interruptible: true };
const transfer = { TextResponse: '即将为您转接人工', Action: 'TransferToAgent', ActionParams: '{"skillGroupId":"fallbackSkillGroup","extra":{"a":1,"b":2}}' };

const keys = (expect: Parameters<typeof checkTurn>[0], turn = balance, latency = 10, previous?: typeof balance) =>
  checkTurn(expect, turn, latency, previous).mismatches.map((m) => m.key);

describe('expectations', () => {
  it('text is a substring, a list any of them', () => {
    expect(keys({ text: '余额' })).toEqual([]);
    expect(keys({ text: ['不存在', '账户'] })).toEqual([]);
    expect(keys({ text: ['不存在', '也没有'] })).toEqual(['text']);
  });

  it('textMatches, notText, action, interruptible', () => {
    expect(keys({ textMatches: '^您的.*元$' })).toEqual([]);
    expect(keys({ textMatches: '^余额' })).toEqual(['textMatches']);
    expect(keys({ notText: '转人工' })).toEqual([]);
    expect(keys({ notText: ['转人工', '余额'] })).toEqual(['notText']);
    expect(keys({ action: 'Broadcast', interruptible: true })).toEqual([]);
    expect(keys({ action: 'HangUp', interruptible: false })).toEqual(['action', 'interruptible']);
  });

  it('params is a deep subset of the parsed ActionParams', () => {
    expect(keys({ params: { skillGroupId: 'fallbackSkillGroup' } }, transfer as typeof balance)).toEqual([]);
    expect(keys({ params: { extra: { a: 1 } } }, transfer as typeof balance)).toEqual([]);
    expect(keys({ params: { skillGroupId: 'other' } }, transfer as typeof balance)).toEqual(['params']);
    expect(keys({ params: { skillGroupId: 'x' } })).toEqual(['params']);
    expect(isSubset({ a: [1, 2] }, { a: [1, 2], b: 3 })).toBe(true);
    expect(isSubset({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(isSubset({ id: 12 }, { id: '12' })).toBe(true);
  });

  it('sameAsPrevious compares text, action and params', () => {
    expect(keys({ sameAsPrevious: true }, balance, 1, { ...balance })).toEqual([]);
    expect(keys({ sameAsPrevious: true }, balance, 1, { ...balance, TextResponse: 'x' })).toEqual(['sameAsPrevious']);
    expect(keys({ sameAsPrevious: true }, balance, 1, undefined)).toEqual(['sameAsPrevious']);
    expect(keys({ sameAsPrevious: false }, balance, 1, { ...balance, Action: 'HangUp' })).toEqual([]);
  });

  it('maxLatencyMs, and file defaults that a turn overrides', () => {
    expect(keys({ maxLatencyMs: 50 }, balance, 51)).toEqual(['maxLatencyMs']);
    expect(keys(withDefaults({ maxLatencyMs: 50 }, { maxLatencyMs: 100 }), balance, 51)).toEqual([]);
    expect(withDefaults({ notText: 'x' }, undefined)).toEqual({ notText: 'x' });
  });

  it('save captures one group, and a save that does not match is a mismatch', () => {
    const r = checkTurn({ save: { amount: '余额是(\\d+)元' } }, balance, 1, undefined);
    expect(r.captures).toEqual({ amount: '100' });
    expect(checkTurn({ save: { amount: '欠款(\\d+)' } }, balance, 1, undefined).mismatches.map((m) => m.key)).toEqual(['save']);
  });

  it('substitutes ${NAME} in text and nested context', () => {
    expect(substitute('卡号${card}#', { card: '6222' })).toBe('卡号6222#');
    expect(substituteDeep({ a: ['${x}'], b: { c: 'y${x}' }, n: 1 }, { x: '1' })).toEqual({ a: ['1'], b: { c: 'y1' }, n: 1 });
    expect(() => substitute('${missing}', {})).toThrow(MissingVariable);
  });
});

describe('latency percentiles', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('keeps samples beyond the first buffer and summarises them', () => {
    const s = new LatencyStats();
    for (let i = 3000; i >= 1; i--) s.add(i);
    const sum = s.summary();
    expect(sum.count).toBe(3000);
    expect(sum.p50).toBe(1500);
    expect(sum.p99).toBe(2970);
    expect(sum.max).toBe(3000);
    expect(sum.mean).toBeCloseTo(1500.5);
  });
});

describe('test path globs', () => {
  it('matches *, ** and ?', () => {
    expect(globRegex('*.test.yaml').test('a.test.yaml')).toBe(true);
    expect(globRegex('*.test.yaml').test('d/a.test.yaml')).toBe(false);
    expect(globRegex('**/*.yaml').test('a.yaml')).toBe(true);
    expect(globRegex('**/*.yaml').test('x/y/a.yaml')).toBe(true);
    expect(globRegex('t?.yml').test('t1.yml')).toBe(true);
  });
});
