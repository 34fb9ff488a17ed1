import { AUDITION_SAMPLE_RATE, synthesizeWav, type Voice } from '../audio.js';
import { defaultTtsConfig } from '../defaults.js';
import { invalidParameter } from '../errors.js';
import { signedFileUrl } from '../files.js';
import type { RequestParams } from '../params.js';
import { getInstance } from './instance.js';
import type { ActionContext, EmulatorState, FileRoute, HandlerTable } from './types.js';

/**
 * The Alibaba speech service's standard voices (the `voice` values of its voice list). Voice
 * names outside it are refused, as the console offers only these.
 */
export const KNOWN_VOICES: readonly string[] = [
  'xiaoyun',
  'xiaogang',
  'xiaomeng',
  'xiaowei',
  'ruoxi',
  'siqi',
  'sijia',
  'sicheng',
  'aiqi',
  'aijia',
  'aicheng',
  'aida',
  'ninger',
  'ruilin',
  'amei',
  'xiaoxue',
  'siyue',
  'aiya',
  'aixia',
  'aimei',
  'aiyu',
  'aiyue',
  'aijing',
  'xiaomei',
  'aina',
  'yina',
  'sijing',
  'sitong',
  'xiaobei',
  'aitong',
  'aiwei',
  'aibao',
  'aishuo',
  'shanshan',
  'chuangirl',
  'qingqing',
  'cuijie',
  'xiaoze',
  'dahu',
  'ailun',
  'jielidou',
  'laotie',
  'laomei',
  'harry',
  'abby',
  'andy',
  'eric',
  'emily',
  'luna',
  'luca',
  'wendy',
  'william',
  'olivia',
  'lydia',
  'annie',
  'kenny',
  'stanley',
  'stella',
  'tomoka',
  'tomoya',
];

/** seed: 9.3 AuditTTSVoice — its AuditionUrl (ttsConfig-1582188148528-…, Expires=1582188208) lives 60 s. */
export const AUDITION_URL_TTL_MS = 60_000;

const AUDITION_ROUTE = /^\/audio\/tts\/ttsConfig-(\d+)-([A-Za-z0-9_-]+)\.wav$/;

type TtsConfig = ReturnType<typeof defaultTtsConfig>;

function readConfig(ctx: Pick<ActionContext, 'store'>, instanceId: string): TtsConfig {
  const json = ctx.store.configs.tts(instanceId);
  return { ...defaultTtsConfig(), ...(json !== undefined ? (JSON.parse(json) as TtsConfig) : {}) };
}

/** The instance's TTS voice settings, as the recordings speak the bot's turns with them. */
export function instanceVoice(ctx: Pick<ActionContext, 'store'>, instanceId: string): Voice {
  const c = readConfig(ctx, instanceId);
  return { voice: String(c.Voice), speechRate: Number(c.SpeechRate) || 0, volume: Number(c.Volume ?? 50), pitchRate: Number(c.PitchRate) || 0 };
}

/** A numeric TTS setting sent as a string (seed: 9.1 ModifyTTSConfig types them String); the model checked its range. */
function voiceNumber<N extends 'SpeechRate' | 'PitchRate' | 'Volume'>(p: RequestParams<N>, name: N): number | undefined {
  const raw = p.str(name);
  return raw === undefined || raw.trim() === '' ? undefined : Number(raw);
}

function knownVoice(p: RequestParams<'Voice'>): string | undefined {
  const voice = p.str('Voice');
  if (voice === undefined) return undefined;
  if (!KNOWN_VOICES.includes(voice)) throw invalidParameter('Voice', `Unknown voice "${voice}"; known voices: ${KNOWN_VOICES.slice(0, 12).join(', ')}, ….`);
  return voice;
}

function toBase64Url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/** Everything needed to regenerate an audition travels in its (signed) path. */
interface AuditionSpec {
  text: string;
  voice: Voice;
}

export function auditionPath(spec: AuditionSpec, now: number): string {
  const token = toBase64Url(JSON.stringify([spec.text, spec.voice.voice, spec.voice.speechRate, spec.voice.volume, spec.voice.pitchRate]));
  return `/audio/tts/ttsConfig-${now}-${token}.wav`;
}

function parseAudition(token: string): AuditionSpec | undefined {
  try {
    const [text, voice, speechRate, volume, pitchRate] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [
      string,
      string,
      number,
      number,
      number,
    ];
    if (typeof text !== 'string' || typeof voice !== 'string') return undefined;
    return { text, voice: { voice, speechRate: Number(speechRate), volume: Number(volume), pitchRate: Number(pitchRate) } };
  } catch {
    return undefined;
  }
}

export const handlers = {
  DescribeTTSConfig(ctx) {
    const id = getInstance(ctx, ctx.params.req('InstanceId')).instance_id;
    const c = readConfig(ctx, id);
    // seed: 9.2 DescribeTTSConfig — the table (and the SDK) type SpeechRate/Volume as integers; its
    // JSON sample's "-150" string is not followed
    return { ...c, SpeechRate: Number(c.SpeechRate), Volume: Number(c.Volume), PitchRate: Number(c.PitchRate) };
  },

  ModifyTTSConfig(ctx) {
    const p = ctx.params;
    const id = getInstance(ctx, p.req('InstanceId')).instance_id;
    const changes: Record<string, unknown> = {};
    const voice = knownVoice(p);
    if (voice !== undefined) changes.Voice = voice;
    for (const name of ['SpeechRate', 'PitchRate', 'Volume'] as const) {
      const n = voiceNumber(p, name);
      if (n !== undefined) changes[name] = n;
    }
    // free-form settings of other engines and NLS projects: kept as given (JSON ones were checked by the catalog)
    for (const name of [
      'Engine',
      'EngineXunfei',
      'AliCustomizedVoice',
      'AppKey',
      'BackgroundMusicName',
      'ExtParams',
      'NlsServiceType',
      'TtsOverrides',
    ] as const) {
      const v = p.str(name);
      if (v !== undefined) changes[name] = v;
    }
    const next = { ...readConfig(ctx, id), ...changes };
    ctx.store.configs.putTts(id, JSON.stringify(next));
    return {};
  },

  AuditTTSVoice(ctx) {
    const p = ctx.params;
    getInstance(ctx, p.req('InstanceId'));
    // not blank and at most 300 characters: the model's rules (spec/constraints.json)
    const text = p.req('Text');
    const voice: Voice = {
      voice: knownVoice(p) ?? '',
      speechRate: voiceNumber(p, 'SpeechRate') ?? 0,
      volume: voiceNumber(p, 'Volume') ?? 50,
      pitchRate: voiceNumber(p, 'PitchRate') ?? 0,
    };
    const path = auditionPath({ text, voice }, ctx.now);
    return { AuditionUrl: signedFileUrl(ctx.state, path, ctx.now + AUDITION_URL_TTL_MS) };
  },
} satisfies Partial<HandlerTable>;

export const fileRoutes: FileRoute[] = [
  (_state: EmulatorState, url: URL) => {
    const m = AUDITION_ROUTE.exec(url.pathname);
    if (!m) return undefined;
    const spec = parseAudition(m[2] ?? '');
    if (!spec) return { status: 400, contentType: 'text/plain; charset=utf-8', body: Buffer.from('malformed audition path\n') };
    return {
      status: 200,
      contentType: 'audio/wav',
      body: synthesizeWav(spec.text, spec.voice, AUDITION_SAMPLE_RATE),
      fileName: `ttsConfig-${m[1]}.wav`,
    };
  },
];
