import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { ServiceError } from '../../src/errors.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';

/** The emulator's clock: real time plus an offset the expiry tests move. */
let clockOffsetMs = 0;
let emu: TestEmulator;
let client: Client;

beforeAll(async () => {
  emu = await startTestEmulator({ now: () => Date.now() + clockOffsetMs });
  client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
});

afterAll(async () => {
  await emu?.stop();
});

async function call(action: ActionName, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return (await client.call(action, params)).data;
}

async function callError(action: ActionName, params: Record<string, unknown>): Promise<ServiceError> {
  try {
    await client.call(action, params);
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error(`${action} succeeded, but an error was expected`);
}

let instanceCount = 0;
async function newInstance(): Promise<string> {
  const r = await call('CreateInstance', { Name: `cfg-${++instanceCount}-${Date.now()}`, Concurrency: 5 });
  return r.InstanceId as string;
}

interface WavInfo {
  sampleRate: number;
  channels: number;
  bits: number;
  format: number;
  dataSize: number;
  durationMs: number;
}

/** Parses a WAV header by hand (no code shared with the emulator). */
function wavInfo(buf: Buffer): WavInfo {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
  expect(buf.readUInt32LE(4)).toBe(buf.length - 8);
  expect(buf.toString('ascii', 8, 12)).toBe('WAVE');
  expect(buf.toString('ascii', 12, 16)).toBe('fmt ');
  expect(buf.toString('ascii', 36, 40)).toBe('data');
  const sampleRate = buf.readUInt32LE(24);
  const dataSize = buf.readUInt32LE(40);
  expect(dataSize).toBe(buf.length - 44);
  return {
    format: buf.readUInt16LE(20),
    channels: buf.readUInt16LE(22),
    sampleRate,
    bits: buf.readUInt16LE(34),
    dataSize,
    durationMs: (dataSize / 2 / sampleRate) * 1000,
  };
}

async function fetchWav(url: string): Promise<WavInfo> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('audio/wav');
  const info = wavInfo(Buffer.from(await res.arrayBuffer()));
  expect(info).toMatchObject({ format: 1, channels: 1, bits: 16 });
  return info;
}

describe('DescribeTTSConfig / ModifyTTSConfig', () => {
  it('a new instance has the seed example values, numbers as integers', async () => {
    const id = await newInstance();
    const r = await client.call('DescribeTTSConfig', { InstanceId: id });
    expect(r.data).toMatchObject({ Voice: 'xiaoyun', SpeechRate: -150, Volume: 50, PitchRate: 0, Engine: 'ali', NlsServiceType: 'Managed' });
    for (const f of ['AliCustomizedVoice', 'AppKey', 'BackgroundMusicName', 'EngineXunfei', 'ExtParams', 'TtsOverrides']) expect(r.data[f]).toBe('');
    expect(r.raw).toContain('"SpeechRate":-150');
    expect(r.raw).toContain('"Volume":50');
  });

  it('changes only the fields given, taking the numbers as strings', async () => {
    const id = await newInstance();
    await call('ModifyTTSConfig', { InstanceId: id, Voice: 'aixia', Volume: '10' });
    expect(await call('DescribeTTSConfig', { InstanceId: id })).toMatchObject({ Voice: 'aixia', Volume: 10, SpeechRate: -150, PitchRate: 0 });
    await call('ModifyTTSConfig', { InstanceId: id, SpeechRate: '500', PitchRate: '-500', TtsOverrides: '[{"word":"huanqian","pronunciation":"huanqian"}]' });
    const c = await call('DescribeTTSConfig', { InstanceId: id });
    expect(c).toMatchObject({ Voice: 'aixia', Volume: 10, SpeechRate: 500, PitchRate: -500 });
    expect(JSON.parse(c.TtsOverrides as string)).toEqual([{ word: 'huanqian', pronunciation: 'huanqian' }]);
  });

  it.each([
    [{ Voice: 'nobody' }, 'Voice'],
    [{ SpeechRate: '501' }, 'SpeechRate'],
    [{ SpeechRate: '-501' }, 'SpeechRate'],
    [{ SpeechRate: 'fast' }, 'SpeechRate'],
    [{ PitchRate: '1.5' }, 'PitchRate'],
    [{ Volume: '101' }, 'Volume'],
    [{ Volume: '-1' }, 'Volume'],
  ])('refuses %j with InvalidParameter and keeps the config', async (change, param) => {
    const id = await newInstance();
    const err = await callError('ModifyTTSConfig', { InstanceId: id, Voice: 'aijia', ...change });
    expect(err.code).toBe('InvalidParameter');
    expect(err.httpStatus).toBe(400);
    expect(err.message).toContain(param);
    expect(await call('DescribeTTSConfig', { InstanceId: id })).toMatchObject({ Voice: 'xiaoyun', SpeechRate: -150, Volume: 50 });
  });

  it('answers InvalidInstanceId.NotFound for an unknown instance', async () => {
    for (const [action, extra] of [
      ['DescribeTTSConfig', {}],
      ['ModifyTTSConfig', { Voice: 'aixia' }],
      ['AuditTTSVoice', { Text: '你好', Voice: 'aixia', SpeechRate: '0', Volume: '50' }],
    ] as const) {
      const err = await callError(action, { InstanceId: 'no-such-instance', ...extra });
      expect(err.code).toBe('InvalidInstanceId.NotFound');
      expect(err.httpStatus).toBe(404);
    }
  });
});

describe('AuditTTSVoice', () => {
  it('returns a signed URL to a 16 kHz WAV whose length follows the text and the rate', async () => {
    const id = await newInstance();
    const before = Math.floor(Date.now() / 1000);
    const r = await call('AuditTTSVoice', { InstanceId: id, Text: '你好', Voice: 'aixia', SpeechRate: '100', Volume: '10' });
    const url = new URL(r.AuditionUrl as string);
    expect(url.origin).toBe(emu.url);
    expect(url.pathname).toMatch(/^\/audio\/tts\/ttsConfig-\d+-[A-Za-z0-9_-]+\.wav$/);
    // seed: 9.3 — the audition URL expires a minute after it is made
    const expires = Number(url.searchParams.get('Expires'));
    expect(expires - before).toBeGreaterThanOrEqual(59);
    expect(expires - before).toBeLessThanOrEqual(61);
    const wav = await fetchWav(url.href);
    expect(wav.sampleRate).toBe(16000);
    // 2 syllables × 250 ms at rate 100 (×1/0.9 speed) = 450 ms
    expect(wav.durationMs).toBe(450);

    const slow = await call('AuditTTSVoice', { InstanceId: id, Text: '你好，欢迎光临', Voice: 'xiaogang', SpeechRate: '-500', Volume: '50' });
    expect((await fetchWav(slow.AuditionUrl as string)).durationMs).toBe((6 * 250 + 300) * 2);
  });

  it('gives the same audio for the same request', async () => {
    const id = await newInstance();
    const params = { InstanceId: id, Text: '测试', Voice: 'ruoxi', SpeechRate: '0', Volume: '80', PitchRate: '100' };
    const a = await (await fetch((await call('AuditTTSVoice', params)).AuditionUrl as string)).arrayBuffer();
    const b = await (await fetch((await call('AuditTTSVoice', params)).AuditionUrl as string)).arrayBuffer();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it.each([
    [{ Text: '   ' }, 'Text'],
    [{ Text: '好'.repeat(301) }, 'Text'],
    [{ Voice: 'robot' }, 'Voice'],
    [{ SpeechRate: '600' }, 'SpeechRate'],
    [{ Volume: 'loud' }, 'Volume'],
    [{ PitchRate: '-900' }, 'PitchRate'],
  ])('refuses %j with InvalidParameter', async (change, param) => {
    const id = await newInstance();
    const err = await callError('AuditTTSVoice', { InstanceId: id, Text: '你好', Voice: 'aixia', SpeechRate: '0', Volume: '50', ...change });
    expect(err.code).toBe('InvalidParameter');
    expect(err.message).toContain(param);
  });

  it('refuses a tampered URL and an expired one', async () => {
    const id = await newInstance();
    const r = await call('AuditTTSVoice', { InstanceId: id, Text: '你好', Voice: 'aixia', SpeechRate: '0', Volume: '50' });
    const good = new URL(r.AuditionUrl as string);

    const otherText = new URL(good.href);
    otherText.pathname = good.pathname.replace(
      /-([A-Za-z0-9_-]+)\.wav$/,
      `-${Buffer.from(JSON.stringify(['再见', 'aixia', 0, 50, 0])).toString('base64url')}.wav`,
    );
    const tampered = await fetch(otherText.href);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('SignatureDoesNotMatch');

    const badSig = new URL(good.href);
    const sig = good.searchParams.get('Signature') ?? '';
    badSig.searchParams.set('Signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    expect((await fetch(badSig.href)).status).toBe(403);

    clockOffsetMs = 61_000;
    try {
      const expired = await fetch(good.href);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('AccessDenied');
    } finally {
      clockOffsetMs = 0;
    }
    expect((await fetch(good.href)).status).toBe(200);
  });
});

describe('DescribeNavigationConfig and the IVR modify actions', () => {
  it('a new instance has the seed example config, with the table field names', async () => {
    const id = await newInstance();
    const c = await call('DescribeNavigationConfig', { InstanceId: id });
    expect(c.GreetingConfig).toEqual({ GreetingWords: '您好，欢迎致电智能导航', IntentTrigger: '', SourceType: 'chatbotIntent' });
    expect(c.UnrecognizingConfig).toMatchObject({ Prompt: '抱歉，我无法理解您的意思', Threshold: 3, FinalAction: 'TransferToAgent' });
    expect(c.SilenceTimeoutConfig).toMatchObject({ Prompt: '抱歉，我没听到您说话', Timeout: 10, Threshold: 3, FinalAction: 'HangUp', FinalActionParams: '{}' });
    expect(c.ComplainingConfig).toMatchObject({ Utterances: ['投诉', '转人工', '有没有人工'], FinalAction: 'TransferToAgent' });
    expect(c.ComplainingConfig).not.toHaveProperty('Action');
    expect(c.RepeatingConfig).toEqual({ Utterances: ['没听清', '再说一遍'] });
    expect(c.AskingBackConfig).toMatchObject({ Enabled: true, EnableNegativeFeedback: true, NegativeFeedbackAction: 'TransferToIVR' });
  });

  it('answers in XML too, lists as repeated elements', async () => {
    const id = await newInstance();
    const r = await client.call('DescribeNavigationConfig', { InstanceId: id }, { format: 'XML' });
    expect(r.raw).toContain('<DescribeNavigationConfigResponse>');
    expect(r.raw).toMatch(/<Utterances>没听清<\/Utterances>\s*<Utterances>再说一遍<\/Utterances>/);
    expect(r.raw).toContain('<Timeout>10</Timeout>');
  });

  it('ModifyGreetingConfig changes only the greeting section', async () => {
    const id = await newInstance();
    const before = await call('DescribeNavigationConfig', { InstanceId: id });
    await call('ModifyGreetingConfig', { InstanceId: id, GreetingWords: '你好，欢迎使用智能导航。', SourceType: 'chatbotIntent', IntentTrigger: '开始' });
    const after = await call('DescribeNavigationConfig', { InstanceId: id });
    expect(after.GreetingConfig).toEqual({ GreetingWords: '你好，欢迎使用智能导航。', SourceType: 'chatbotIntent', IntentTrigger: '开始' });
    const { GreetingConfig: _a, RequestId: _r1, ...restBefore } = before;
    const { GreetingConfig: _b, RequestId: _r2, ...restAfter } = after;
    expect(restAfter).toEqual(restBefore);
    // an optional field left out keeps its value; sent empty, it is cleared
    await call('ModifyGreetingConfig', { InstanceId: id, GreetingWords: '您好', SourceType: 'chatbotIntent' });
    expect((await call('DescribeNavigationConfig', { InstanceId: id })).GreetingConfig).toMatchObject({ GreetingWords: '您好', IntentTrigger: '开始' });
    await call('ModifyGreetingConfig', { InstanceId: id, GreetingWords: '您好', SourceType: 'chatbotIntent', IntentTrigger: '' });
    expect((await call('DescribeNavigationConfig', { InstanceId: id })).GreetingConfig).toMatchObject({ IntentTrigger: '' });
  });

  it('ModifySilenceTimeoutConfig changes only the silence section', async () => {
    const id = await newInstance();
    const before = await call('DescribeNavigationConfig', { InstanceId: id });
    await call('ModifySilenceTimeoutConfig', {
      InstanceId: id,
      Prompt: '不好意思，听不见您说什么',
      FinalPrompt: '再见',
      FinalAction: 'TransferToAgent',
      FinalActionParams: '{"skillGroupId":"sg1"}',
      Threshold: 2,
      Timeout: 20,
      SourceType: 'chatbotIntent',
      IntentTrigger: 'Timeout',
    });
    const after = await call('DescribeNavigationConfig', { InstanceId: id });
    expect(after.SilenceTimeoutConfig).toEqual({
      Prompt: '不好意思，听不见您说什么',
      FinalPrompt: '再见',
      FinalAction: 'TransferToAgent',
      FinalActionParams: '{"skillGroupId":"sg1"}',
      Threshold: 2,
      Timeout: 20,
      SourceType: 'chatbotIntent',
      IntentTrigger: 'Timeout',
    });
    for (const section of ['GreetingConfig', 'UnrecognizingConfig', 'RepeatingConfig', 'AskingBackConfig', 'ComplainingConfig']) {
      expect(after[section]).toEqual(before[section]);
    }
  });

  it('ModifyUnrecognizingConfig changes only the unrecognizing section; empty params mean {}', async () => {
    const id = await newInstance();
    const before = await call('DescribeNavigationConfig', { InstanceId: id });
    await call('ModifyUnrecognizingConfig', {
      InstanceId: id,
      Prompt: '我不理解您的意思，请再说一遍',
      FinalPrompt: '再见',
      FinalAction: 'HangUp',
      Threshold: 5,
      FinalActionParams: '',
    });
    const after = await call('DescribeNavigationConfig', { InstanceId: id });
    expect(after.UnrecognizingConfig).toEqual({
      Prompt: '我不理解您的意思，请再说一遍',
      FinalPrompt: '再见',
      FinalAction: 'HangUp',
      FinalActionParams: '{}',
      Threshold: 5,
    });
    for (const section of ['GreetingConfig', 'SilenceTimeoutConfig', 'RepeatingConfig', 'AskingBackConfig', 'ComplainingConfig']) {
      expect(after[section]).toEqual(before[section]);
    }
  });

  const silence = { Prompt: 'p', FinalPrompt: 'f', FinalAction: 'HangUp', Threshold: 3, Timeout: 10, SourceType: 'chatbotIntent' };
  const unrecognizing = { Prompt: 'p', FinalPrompt: 'f', FinalAction: 'HangUp', Threshold: 3 };
  it.each([
    ['ModifySilenceTimeoutConfig', { ...silence, FinalAction: 'Transfer' }, 'FinalAction'],
    ['ModifySilenceTimeoutConfig', { ...silence, FinalActionParams: '[1,2]' }, 'FinalActionParams'],
    ['ModifySilenceTimeoutConfig', { ...silence, FinalActionParams: '"text"' }, 'FinalActionParams'],
    ['ModifySilenceTimeoutConfig', { ...silence, Timeout: 0 }, 'Timeout'],
    ['ModifySilenceTimeoutConfig', { ...silence, Threshold: 0 }, 'Threshold'],
    ['ModifySilenceTimeoutConfig', { ...silence, Prompt: ' ' }, 'Prompt'],
    ['ModifyUnrecognizingConfig', { ...unrecognizing, FinalAction: 'transfertoagent' }, 'FinalAction'],
    ['ModifyUnrecognizingConfig', { ...unrecognizing, FinalActionParams: 'null' }, 'FinalActionParams'],
    ['ModifyUnrecognizingConfig', { ...unrecognizing, Threshold: -1 }, 'Threshold'],
    ['ModifyUnrecognizingConfig', { ...unrecognizing, FinalPrompt: '' }, 'FinalPrompt'],
    ['ModifyGreetingConfig', { GreetingWords: '', SourceType: 'chatbotIntent' }, 'GreetingWords'],
  ])('%s refuses %j with InvalidParameter and changes nothing', async (action, params, param) => {
    const id = await newInstance();
    const before = await call('DescribeNavigationConfig', { InstanceId: id });
    const err = await callError(action as ActionName, { InstanceId: id, ...params });
    expect(err.code).toBe('InvalidParameter');
    expect(err.message).toContain(param);
    const { RequestId: _a, ...b } = before;
    const { RequestId: _b, ...a } = await call('DescribeNavigationConfig', { InstanceId: id });
    expect(a).toEqual(b);
  });

  it('accepts every final action of the seed', async () => {
    const id = await newInstance();
    for (const FinalAction of ['TransferToAgent', 'TransferToIVR', 'RedirectToPage', 'HangUp']) {
      await call('ModifyUnrecognizingConfig', { InstanceId: id, ...unrecognizing, FinalAction });
      expect(((await call('DescribeNavigationConfig', { InstanceId: id })).UnrecognizingConfig as Record<string, unknown>).FinalAction).toBe(FinalAction);
    }
  });

  it('answers InvalidInstanceId.NotFound for an unknown instance', async () => {
    for (const [action, params] of [
      ['DescribeNavigationConfig', {}],
      ['ModifyGreetingConfig', { GreetingWords: 'g', SourceType: 'chatbotIntent' }],
      ['ModifySilenceTimeoutConfig', silence],
      ['ModifyUnrecognizingConfig', unrecognizing],
    ] as const) {
      const err = await callError(action, { InstanceId: 'missing', ...params });
      expect(err.code).toBe('InvalidInstanceId.NotFound');
    }
  });
});

describe('GetAsrConfig / ModifyAsrConfig', () => {
  it('answer in the SDK envelope, with the defaults before any change', async () => {
    const r = await client.call('GetAsrConfig', {});
    expect(r.data).toMatchObject({ Code: 'OK', Success: true, HttpStatusCode: 200 });
    expect((r.data as Record<string, unknown>).Data).toEqual({
      AppKey: '',
      AsrAcousticModelId: '',
      AsrClassVocabularyId: '',
      AsrCustomizationId: '',
      AsrOverrides: '',
      AsrVocabularyId: '',
      Engine: 'ali',
      EngineXufei: '',
      NlsServiceType: 'Managed',
    });
    const id = await newInstance();
    expect(((await call('GetAsrConfig', { ConfigLevel: 2, EntryId: id })).Data as Record<string, unknown>).Engine).toBe('ali');
  });

  it('keeps instance settings apart, and instances follow the system level for the rest', async () => {
    const a = await newInstance();
    const b = await newInstance();
    const m = await call('ModifyAsrConfig', { ConfigLevel: 2, EntryId: a, AsrVocabularyId: 'vocab-a' });
    expect(m).toMatchObject({ Code: 'OK', Success: true, Data: { AffectedRows: 1 } });
    expect((await call('GetAsrConfig', { ConfigLevel: 2, EntryId: a })).Data).toMatchObject({ AsrVocabularyId: 'vocab-a' });
    expect((await call('GetAsrConfig', { ConfigLevel: 2, EntryId: b })).Data).toMatchObject({ AsrVocabularyId: '' });
    // ConfigLevel left out with an EntryId means the instance level
    expect((await call('GetAsrConfig', { EntryId: a })).Data).toMatchObject({ AsrVocabularyId: 'vocab-a' });

    await call('ModifyAsrConfig', { ConfigLevel: 0, AppKey: 'system-key' });
    try {
      expect((await call('GetAsrConfig', { ConfigLevel: 2, EntryId: a })).Data).toMatchObject({ AppKey: 'system-key', AsrVocabularyId: 'vocab-a' });
      expect((await call('GetAsrConfig', { ConfigLevel: 1, EntryId: 'tenant-1' })).Data).toMatchObject({ AppKey: 'system-key' });
      expect((await call('GetAsrConfig', {})).Data).toMatchObject({ AppKey: 'system-key', AsrVocabularyId: '' });
    } finally {
      await call('ModifyAsrConfig', { ConfigLevel: 0, AppKey: '' });
    }
    await call('ModifyAsrConfig', { ConfigLevel: 1, EntryId: 'tenant-1', Engine: 'xunfei' });
    expect((await call('GetAsrConfig', { ConfigLevel: 1, EntryId: 'tenant-1' })).Data).toMatchObject({ Engine: 'xunfei' });
    expect((await call('GetAsrConfig', { ConfigLevel: 1, EntryId: 'tenant-2' })).Data).toMatchObject({ Engine: 'ali' });
  });

  it.each([
    ['GetAsrConfig', { ConfigLevel: 3 }, 'InvalidParameter', 400],
    ['GetAsrConfig', { ConfigLevel: 2 }, 'InvalidParameter', 400],
    ['GetAsrConfig', { ConfigLevel: 2, EntryId: 'missing' }, 'InvalidInstanceId.NotFound', 404],
    ['ModifyAsrConfig', { ConfigLevel: 1, AppKey: 'k' }, 'InvalidParameter', 400],
    ['ModifyAsrConfig', { ConfigLevel: 2, EntryId: 'missing', AppKey: 'k' }, 'InvalidInstanceId.NotFound', 404],
    ['ModifyAsrConfig', { Engine: ' ' }, 'InvalidParameter', 400],
  ])('%s %j fails inside the envelope: %s', async (action, params, code, status) => {
    const err = await callError(action as ActionName, params);
    expect(err.code).toBe(code);
    expect(err.httpStatus).toBe(status);
    const body = JSON.parse(err.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ Success: false, Code: code, HttpStatusCode: status });
    expect(body.ErrorMsg).toBeTruthy();
  });
});

describe('DescribeRecording / SaveRecording', () => {
  const BEGIN = Date.UTC(2024, 0, 2, 3, 4, 5, 670); // 2024-01-02 11:04:05.67 in Shanghai

  function addConversation(instanceId: string, conversationId: string, endOffsetMs: number | null, turns: [number, string, string][]): void {
    const db = emu.state.db;
    db.prepare('INSERT INTO conversations (instance_id, conversation_id, begin_time, end_time, status) VALUES (?, ?, ?, ?, ?)').run(
      instanceId,
      conversationId,
      BEGIN,
      endOffsetMs === null ? null : BEGIN + endOffsetMs,
      endOffsetMs === null ? 'active' : 'ended',
    );
    turns.forEach(([offset, speaker, utterance], i) => {
      db.prepare('INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, create_time) VALUES (?, ?, ?, ?, ?, ?)').run(
        instanceId,
        conversationId,
        i + 1,
        speaker,
        utterance,
        BEGIN + offset,
      );
    });
  }

  const TURNS: [number, string, string][] = [
    [0, 'Chatbot', '您好，欢迎致电智能导航'],
    [20_000, 'Customer', '我想查余额'],
    [20_000, 'Chatbot', '您的余额是100元'],
  ];
  // bot turns at the default TTS rate -150 (×1.3); the caller at 1×
  const GREETING_MS = (10 * 250 + 300) * 1.3; // 3640
  const QUESTION_MS = 5 * 250; // 1250
  const ANSWER_MS = Math.round((6 * 250 + 3 * 90) * 1.3); // 2301
  // the question is said 20 s in, but the silence before it is capped at the 10 s silence timeout
  const QUESTION_AT = GREETING_MS + 10_000; // 13640
  const ANSWER_AT = 20_000;

  it('returns a signed 8 kHz WAV whose length follows the conversation', async () => {
    const id = await newInstance();
    addConversation(id, 'conv-1', 21_000, TURNS);
    const r = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-1' });
    expect(r.FileName).toBe('2024010211040567.wav');
    expect(r).not.toHaveProperty('VoiceSliceRecordingListJson');
    const url = new URL(r.FilePath as string);
    expect(url.origin).toBe(emu.url);
    const wav = await fetchWav(url.href);
    expect(wav.sampleRate).toBe(8000);
    expect(wav.durationMs).toBe(ANSWER_AT + ANSWER_MS + 500);

    // hung up 60 s in: the silence before the hang-up is capped at the silence timeout as well
    addConversation(id, 'conv-2', 60_000, TURNS);
    const longer = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-2' });
    expect((await fetchWav(longer.FilePath as string)).durationMs).toBe(ANSWER_AT + ANSWER_MS + 10_000 + 500);

    // one more turn makes the recording longer
    addConversation(id, 'conv-3', null, [...TURNS, [20_000, 'Customer', '谢谢']]);
    const more = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-3' });
    expect((await fetchWav(more.FilePath as string)).durationMs).toBe(ANSWER_AT + ANSWER_MS + 2 * 250 + 500);
  });

  it('lists per-turn slices with their own URLs and offsets when asked', async () => {
    const id = await newInstance();
    addConversation(id, 'conv-s', 21_000, TURNS);
    const r = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-s', NeedVoiceSliceRecording: true });
    const slices = JSON.parse(r.VoiceSliceRecordingListJson as string) as Record<string, unknown>[];
    expect(slices.map((s) => [s.sequence, s.speaker, s.startTime, s.duration])).toEqual([
      [1, 'Chatbot', 0, GREETING_MS],
      [2, 'Customer', QUESTION_AT, QUESTION_MS],
      [3, 'Chatbot', ANSWER_AT, ANSWER_MS],
    ]);
    expect(slices.map((s) => s.fileName)).toEqual(['2024010211040567-1.wav', '2024010211040567-2.wav', '2024010211040567-3.wav']);
    for (const s of slices) {
      expect(s.endTime).toBe((s.startTime as number) + (s.duration as number));
      const wav = await fetchWav(s.filePath as string);
      expect(wav.sampleRate).toBe(8000);
      expect(wav.durationMs).toBe(s.duration);
    }
  });

  it("speaks the bot's turns with the instance's TTS config", async () => {
    const id = await newInstance();
    await call('ModifyTTSConfig', { InstanceId: id, SpeechRate: '0' });
    addConversation(id, 'conv-t', 0, [[0, 'Chatbot', '您好，欢迎致电智能导航']]);
    const r = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-t', NeedVoiceSliceRecording: true });
    expect((JSON.parse(r.VoiceSliceRecordingListJson as string) as { duration: number }[])[0]?.duration).toBe(10 * 250 + 300);
    expect((await fetchWav(r.FilePath as string)).durationMs).toBe(10 * 250 + 300 + 500);
  });

  it('recording URLs expire after an hour and refuse tampering', async () => {
    const id = await newInstance();
    addConversation(id, 'conv-e', 21_000, TURNS);
    addConversation(id, 'conv-other', 21_000, TURNS);
    const r = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-e' });
    const url = new URL(r.FilePath as string);
    const other = new URL(url.href);
    other.pathname = url.pathname.replace(/\/[A-Za-z0-9_-]+\.wav$/, `/${Buffer.from('conv-other').toString('base64url')}.wav`);
    expect((await fetch(other.href)).status).toBe(403);
    clockOffsetMs = 59 * 60_000;
    try {
      expect((await fetch(url.href)).status).toBe(200);
      clockOffsetMs = 61 * 60_000;
      const expired = await fetch(url.href);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('AccessDenied');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('a deleted conversation leaves its URL with nothing to serve', async () => {
    const id = await newInstance();
    addConversation(id, 'conv-d', 21_000, TURNS);
    const r = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-d' });
    emu.state.db.prepare('DELETE FROM conversations WHERE instance_id = ? AND conversation_id = ?').run(id, 'conv-d');
    const res = await fetch(r.FilePath as string);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('NoSuchKey');
  });

  it('answers the not-found codes of the seed', async () => {
    const id = await newInstance();
    const other = await newInstance();
    addConversation(other, 'conv-x', 1000, TURNS);
    const noInstance = await callError('DescribeRecording', { InstanceId: 'missing', ConversationId: 'conv-x' });
    expect(noInstance.code).toBe('InvalidInstanceId.NotFound');
    const noConversation = await callError('DescribeRecording', { InstanceId: id, ConversationId: 'missing' });
    expect(noConversation.code).toBe('InvalidConversationId.NotFound');
    expect(noConversation.httpStatus).toBe(404);
    // a conversation of another instance is not found through this one
    expect((await callError('DescribeRecording', { InstanceId: id, ConversationId: 'conv-x' })).code).toBe('InvalidConversationId.NotFound');
  });

  it('records a conversation driven through the dialogue actions, one slice per turn', async () => {
    const id = await newInstance();
    await call('BeginDialogue', { InstanceId: id, ConversationId: 'live-1', CallingNumber: '13800000000' });
    await call('Dialogue', { InstanceId: id, ConversationId: 'live-1', Utterance: '我想查余额' });
    await call('EndDialogue', { InstanceId: id, ConversationId: 'live-1' });
    const turns = emu.state.db
      .prepare("SELECT speaker, utterance FROM conversation_turns WHERE instance_id = ? AND conversation_id = ? AND utterance <> '' ORDER BY sequence")
      .all(id, 'live-1') as { speaker: string; utterance: string }[];
    expect(turns.length).toBeGreaterThanOrEqual(3);
    const r = await call('DescribeRecording', { InstanceId: id, ConversationId: 'live-1', NeedVoiceSliceRecording: true });
    const slices = JSON.parse(r.VoiceSliceRecordingListJson as string) as { speaker: string; startTime: number; endTime: number; duration: number }[];
    expect(slices.map((s) => s.speaker)).toEqual(turns.map((t) => t.speaker));
    expect(slices[0]).toMatchObject({ speaker: 'Chatbot', startTime: 0 });
    expect(slices.some((s) => s.speaker === 'Customer')).toBe(true);
    // the turns follow each other without overlapping, and the whole call holds them all
    for (let i = 1; i < slices.length; i++) expect(slices[i]?.startTime).toBeGreaterThanOrEqual(slices[i - 1]?.endTime ?? 0);
    const last = slices[slices.length - 1];
    const wav = await fetchWav(r.FilePath as string);
    expect(wav.durationMs).toBeGreaterThanOrEqual((last?.endTime ?? 0) + 500);
    expect(wav.durationMs).toBeLessThanOrEqual((last?.endTime ?? 0) + 500 + 10_000);
  });

  const saved = {
    FileName: 'e6bef0db439d4048bfcf45322491becf.wav',
    FilePath: 'oss://test/record/',
    Duration: '10',
    StartTime: 1582267398628,
    Type: 'Source',
  };

  it('SaveRecording stores a recording that DescribeRecording then returns as saved', async () => {
    const id = await newInstance();
    addConversation(id, 'conv-saved', 21_000, TURNS);
    const sliceList = JSON.stringify([{ fileName: 'a.wav', startTime: 0 }]);
    expect(await call('SaveRecording', { InstanceId: id, ConversationId: 'conv-saved', ...saved, VoiceSliceRecordingList: sliceList })).toHaveProperty(
      'RequestId',
    );
    const r = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-saved', NeedVoiceSliceRecording: true });
    expect(r).toMatchObject({ FileName: saved.FileName, FilePath: saved.FilePath, VoiceSliceRecordingListJson: sliceList });
    const row = emu.state.db.prepare('SELECT duration, start_time, type FROM recordings WHERE instance_id = ? AND conversation_id = ?').get(id, 'conv-saved');
    expect(row).toEqual({ duration: '10', start_time: 1582267398628, type: 'Source' });

    // saving again replaces it; without slices the list reads as empty
    await call('SaveRecording', { InstanceId: id, ConversationId: 'conv-saved', ...saved, FileName: 'second.wav' });
    const again = await call('DescribeRecording', { InstanceId: id, ConversationId: 'conv-saved', NeedVoiceSliceRecording: true });
    expect(again).toMatchObject({ FileName: 'second.wav', VoiceSliceRecordingListJson: '[]' });
  });

  it.each([
    [{ Duration: 'ten' }, 'InvalidParameter', 'Duration'],
    [{ Duration: '-1' }, 'InvalidParameter', 'Duration'],
    [{ FileName: ' ' }, 'InvalidParameter', 'FileName'],
    [{ Type: '' }, 'InvalidParameter', 'Type'],
    [{ StartTime: -5 }, 'InvalidParameter', 'StartTime'],
    [{ VoiceSliceRecordingList: '{"not":"a list"}' }, 'InvalidParameter', 'VoiceSliceRecordingList'],
    [{ VoiceSliceRecordingList: 'not json' }, 'InvalidParameter', 'VoiceSliceRecordingList'],
    [{ ConversationId: 'missing' }, 'InvalidConversationId.NotFound', 'missing'],
    [{ InstanceId: 'missing' }, 'InvalidInstanceId.NotFound', 'missing'],
  ])('SaveRecording refuses %j', async (change, code, mention) => {
    const id = await newInstance();
    addConversation(id, 'conv-bad', 1000, TURNS);
    const err = await callError('SaveRecording', { InstanceId: id, ConversationId: 'conv-bad', ...saved, ...change });
    expect(err.code).toBe(code);
    expect(err.message).toContain(mention);
    expect(emu.state.db.prepare('SELECT count(*) AS n FROM recordings WHERE instance_id = ?').get(id)).toEqual({ n: 0 });
  });
});
