import { basename } from 'node:path';
import { defineCommand } from '../define.js';
import { voiceFlags } from './set.js';

interface TtsConfig {
  Voice?: string;
  SpeechRate?: number | string;
  Volume?: number | string;
}

export default defineCommand({
  description:
    'Synthesises --text with the instance’s voice and returns the URL of the audio. Voice settings not given default to the ' +
    'instance’s current TTS config (read with DescribeTTSConfig first). --output-file downloads the WAV to a file.',
  action: 'AuditTTSVoice',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'text', param: 'Text', description: 'what to say' },
    ...voiceFlags({ pitch: false }),
    { name: 'output-file', aliases: ['save'], type: 'string', valueName: 'file', complete: 'file', description: 'download the WAV to this file' },
    { name: 'force', type: 'bool', description: 'with --output-file: overwrite an existing file' },
  ],
  examples: ['vn tts audition 3f6e… --text 您好，欢迎致电', 'vn tts audition 3f6e… --text 您好 --voice aixia --speech-rate 100 --output-file hello.wav'],
  async run(ctx, { params, flags }) {
    const save = flags.outputFile as string | undefined;
    const { checkTarget, downloadToFile } = await import('../../client/download.js');
    // a file that would be refused must stop us before the service synthesises anything
    if (save !== undefined) await checkTarget(save, flags.force === true);
    const voice = { Voice: params.Voice, SpeechRate: params.SpeechRate, Volume: params.Volume };
    if (Object.values(voice).some((v) => v === undefined)) {
      const current = (await ctx.api('DescribeTTSConfig', { InstanceId: String(params.InstanceId) }, { format: 'JSON' })).data as TtsConfig;
      voice.Voice ??= current.Voice;
      voice.SpeechRate ??= current.SpeechRate;
      voice.Volume ??= current.Volume;
    }
    // the URL must be read from the answer when saving, so ask for JSON even under -o xml
    const out = await ctx.api('AuditTTSVoice', { ...params, ...voice }, save === undefined ? {} : { format: 'JSON' });
    if (save === undefined) return { ...out, view: { message: String((out.data as { AuditionUrl?: string }).AuditionUrl ?? '') } };
    const url = (out.data as { AuditionUrl?: string }).AuditionUrl;
    if (!url) {
      const { RuntimeFailure } = await import('../../errors.js');
      throw new RuntimeFailure('the service returned no AuditionUrl to download');
    }
    const { progressBar } = await import('../../output/progress.js');
    const bar = progressBar(basename(save), ctx.io);
    try {
      const res = await downloadToFile(url, save, {
        force: flags.force === true,
        onProgress: bar ? (p) => bar.update(p) : undefined,
        timeoutMs: ctx.globals.timeout * 1000,
      });
      const data = { ...(out.data as Record<string, unknown>), SavedTo: res.path, Bytes: res.bytes };
      return { data, view: { message: `saved ${res.bytes} bytes to ${save}` } };
    } finally {
      bar?.done();
    }
  },
});
