import { defineCommand } from '../../define.js';
import { ASR_TARGET_ARGS, ASR_TARGET_FLAGS, asrTarget } from './shared.js';

export default defineCommand({
  description: 'Shows the speech-recognition settings of an instance, or the system-wide default when no instance is given.',
  action: 'GetAsrConfig',
  args: ASR_TARGET_ARGS,
  flags: ASR_TARGET_FLAGS,
  examples: ['vn ivr asr get 3f6e…', 'vn ivr asr get            # the system-wide default'],
  async run(ctx, { args, params }) {
    asrTarget(args, params);
    const out = await ctx.api('GetAsrConfig', params);
    return { ...out, view: { ...out.view, kind: 'asr' } };
  },
});
