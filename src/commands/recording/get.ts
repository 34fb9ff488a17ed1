import { basename } from 'node:path';
import { defineCommand } from '../define.js';
import { saveUrl } from '../save-url.js';

interface Recording {
  FileName?: string;
  FilePath?: string;
  VoiceSliceRecordingListJson?: string;
  RequestId?: string;
}

/** A local file name from the service's FileName: no directories, never empty. */
function localName(fileName: string | undefined, conversationId: string): string {
  const name = basename(String(fileName ?? '').replace(/\\/g, '/')).trim();
  return name && name !== '.' && name !== '..' ? name : `${conversationId}.wav`;
}

export default defineCommand({
  action: 'DescribeRecording',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  flags: [
    { name: 'slices', param: 'NeedVoiceSliceRecording', type: 'bool', description: 'also list the per-turn voice slices' },
    {
      name: 'output-file',
      aliases: ['download'],
      optionalValue: true,
      valueName: 'file',
      complete: 'file',
      description: 'download the WAV (to FILE, or to the recording’s own file name in the current directory)',
    },
    { name: 'force', type: 'bool', description: 'overwrite the download target when it exists' },
  ],
  examples: ['vn recording get 3f6e… 15608cce-…', 'vn recording get 3f6e… 15608cce-… --output-file call.wav'],
  async run(ctx, { params, flags }) {
    const force = flags.force === true;
    if (flags.outputFile === undefined) {
      const out = await ctx.api('DescribeRecording', params);
      return { ...out, view: { ...out.view, kind: 'recording' } };
    }
    const { checkTarget } = await import('../../client/download.js');
    if (typeof flags.outputFile === 'string') await checkTarget(flags.outputFile, force);
    const client = await ctx.client();
    const res = await client.call<Recording>('DescribeRecording', params, { format: 'JSON' });
    const url = res.data.FilePath ?? '';
    if (!/^https?:\/\//i.test(url)) {
      const { RuntimeFailure } = await import('../../errors.js');
      throw new RuntimeFailure(`the recording has no downloadable URL (FilePath: ${JSON.stringify(url)})`);
    }
    const target = typeof flags.outputFile === 'string' ? flags.outputFile : localName(res.data.FileName, params.ConversationId as string);
    const saved = await saveUrl(ctx, url, target, force);
    return { data: { ...res.data, File: saved.path, Bytes: saved.bytes }, view: { message: `saved recording to ${target} (${saved.bytes} bytes)` } };
  },
});
