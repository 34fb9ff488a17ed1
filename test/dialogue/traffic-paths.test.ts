import { describe, expect, it } from 'vitest';
import type { RecordedStep } from '../../src/dialogue/suite/from-conversation.js';
import { DEFAULT_SCRUB_DIGITS, groupByPath, pathOf, Scrubber } from '../../src/dialogue/suite/traffic-paths.js';
import { runVn } from '../helpers/run.js';

const turn = (TextResponse: string, Action = 'Broadcast', ActionParams = '{}') => ({ TextResponse, Action, ActionParams });

describe('Scrubber', () => {
  const s = new Scrubber(DEFAULT_SCRUB_DIGITS, ['13912345678', '021-5555']);

  it('makes every digit of a string of more than N digits 0, keeping its length and separators', () => {
    expect(DEFAULT_SCRUB_DIGITS).toBe(4);
    expect(s.text('卡号6222020200001234，验证码 12345，按 1234 号键')).toBe('卡号0000000000000000，验证码 00000，按 1234 号键');
    // one number, however it is written: hyphens or single spaces between groups, full-width digits
    expect(s.text('回电 138-1234-5678 或 138 1234 5678')).toBe('回电 000-0000-0000 或 000 0000 0000');
    expect(s.text('我的卡号是６２２２０２０２')).toBe('我的卡号是００００００００'.replace(/０/g, '0'));
    expect(s.text('2024 年 3 月')).toBe('2024 年 3 月');
  });

  it('replaces a calling number wherever it appears, whatever the threshold', () => {
    const loose = new Scrubber(30, ['13912345678']);
    expect(loose.text('我的号码是13912345678')).toBe('我的号码是00000000000');
    expect(loose.text('卡号6222020200001234')).toBe('卡号6222020200001234');
    expect(s.text('总机 021-5555')).toBe('总机 000-0000');
  });

  it('is idempotent, so a test written from traffic scrubs to the same path as its traffic', () => {
    const once = s.text('我的手机号是13912345678，卡 6222 0202 0000 1234');
    expect(s.text(once)).toBe(once);
  });

  it('turns a bot text that held personal data into a pattern that matches it and its placeholder echo', () => {
    expect(s.pattern('您好，请问有什么可以帮您？')).toBeUndefined();
    const p = s.pattern('您的余额(元)是 123456.78，卡号 6222020200001234') as string;
    const re = new RegExp(p);
    expect(re.test('您的余额(元)是 123456.78，卡号 6222020200001234')).toBe(true);
    expect(re.test('您的余额(元)是 000000.78，卡号 0000000000000000')).toBe(true);
    expect(re.test('您的余额(元)是 ，卡号 0000000000000000')).toBe(false);
  });

  it('scrubs JSON values deeply', () => {
    expect(s.deep({ callback: '13912345678', n: 13912345678, keep: 12, list: ['6222020200001234'] })).toEqual({
      callback: '00000000000',
      n: '00000000000',
      keep: 12,
      list: ['0000000000000000'],
    });
  });
});

describe('paths', () => {
  const s = new Scrubber(4, ['13900000001', '13900000002']);
  const greeting: RecordedStep = { kind: 'begin', turn: turn('您好') };

  it('a path is the turns’ kinds, scrubbed inputs and actions: the bot’s wording is not part of it', () => {
    const a = pathOf([greeting, { kind: 'say', input: '我想查余额', turn: turn('余额是100元') }], s);
    const b = pathOf(
      [
        { ...greeting, turn: turn('您好！') },
        { kind: 'say', input: ' 我想查余额 ', turn: turn('您的余额是 200 元') },
      ],
      s,
    );
    expect(a).toEqual(b);
    expect(a.id).toMatch(/^[0-9a-f]{8}$/);
    expect(a.label).toBe('greeting → Broadcast · say "我想查余额" → Broadcast');
    const transfer = pathOf([greeting, { kind: 'say', input: '我想查余额', turn: turn('转接', 'TransferToAgent', '{"skillGroupId":"g1"}') }], s);
    expect(transfer.id).not.toBe(a.id);
    expect(transfer.label).toContain('TransferToAgent {"skillGroupId":"g1"}');
    // a caller's text is foreign: control and bidi characters are escapes in the label (it goes into files' comments)
    const spoof = pathOf([greeting, { kind: 'say', input: 'a\u202eb\u0085c\nd', turn: turn('x', 'Trans\nfer') }], s).label;
    expect(spoof).toBe('greeting → Broadcast · say "a\\u202eb\\u0085c d" → "Trans\\nfer"');
    // two callers' card numbers of one length are one path; another length is another
    const card = (n: string) => pathOf([greeting, { kind: 'dtmf', input: n, turn: turn(`收号内容是${n}`) }], s).id;
    expect(card('6222020200001234')).toBe(card('6222020299998888'));
    expect(card('6222020200001234')).not.toBe(card('622202020000123'));
  });

  it('groups conversations by path, most taken first; a test expects only what every member’s answers agree on', () => {
    const convo = (id: string, phone: string, balance: string, params: string): { id: string; callingNumber: string; steps: RecordedStep[] } => ({
      id,
      callingNumber: phone,
      steps: [
        greeting,
        { kind: 'say', input: `我的号码是${phone}`, turn: turn(`您的余额是${balance}元`) },
        { kind: 'say', input: '转人工', turn: turn('正在转接', 'TransferToAgent', params) },
      ],
    });
    const groups = groupByPath(
      [
        { id: 'x', callingNumber: '13900000009', steps: [greeting] },
        convo('a', '13900000001', '100', '{"skillGroupId":"g1","callback":"13900000001"}'),
        convo('b', '13900000002', '250', '{"skillGroupId":"g1","callback":"13900000002"}'),
      ],
      s,
    );
    expect(groups.map((g) => [g.count, g.conversationIds])).toEqual([
      [2, ['a', 'b']],
      [1, ['x']],
    ]);
    const [g] = groups;
    expect(g?.steps[1]?.input).toBe('我的号码是00000000000');
    expect(g?.expectations).toEqual([
      { text: '您好', action: 'Broadcast' },
      // the balances differ (100, 250): no text is expected, the action still is
      { action: 'Broadcast' },
      // the callback number is personal: left out of params; the skill group stays
      { text: '正在转接', action: 'TransferToAgent', params: { skillGroupId: 'g1' } },
    ]);
  });
});

describe('flags', () => {
  const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk', VN_ENDPOINT: 'http://127.0.0.1:9' };
  const I = 'a1111111-0000-4000-8000-000000000001';
  it.each([
    [['--as-tests', 'd', '--scrub-digits', '0'], '--scrub-digits must be 1 or more'],
    [['--as-tests', 'd', '--limit', '0'], '--limit must be 1 or more'],
    [['--as-tests', ''], '--as-tests DIR must not be empty'],
    [['--limit', '5'], '--limit goes with --as-tests DIR'],
    [['--scrub-digits', '5'], '--scrub-digits goes with --as-tests DIR'],
  ])('stats conversations %j: exit 2 before anything is sent', async (flags, message) => {
    const r = await runVn(['stats', 'conversations', I, ...flags], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
