import { defineCommand } from '../define.js';

export default defineCommand({
  description: 'Sets the words the bot greets each caller with when a conversation begins.',
  action: 'ModifyGreetingConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'words', param: 'GreetingWords', valueName: 'text', description: 'the greeting' },
    { name: 'intent-trigger', param: 'IntentTrigger', valueName: 'intent', description: 'chatbot intent the greeting triggers' },
    // seed: 10.1 DescribeNavigationConfig — GreetingConfig.SourceType's example (and only documented value) is chatbotIntent
    { name: 'source-type', param: 'SourceType', default: 'chatbotIntent', valueName: 'type', description: 'where the config comes from' },
  ],
  examples: ['vn ivr set-greeting 3f6e… --words 您好，欢迎致电客服热线'],
  async run(ctx, { params }) {
    const out = await ctx.call('ModifyGreetingConfig', params);
    return { ...out, view: { message: `changed the greeting of instance ${params.InstanceId}` } };
  },
});
