import { describe, expect, it } from 'vitest';
import { demoChatbot } from '../../src/emulator/chatbots/demo.js';
import type { Chatbot } from '../../src/emulator/chatbots/model.js';
import { defaultNavigationConfig } from '../../src/emulator/defaults.js';
import { contextView, type EngineReply, type EngineState, greet, navigationRules, respond, type UserInput } from '../../src/emulator/engine.js';

const rules = navigationRules(defaultNavigationConfig());
const bot = demoChatbot();

/** Runs the inputs after the greeting and returns every result (greeting first). */
function converse(inputs: (string | UserInput)[], opts: { r?: typeof rules; b?: Chatbot | undefined } = {}): EngineReply[] {
  const r = opts.r ?? rules;
  const b = 'b' in opts ? opts.b : bot;
  const out = [greet(r, b)];
  let state: EngineState = out[0]!.state;
  for (const i of inputs) {
    const res = respond(r, b, state, typeof i === 'string' ? { kind: 'utterance', text: i } : i);
    out.push(res);
    state = res.state;
  }
  return out;
}

const silence: UserInput = { kind: 'silence' };
const dtmf = (digits: string): UserInput => ({ kind: 'digits', digits });

function withConfig(patch: Record<string, Record<string, unknown>>) {
  const cfg = defaultNavigationConfig();
  for (const [k, v] of Object.entries(patch)) cfg[k] = { ...(cfg[k] as object), ...v };
  return navigationRules(cfg);
}

describe('greeting', () => {
  it('speaks GreetingWords as a non-interruptible Broadcast', () => {
    const [g] = converse([]);
    expect(g!.rule).toBe('greeting');
    expect(g!.answer).toEqual({ TextResponse: '您好，欢迎致电智能导航', Action: 'Broadcast', ActionParams: '{}', Interruptible: false });
    expect(g!.ends).toBe(false);
  });

  it("uses the chatbot's answer to IntentTrigger when the trigger matches an intent", () => {
    const r = withConfig({ GreetingConfig: { IntentTrigger: '你好', SourceType: 'chatbotIntent' } });
    const [g] = converse([], { r });
    expect(g!.answer.TextResponse).toContain('我是智能客服');
    expect(g!.answer.Interruptible).toBe(false);
  });

  it('keeps GreetingWords when the trigger matches nothing', () => {
    const r = withConfig({ GreetingConfig: { IntentTrigger: '天气预报', SourceType: 'chatbotIntent' } });
    expect(converse([], { r })[0]!.answer.TextResponse).toBe('您好，欢迎致电智能导航');
  });
});

describe('knowledge', () => {
  it('answers from the chatbot, appends the asking-back prompt, and counts as effective', () => {
    const [, k] = converse(['我想查余额']);
    expect(k!.rule).toBe('knowledge');
    expect(k!.answer.Action).toBe('Broadcast');
    expect(k!.answer.TextResponse).toMatch(/余额/);
    expect(k!.answer.TextResponse.endsWith('请问还有什么可以帮您？')).toBe(true);
    expect(k!.answer.Interruptible).toBe(true);
    expect(k!.effective).toBe(true);
    expect(k!.state.askedBack).toBe(true);
    expect(k!.state.lastIntent).toBe('余额查询');
  });

  it('does not ask back when AskingBackConfig is disabled', () => {
    const r = withConfig({ AskingBackConfig: { Enabled: false } });
    const [, k] = converse(['营业时间'], { r });
    expect(k!.answer.TextResponse).not.toContain('请问还有什么可以帮您');
    expect(k!.state.askedBack).toBe(false);
  });

  it('an intent with a transfer ends the call, is not interruptible, and is not asked back', () => {
    const [, k] = converse(['我想贷款']);
    expect(k!.answer).toEqual({
      TextResponse: '好的，正在为您转接贷款专员，请稍候。',
      Action: 'TransferToAgent',
      ActionParams: '{"skillGroupId":"loanSkillGroup"}',
      Interruptible: false,
    });
    expect(k!.ends).toBe(true);
    expect(k!.effective).toBe(true);
  });

  it('without a chatbot every utterance is unrecognized', () => {
    expect(converse(['我想查余额'], { b: undefined })[1]!.rule).toBe('unrecognized');
  });
});

describe('unrecognized', () => {
  it('prompts until the Threshold-th consecutive one, then the final prompt and action', () => {
    const res = converse(['今天天气怎么样', '我想办信用卡', '你们银行在哪里']);
    expect(res.slice(1).map((r) => r.rule)).toEqual(['unrecognized', 'unrecognized', 'unrecognized-final']);
    expect(res[1]!.answer).toEqual({ TextResponse: '抱歉，我无法理解您的意思', Action: 'Broadcast', ActionParams: '{}', Interruptible: true });
    expect(res[2]!.state.unrecognizedCount).toBe(2);
    expect(res[3]!.answer).toEqual({
      TextResponse: '抱歉，我暂时无法处理您的问题，即将为您转接人工',
      Action: 'TransferToAgent',
      ActionParams: '{"skillGroupId":"fallbackSkillGroup"}',
      Interruptible: false,
    });
    expect(res[3]!.ends).toBe(true);
  });

  it('counts consecutively: a recognised turn resets the count', () => {
    const res = converse(['今天天气怎么样', '我想办信用卡', '营业时间', '今天天气怎么样', '我想办信用卡']);
    expect(res.slice(1).map((r) => r.rule)).toEqual(['unrecognized', 'unrecognized', 'knowledge', 'unrecognized', 'unrecognized']);
  });

  it('honours a changed Threshold (stored as a string) and a final action that does not end the call', () => {
    const r = withConfig({ UnrecognizingConfig: { Threshold: '1', FinalAction: 'Broadcast', FinalActionParams: '' } });
    const res = converse(['今天天气怎么样', '我想办信用卡'], { r });
    expect(res.slice(1).map((x) => x.rule)).toEqual(['unrecognized-final', 'unrecognized-final']);
    expect(res[1]!.ends).toBe(false);
    expect(res[1]!.answer.ActionParams).toBe('{}');
  });
});

describe('repeat', () => {
  it('replays exactly the previous bot response', () => {
    const res = converse(['我想查余额', '再说一遍', '没听清楚']);
    expect(res[2]!.rule).toBe('repeat');
    expect(res[2]!.answer).toEqual(res[1]!.answer);
    expect(res[3]!.answer).toEqual(res[1]!.answer);
    expect(res[2]!.effective).toBe(false);
  });

  it('repeats the greeting when it is the last thing said', () => {
    const res = converse(['再说一遍']);
    expect(res[1]!.answer).toEqual(res[0]!.answer);
  });

  it('resets the unrecognized count', () => {
    const res = converse(['今天天气怎么样', '我想办信用卡', '再说一遍', '今天天气怎么样']);
    expect(res[4]!.rule).toBe('unrecognized');
  });
});

describe('negative feedback', () => {
  it('right after the asking-back prompt: the negative-feedback prompt and action', () => {
    const res = converse(['我想查余额', '没有了，谢谢']);
    expect(res[2]!.rule).toBe('negative-feedback');
    expect(res[2]!.answer).toEqual({
      TextResponse: '感谢您的来电。请您稍后为我的服务做出评价。',
      Action: 'TransferToIVR',
      ActionParams: '{"route":"satisfaction"}',
      Interruptible: false,
    });
    expect(res[2]!.ends).toBe(true);
  });

  it('still applies after a repeat of the asked-back answer', () => {
    expect(converse(['我想查余额', '再说一遍', '不需要了'])[3]!.rule).toBe('negative-feedback');
  });

  it('is not negative feedback when no asking-back prompt came just before', () => {
    expect(converse(['没有了'])[1]!.rule).toBe('unrecognized');
    expect(converse(['我想查余额', '今天天气怎么样', '没有了'])[3]!.rule).toBe('unrecognized');
  });

  it('matches by prefix only: the phrase inside a longer request is not a refusal', () => {
    expect(converse(['我想查余额', '我的卡没有了'])[2]!.rule).not.toBe('negative-feedback');
  });

  it('is off when EnableNegativeFeedback is false', () => {
    const r = withConfig({ AskingBackConfig: { EnableNegativeFeedback: false } });
    expect(converse(['我想查余额', '没有了'], { r })[2]!.rule).toBe('unrecognized');
  });
});

describe('complaining', () => {
  it('wins over everything else, matched by containment', () => {
    const res = converse(['我要投诉你们的余额查询']);
    expect(res[1]!.rule).toBe('complaining');
    expect(res[1]!.answer).toEqual({
      TextResponse: '好的，即将为您转接人工处理',
      Action: 'TransferToAgent',
      ActionParams: '{"skillGroupId":"fallbackSkillGroup"}',
      Interruptible: false,
    });
    expect(res[1]!.ends).toBe(true);
  });

  it("reads the seed sample's Action/ActionParams spelling too", () => {
    const cfg = defaultNavigationConfig();
    cfg.ComplainingConfig = { Utterances: ['投诉'], Prompt: '转接中', Action: 'TransferToIVR', ActionParams: '{"ivr":"complaints"}' };
    const res = converse(['投诉'], { r: navigationRules(cfg) });
    expect(res[1]!.answer.Action).toBe('TransferToIVR');
    expect(res[1]!.answer.ActionParams).toBe('{"ivr":"complaints"}');
  });

  it('uses phrases stored as a JSON string', () => {
    const r = withConfig({ ComplainingConfig: { Utterances: '["找经理"]' } });
    expect(converse(['我要找经理'], { r })[1]!.rule).toBe('complaining');
    expect(converse(['我要投诉'], { r })[1]!.rule).not.toBe('complaining');
  });
});

describe('DTMF', () => {
  it('routes digits through the menu', () => {
    const res = converse([dtmf('1')]);
    expect(res[1]!.rule).toBe('dtmf');
    expect(res[1]!.answer.TextResponse.startsWith('您选择了')).toBe(true);
    expect(res[1]!.answer.Interruptible).toBe(true);
    expect(res[1]!.effective).toBe(true);
  });

  it('a menu entry may transfer', () => {
    const res = converse([dtmf('0')]);
    expect(res[1]!.answer.Action).toBe('TransferToAgent');
    expect(res[1]!.ends).toBe(true);
  });

  it('echoes digits no entry matches, as the seed sample does', () => {
    const res = converse([dtmf('123')]);
    expect(res[1]!.rule).toBe('dtmf-echo');
    expect(res[1]!.answer).toEqual({ TextResponse: '收号内容是123', Action: 'Broadcast', ActionParams: '{}', Interruptible: false });
    expect(res[1]!.effective).toBe(false);
  });
});

describe('silence', () => {
  it('prompts until the threshold, then the final prompt and HangUp', () => {
    const res = converse([silence, silence, silence]);
    expect(res.slice(1).map((r) => r.rule)).toEqual(['silence', 'silence', 'silence-final']);
    expect(res[1]!.answer).toEqual({ TextResponse: '抱歉，我没听到您说话', Action: 'Broadcast', ActionParams: '{}', Interruptible: true });
    expect(res[3]!.answer).toEqual({ TextResponse: '抱歉，听不到您说话，请您稍后致电', Action: 'HangUp', ActionParams: '{}', Interruptible: false });
    expect(res[3]!.ends).toBe(true);
  });

  it('counts consecutively: any caller input resets it', () => {
    const res = converse([silence, silence, '营业时间', silence, silence]);
    expect(res.slice(1).map((r) => r.rule)).toEqual(['silence', 'silence', 'knowledge', 'silence', 'silence']);
    expect(converse([silence, silence, dtmf('9'), silence])[4]!.rule).toBe('silence');
  });

  it('does not touch the unrecognized count', () => {
    const res = converse(['今天天气怎么样', '我想办信用卡', silence, '你们银行在哪里']);
    expect(res[4]!.rule).toBe('unrecognized-final');
  });

  it("uses the chatbot's answer to the silence IntentTrigger as the prompt", () => {
    const r = withConfig({ SilenceTimeoutConfig: { IntentTrigger: '你好', SourceType: 'chatbotIntent' } });
    expect(converse([silence], { r })[1]!.answer.TextResponse).toContain('我是智能客服');
  });
});

describe('order of the rules', () => {
  it('complaining before repeating; repeating before knowledge', () => {
    const r = withConfig({ RepeatingConfig: { Utterances: ['余额'] } });
    const res = converse(['我想查余额'], { r });
    expect(res[1]!.rule).toBe('repeat');
    expect(converse(['再说一遍，我要投诉'])[1]!.rule).toBe('complaining');
  });
});

describe('context', () => {
  it('keeps the initial context and adds what the engine tracks', () => {
    const g = greet(rules, bot, { vip: true });
    const k = respond(rules, bot, g.state, { kind: 'utterance', text: '我想查余额' });
    expect(contextView(k.state)).toEqual({
      vip: true,
      lastIntent: '余额查询',
      lastRule: 'knowledge',
      lastAction: 'Broadcast',
      unrecognizedCount: 0,
      silenceCount: 0,
    });
  });
});
