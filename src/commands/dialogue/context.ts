import { defineCommand } from '../define.js';
import { SAME_ACTION_ENV_FLAG } from './send-turn.js';

export default defineCommand({
  description: 'Shows the context the bot keeps for a conversation (DescribeConversationContext); in table mode the JSON is pretty-printed.',
  action: 'DescribeConversationContext',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  flags: [SAME_ACTION_ENV_FLAG('DescribeConversationContext')],
  examples: ['vn dialogue context 3f6e… c28fc549-…', 'vn dialogue context 3f6e… c28fc549-… -o json --query ConversationContext'],
  async run(ctx, { params }) {
    const out = await ctx.api('DescribeConversationContext', params);
    return { ...out, view: { kind: 'context' } };
  },
});
