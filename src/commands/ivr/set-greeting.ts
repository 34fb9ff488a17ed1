import { defineCommand } from '../define.js';
import { updateSection } from './set-unrecognizing.js';

export default defineCommand({
  description:
    'Sets the words the bot greets each caller with when a conversation begins. Only the settings given change: the others ' +
    'are read from the current config (DescribeNavigationConfig) and sent as they are. Says what changes (`field old → new`, on ' +
    'stderr); sends nothing when nothing would; --dry-run shows the changes above the merged request.',
  action: 'ModifyGreetingConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'words', param: 'GreetingWords', required: false, valueName: 'text', description: 'the greeting' },
    { name: 'intent-trigger', param: 'IntentTrigger', valueName: 'intent', description: 'chatbot intent the greeting triggers' },
    // seed: 10.1 DescribeNavigationConfig — GreetingConfig.SourceType's example (and only documented value) is chatbotIntent
    // (the current value when not given; chatbotIntent when there is none)
    { name: 'source-type', param: 'SourceType', required: false, valueName: 'type', description: 'where the config comes from' },
  ],
  examples: ['vn ivr set-greeting 3f6e… --words 您好，欢迎致电客服热线'],
  async run(ctx, { params }) {
    return updateSection(ctx, params, 'ModifyGreetingConfig', 'GreetingConfig', 'greeting', ['--words', '--intent-trigger', '--source-type'], {
      SourceType: 'chatbotIntent',
    });
  },
});
