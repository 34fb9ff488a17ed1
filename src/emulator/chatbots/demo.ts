import { type Chatbot, DEFAULT_MATCH_THRESHOLD } from './model.js';

export const DEMO_CHATBOT_ID = 'chatbot-demo-bank';

/** A Chinese-language bank hotline: balance, card loss, opening hours, a loan transfer, a DTMF menu. */
export function demoChatbot(): Chatbot {
  return {
    id: DEMO_CHATBOT_ID,
    name: '银行客服演示机器人',
    introduction: '演示用银行热线：余额查询、银行卡挂失、网点营业时间、贷款咨询，按键菜单 1 余额 2 挂失 3 营业时间 0 人工。',
    languageCode: 'zh-cn',
    timeZone: 'Asia/Shanghai',
    avatar: '',
    // fixed, so listings are stable from run to run
    createTime: Date.UTC(2020, 0, 1),
    threshold: DEFAULT_MATCH_THRESHOLD,
    intents: [
      {
        name: '余额查询',
        examples: ['查余额', '查询余额', '我想查余额', '我想查一下余额', '账户余额', '余额是多少', '卡里还有多少钱', '帮我查下账户'],
        answer: '您可以登录手机银行，在首页“我的账户”中查看账户余额；也可以在按键菜单中按1，输入卡号和密码查询余额。',
        action: 'Broadcast',
        params: '{}',
      },
      {
        name: '银行卡挂失',
        examples: ['挂失', '银行卡挂失', '我要挂失', '卡丢了', '我的卡丢了', '银行卡丢了', '卡被偷了', '补办银行卡'],
        answer: '为了您的资金安全，请尽快挂失：在手机银行“卡片管理”中选择“挂失”即可立即生效，之后携带身份证到任一网点补办新卡。',
        action: 'Broadcast',
        params: '{}',
      },
      {
        name: '营业时间',
        examples: ['营业时间', '网点营业时间', '你们几点开门', '几点下班', '周末营业吗', '银行几点关门'],
        answer: '我行网点营业时间为周一至周五9:00至17:00，部分网点周六、周日9:00至16:00营业，具体以网点公告为准。',
        action: 'Broadcast',
        params: '{}',
      },
      {
        name: '贷款咨询',
        examples: ['贷款', '我想贷款', '办理房贷', '贷款利率是多少', '申请消费贷'],
        answer: '好的，正在为您转接贷款专员，请稍候。',
        action: 'TransferToAgent',
        params: '{"skillGroupId":"loanSkillGroup"}',
      },
      {
        name: '问候',
        examples: ['你好', '您好', '喂'],
        answer: '您好，我是智能客服，可以为您查询余额、办理挂失、查询营业时间。',
        action: 'Broadcast',
        params: '{}',
      },
    ],
    dtmf: [
      { digits: '1', answer: '您选择了余额查询，请输入您的银行卡号，以井号键结束。', action: 'Broadcast', params: '{}' },
      { digits: '2', answer: '您选择了挂失服务，正在为您转接挂失专席。', action: 'TransferToAgent', params: '{"skillGroupId":"cardLossSkillGroup"}' },
      { digits: '3', answer: '您选择了营业时间查询。我行网点营业时间为周一至周五9:00至17:00。', action: 'Broadcast', params: '{}' },
      { digits: '0', answer: '您选择了人工服务，正在为您转接。', action: 'TransferToAgent', params: '{"skillGroupId":"fallbackSkillGroup"}' },
    ],
  };
}
