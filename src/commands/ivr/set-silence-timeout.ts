import { defineCommand } from '../define.js';
import { ESCALATION_FLAG_NAMES, escalationFlags, updateSection } from './set-unrecognizing.js';

export default defineCommand({
  description:
    'After --timeout seconds of silence the bot says --prompt; after --threshold silences in a row it says --final-prompt and ' +
    'takes --final-action (with --final-action-params). Only the settings given change: the others are read from the current ' +
    'config (DescribeNavigationConfig) and sent as they are. Says what changes (`field old → new`, on stderr); sends nothing ' +
    'when nothing would; --dry-run shows the changes above the merged request.',
  action: 'ModifySilenceTimeoutConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    ...escalationFlags('says nothing'),
    { name: 'timeout', param: 'Timeout', required: false, valueName: 'seconds', description: 'seconds of silence that count as one timeout (1 or more)' },
    { name: 'intent-trigger', param: 'IntentTrigger', valueName: 'intent', description: 'chatbot intent to trigger on a timeout' },
    // seed: 10.2 ModifySilenceTimeoutConfig — SourceType is required; its only documented value is chatbotIntent
    // (the current value when not given; chatbotIntent when there is none)
    { name: 'source-type', param: 'SourceType', required: false, valueName: 'type', description: 'where the config comes from' },
  ],
  examples: [
    'vn ivr set-silence-timeout 3f6e… --timeout 8',
    'vn ivr set-silence-timeout 3f6e… --prompt 您还在吗？ --final-prompt 再见 --final-action HangUp --threshold 3 --timeout 10',
  ],
  async run(ctx, { params }) {
    return updateSection(
      ctx,
      params,
      'ModifySilenceTimeoutConfig',
      'SilenceTimeoutConfig',
      'silence-timeout config',
      [...ESCALATION_FLAG_NAMES, '--timeout', '--intent-trigger', '--source-type'],
      { SourceType: 'chatbotIntent' },
    );
  },
});
