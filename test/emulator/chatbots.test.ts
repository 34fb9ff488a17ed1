import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CHATBOT_ID, demoChatbot } from '../../src/emulator/chatbots/demo.js';
import { chatbotCatalog, loadChatbotFile } from '../../src/emulator/chatbots/load.js';
import { diceSimilarity, matchDtmf, matchIntent, normalize, similarity } from '../../src/emulator/chatbots/match.js';
import { ChatbotFileError } from '../../src/emulator/chatbots/model.js';
import { tempDir } from '../helpers/run.js';

const { dir, cleanup } = tempDir('vn-chatbots-');
afterAll(() => cleanup());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadError(path: string): string {
  try {
    loadChatbotFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ChatbotFileError);
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
}

const GOOD_YAML = `
chatbots:
  - id: chatbot-shop
    name: 网店客服
    introduction: orders and returns
    threshold: 0.6
    createTime: 1600000000000
    intents:
      - name: order status
        examples: [我的订单到哪了, 查物流, Where is my order]
        answer: 您的订单正在配送中。
      - name: refund
        examples: [我要退货, 退款]
        answer: 正在为您转接售后。
        action: TransferToAgent
        params: { skillGroupId: afterSales }
    dtmf:
      - digits: 1
        answer: 您选择了订单查询。
      - digits: "*9#"
        answer: 您选择了退出。
        action: HangUp
        params: '{"reason":"menu"}'
  - id: chatbot-empty
`;

describe('normalisation and similarity', () => {
  it('folds width and case and drops spaces, punctuation and symbols', () => {
    expect(normalize('  Ｈｅｌｌｏ， World！ ')).toBe('helloworld');
    expect(normalize('不用了，谢谢。')).toBe('不用了谢谢');
    expect(normalize('１２３＃')).toBe('123');
  });

  it('scores equal texts 1, contained texts by length, others by bigram Dice', () => {
    expect(similarity('查余额', '查余额')).toBe(1);
    expect(similarity('我想查余额', '查余额')).toBeCloseTo(0.6 + (0.4 * 3) / 5);
    expect(similarity('查余额', '我想查余额')).toBeCloseTo(0.84);
    expect(diceSimilarity('周六营业吗', '周末营业吗')).toBeCloseTo(0.5);
    expect(similarity('周六营业吗', '周末营业吗')).toBeCloseTo(0.5);
    // a single character never counts as contained
    expect(similarity('卡', '银行卡挂失')).toBe(0);
    expect(similarity('', '查余额')).toBe(0);
  });
});

describe('the demo bot', () => {
  const bot = demoChatbot();

  it('knows balance, card loss and opening hours, and has a DTMF menu', () => {
    expect(bot.id).toBe(DEMO_CHATBOT_ID);
    expect(matchIntent(bot, '我想查余额')?.intent.answer).toMatch(/余额|账户/);
    expect(matchIntent(bot, '我的卡丢了')?.intent.name).toBe('银行卡挂失');
    expect(matchIntent(bot, '卡丢了怎么办')?.intent.name).toBe('银行卡挂失');
    expect(matchIntent(bot, '你们几点开门？')?.intent.name).toBe('营业时间');
    expect(matchDtmf(bot, '1')?.answer.startsWith('您选择了')).toBe(true);
    expect(matchDtmf(bot, ' 3 ')?.answer.startsWith('您选择了')).toBe(true);
    expect(matchDtmf(bot, '7')).toBeUndefined();
  });

  it('leaves unrelated utterances and the navigator phrases unmatched', () => {
    for (const u of ['今天天气怎么样', '我想办信用卡', '没有了', '再说一遍', '谢谢', 'hello', '。']) expect(matchIntent(bot, u), u).toBeUndefined();
  });

  it('prefers the longer contained example when several intents are contained', () => {
    expect(matchIntent(bot, '你好我想查余额')?.intent.name).toBe('余额查询');
  });

  it('is deterministic: ties go to the intent listed first', () => {
    const twin = {
      ...bot,
      intents: [
        { ...bot.intents[0]!, name: 'a', examples: ['开户'] },
        { ...bot.intents[0]!, name: 'b', examples: ['开户'] },
      ],
    };
    expect(matchIntent(twin, '开户')?.intent.name).toBe('a');
  });
});

describe('loading --chatbots files', () => {
  it('reads YAML: defaults, number digits, params as a map or JSON string, threshold', () => {
    const catalog = loadChatbotFile(file('good.yaml', GOOD_YAML));
    expect(catalog.bots.map((b) => b.id)).toEqual(['chatbot-shop', 'chatbot-empty']);
    const shop = catalog.bots[0]!;
    expect(shop).toMatchObject({ name: '网店客服', threshold: 0.6, createTime: 1600000000000, languageCode: 'zh-cn', timeZone: 'Asia/Shanghai' });
    expect(shop.intents[0]!.action).toBe('Broadcast');
    expect(shop.intents[1]!.params).toBe('{"skillGroupId":"afterSales"}');
    expect(shop.dtmf.map((d) => d.digits)).toEqual(['1', '*9#']);
    expect(shop.dtmf[1]!.params).toBe('{"reason":"menu"}');
    expect(matchIntent(shop, 'where is my order?')?.intent.name).toBe('order status');
    // threshold 0.6: a weaker match no longer counts
    expect(matchIntent(shop, '查一下物流信息')).toBeUndefined();
    const empty = catalog.bots[1]!;
    expect(empty).toMatchObject({ name: 'chatbot-empty', intents: [], dtmf: [] });
    expect(empty.createTime).toBeGreaterThan(0);
  });

  it('reads JSON, including a bare list of bots', () => {
    const path = file('bots.json', JSON.stringify([{ id: 'b1', intents: [{ name: 'hi', examples: ['hi'], answer: 'hello' }] }]));
    expect(loadChatbotFile(path).bots[0]!.intents[0]!.answer).toBe('hello');
  });

  it('names the file, the line and column, and the path of a bad value', () => {
    const path = file(
      'bad-action.yaml',
      ['chatbots:', '  - id: x', '    intents:', '      - name: a', '        examples: [a1]', '        answer: A', '        action: Dance', ''].join('\n'),
    );
    expect(loadError(path)).toBe(
      `${path}:7:17: chatbots[0].intents[0].action must be one of Broadcast, TransferToAgent, TransferToIVR, RedirectToPage, HangUp`,
    );
  });

  it('reports a missing key at its parent, and unknown keys (typos)', () => {
    const missing = file('missing.yaml', 'chatbots:\n  - id: x\n    intents:\n      - name: a\n        examples: [a1]\n');
    expect(loadError(missing)).toBe(`${missing}:4:9: chatbots[0].intents[0].answer is required (a non-empty string)`);
    const typo = file('typo.yaml', 'chatbots:\n  - id: x\n    intent: []\n');
    expect(loadError(typo)).toMatch(/typo\.yaml:3:5: chatbots\[0\]\.intent is not a known key/);
  });

  it('refuses duplicates, bad digits, empty examples, a bad threshold and bad params', () => {
    expect(loadError(file('dup.yaml', 'chatbots:\n  - id: x\n  - id: x\n'))).toMatch(/dup\.yaml:3:9: chatbots\[1\]\.id repeats the id "x"/);
    expect(loadError(file('digits.yaml', 'chatbots:\n  - id: x\n    dtmf:\n      - digits: "1a"\n        answer: A\n'))).toMatch(
      /digits must be keypad digits/,
    );
    expect(loadError(file('examples.yaml', 'chatbots:\n  - id: x\n    intents:\n      - name: a\n        examples: []\n        answer: A\n'))).toMatch(
      /examples must be a non-empty list/,
    );
    expect(loadError(file('threshold.yaml', 'chatbots:\n  - id: x\n    threshold: 2\n'))).toMatch(/threshold must be a number above 0 and at most 1/);
    expect(loadError(file('params.yaml', 'chatbots:\n  - id: x\n    dtmf:\n      - digits: "1"\n        answer: A\n        params: "[1]"\n'))).toMatch(
      /params must be a map/,
    );
    expect(loadError(file('empty.yaml', 'chatbots: []\n'))).toMatch(/chatbots must be a non-empty list/);
    expect(loadError(file('scalar.yaml', 'hello\n'))).toMatch(/must be a list of chatbots/);
  });

  it('reports every problem, one line each in the file’s order, JSON files with their line and column too', () => {
    const yaml = file(
      'many.yaml',
      ['chatbots:', '  - id: x', '    threshold: 2', '    intents:', '      - name: a', '        examples: []', '        action: Dance', '  - id: x', ''].join(
        '\n',
      ),
    );
    expect(loadError(yaml).split('\n')).toEqual([
      `${yaml}:3:16: chatbots[0].threshold must be a number above 0 and at most 1`,
      `${yaml}:5:9: chatbots[0].intents[0].answer is required (a non-empty string)`,
      `${yaml}:6:19: chatbots[0].intents[0].examples must be a non-empty list of non-empty strings`,
      `${yaml}:7:17: chatbots[0].intents[0].action must be one of Broadcast, TransferToAgent, TransferToIVR, RedirectToPage, HangUp`,
      `${yaml}:8:9: chatbots[1].id repeats the id "x" (ids must be unique)`,
    ]);
    const json = file('many.json', '[\n  {"id": "x", "threshold": 2},\n  {"id": ""}\n]\n');
    expect(loadError(json).split('\n')).toEqual([
      `${json}:2:28: [0].threshold must be a number above 0 and at most 1`,
      `${json}:3:10: [1].id is required (a non-empty string)`,
    ]);
  });

  it('reports YAML and JSON syntax errors and unreadable files with the file name', () => {
    const yaml = file('syntax.yaml', 'chatbots:\n  - id: [unclosed\n');
    expect(loadError(yaml)).toMatch(new RegExp(`^${yaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not valid YAML`));
    const json = file('syntax.json', '{"chatbots": [');
    expect(loadError(json)).toMatch(/syntax\.json: not valid JSON/);
    expect(loadError(join(dir, 'nope.yaml'))).toMatch(/nope\.yaml: cannot read it \(ENOENT\)/);
  });
});

describe('the catalog of one emulator', () => {
  it('is the demo bot without a file, and is loaded once and cached', () => {
    const state = { options: {} };
    const first = chatbotCatalog(state);
    expect(first.bots.map((b) => b.id)).toEqual([DEMO_CHATBOT_ID]);
    expect(chatbotCatalog(state)).toBe(first);
  });

  it("is the file's bots when chatbotsFile is set", () => {
    const state = { options: { chatbotsFile: file('cat.yaml', GOOD_YAML) } };
    expect(chatbotCatalog(state).bots[0]!.id).toBe('chatbot-shop');
  });
});
