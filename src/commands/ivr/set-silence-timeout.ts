import { defineCommand } from '../define.js';
import { escalationFlags } from './set-unrecognizing.js';

export default defineCommand({
  description:
    'After --timeout seconds of silence the bot says --prompt; after --threshold silences in a row it says --final-prompt and ' +
    'takes --final-action (with --final-action-params).',
  action: 'ModifySilenceTimeoutConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    ...escalationFlags('says nothing'),
    { name: 'timeout', param: 'Timeout', valueName: 'seconds', description: 'seconds of silence that count as one timeout (1 or more)' },
    { name: 'intent-trigger', param: 'IntentTrigger', valueName: 'intent', description: 'chatbot intent to trigger on a timeout' },
    // seed: 10.2 ModifySilenceTimeoutConfig — SourceType is required; its only documented value is chatbotIntent
    { name: 'source-type', param: 'SourceType', default: 'chatbotIntent', valueName: 'type', description: 'where the config comes from' },
  ],
  examples: ['vn ivr set-silence-timeout 3f6e… --prompt 您还在吗？ --final-prompt 再见 --final-action HangUp --threshold 3 --timeout 10'],
  async run(ctx, { params }) {
    const out = await ctx.call('ModifySilenceTimeoutConfig', params);
    return { ...out, view: { message: `changed the silence-timeout config of instance ${params.InstanceId}` } };
  },
});
