/**
 * What a new instance starts with. seed: 10.1 DescribeNavigationConfig (正常返回示例) — the seed's
 * table names (FinalAction/FinalActionParams) are used for ComplainingConfig, not its sample's
 * Action/ActionParams; IntentTrigger/SourceType are filled as the table lists them.
 */
export function defaultNavigationConfig(): Record<string, unknown> {
  return {
    GreetingConfig: { GreetingWords: '您好，欢迎致电智能导航', IntentTrigger: '', SourceType: 'chatbotIntent' },
    UnrecognizingConfig: {
      Prompt: '抱歉，我无法理解您的意思',
      Threshold: 3,
      FinalPrompt: '抱歉，我暂时无法处理您的问题，即将为您转接人工',
      FinalAction: 'TransferToAgent',
      FinalActionParams: '{"skillGroupId":"fallbackSkillGroup"}',
    },
    RepeatingConfig: { Utterances: ['没听清', '再说一遍'] },
    AskingBackConfig: {
      Enabled: true,
      Prompt: '请问还有什么可以帮您？',
      EnableNegativeFeedback: true,
      NegativeFeedbackUtterances: ['没有了', '不需要了', '不用了，谢谢'],
      NegativeFeedbackPrompt: '感谢您的来电。请您稍后为我的服务做出评价。',
      NegativeFeedbackAction: 'TransferToIVR',
      NegativeFeedbackActionParams: '{"route":"satisfaction"}',
    },
    SilenceTimeoutConfig: {
      Prompt: '抱歉，我没听到您说话',
      Timeout: 10,
      Threshold: 3,
      FinalPrompt: '抱歉，听不到您说话，请您稍后致电',
      FinalAction: 'HangUp',
      FinalActionParams: '{}',
      IntentTrigger: '',
      SourceType: 'chatbotIntent',
    },
    ComplainingConfig: {
      Utterances: ['投诉', '转人工', '有没有人工'],
      Prompt: '好的，即将为您转接人工处理',
      FinalAction: 'TransferToAgent',
      FinalActionParams: '{"skillGroupId":"fallbackSkillGroup"}',
    },
  };
}

/** seed: 9.2 DescribeTTSConfig — Voice xiaoyun, SpeechRate -150, Volume 50 (the SDK's extra fields empty). */
export function defaultTtsConfig(): Record<string, unknown> {
  return {
    Voice: 'xiaoyun',
    SpeechRate: -150,
    Volume: 50,
    PitchRate: 0,
    Engine: 'ali',
    EngineXunfei: '',
    AliCustomizedVoice: '',
    AppKey: '',
    BackgroundMusicName: '',
    ExtParams: '',
    NlsServiceType: 'Managed',
    TtsOverrides: '',
  };
}

/** The upper limit for Concurrency (InvalidConcurrency.LimitExceeded above it). */
export const MAX_CONCURRENCY = 1000;
