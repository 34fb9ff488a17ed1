import { UsageError } from '../../errors.js';
import { defineCommand, type FlagDef } from '../define.js';

/**
 * The seed gives no ranges (seed: 9.1 ModifyTTSConfig only says String); these are the limits of
 * the Alibaba Cloud speech synthesis engine behind the service, which the emulator enforces too.
 */
export const VOICE_RANGES = {
  speechRate: { flag: 'speech-rate', min: -500, max: 500 },
  pitchRate: { flag: 'pitch-rate', min: -500, max: 500 },
  volume: { flag: 'volume', min: 0, max: 100 },
} as const;

/** The voice flags shared by `tts set` and `tts audition`; the numbers are checked as integers here. */
export function voiceFlags(opts: { pitch: boolean }): FlagDef[] {
  const flags: FlagDef[] = [
    { name: 'voice', param: 'Voice', required: false, description: 'speaker, e.g. xiaoyun, aixia, ruoxi' },
    { name: 'speech-rate', param: 'SpeechRate', required: false, type: 'int', valueName: 'rate', description: 'speaking speed, -500 (slow) to 500 (fast)' },
    { name: 'volume', param: 'Volume', required: false, type: 'int', valueName: 'level', description: 'volume, 0 to 100' },
  ];
  if (opts.pitch) flags.push({ name: 'pitch-rate', param: 'PitchRate', type: 'int', valueName: 'rate', description: 'pitch, -500 (low) to 500 (high)' });
  return flags;
}

/** Refuses out-of-range numbers and an empty voice name before anything is sent. */
export function checkVoiceSettings(flags: Record<string, unknown>): void {
  for (const [key, range] of Object.entries(VOICE_RANGES)) {
    const v = flags[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || v < range.min || v > range.max) {
      throw new UsageError(`--${range.flag} must be between ${range.min} and ${range.max}, got ${String(v)}`);
    }
  }
  if (flags.voice !== undefined && String(flags.voice).trim() === '') throw new UsageError('--voice must not be empty');
}

export default defineCommand({
  summary: 'change the voice, speech rate or volume',
  description: 'Changes only the settings given; the others keep their values. At least one is needed.',
  action: 'ModifyTTSConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: voiceFlags({ pitch: true }),
  examples: ['vn tts set 3f6e… --voice aixia --speech-rate 100', 'vn tts set 3f6e… --volume 80'],
  async run(ctx, { params, flags }) {
    checkVoiceSettings(flags);
    const changed = Object.keys(VOICE_RANGES)
      .concat('voice')
      .filter((k) => flags[k] !== undefined);
    if (changed.length === 0) throw new UsageError('nothing to change: give at least one of --voice, --speech-rate, --volume, --pitch-rate');
    const out = await ctx.call('ModifyTTSConfig', params);
    return { ...out, view: { message: `changed the TTS config of instance ${params.InstanceId}` } };
  },
});
