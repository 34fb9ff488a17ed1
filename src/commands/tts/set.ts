import { KNOWN_VOICES } from '../../api/voices.js';
import { UsageError } from '../../errors.js';
import { defineCommand, type FlagDef } from '../define.js';

/** The voice flags shared by `tts set` and `tts audition`; their ranges are the model's (spec/constraints.json). */
export function voiceFlags(opts: { pitch: boolean }): FlagDef[] {
  const flags: FlagDef[] = [
    { name: 'voice', param: 'Voice', required: false, suggest: KNOWN_VOICES, description: 'speaker, e.g. xiaoyun, aixia, ruoxi' },
    { name: 'speech-rate', param: 'SpeechRate', required: false, type: 'int', valueName: 'rate', description: 'speaking speed (negative is slower)' },
    { name: 'volume', param: 'Volume', required: false, type: 'int', valueName: 'level', description: 'volume' },
  ];
  if (opts.pitch) flags.push({ name: 'pitch-rate', param: 'PitchRate', type: 'int', valueName: 'rate', description: 'pitch (negative is lower)' });
  return flags;
}

const VOICE_KEYS = ['voice', 'speechRate', 'volume', 'pitchRate'] as const;

export default defineCommand({
  description:
    'Changes only the settings given; the others keep their values. At least one is needed. Reads the current config first ' +
    '(DescribeTTSConfig) to say what changes (`field old → new`, on stderr); nothing is sent when nothing would change.',
  action: 'ModifyTTSConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: voiceFlags({ pitch: true }),
  examples: ['vn tts set 3f6e… --voice aixia --speech-rate 100', 'vn tts set 3f6e… --volume 80'],
  async run(ctx, { params, flags }) {
    const changed = VOICE_KEYS.filter((k) => flags[k] !== undefined);
    if (changed.length === 0) throw new UsageError('nothing to change: give at least one of --voice, --speech-rate, --volume, --pitch-rate');
    // ModifyTTSConfig keeps what it is not given: the read is for saying what changes (and sending nothing when nothing does)
    const { updateSettings } = await import('../partial.js');
    return updateSettings(ctx, params, {
      write: 'ModifyTTSConfig',
      read: 'DescribeTTSConfig',
      readParams: { InstanceId: params.InstanceId },
      keys: ['InstanceId'],
      flagNames: ['--voice', '--speech-rate', '--volume', '--pitch-rate'],
      send: 'given',
      what: `the TTS config of instance ${params.InstanceId}`,
    });
  },
});
