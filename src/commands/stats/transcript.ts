import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'ListConversationDetails',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  examples: ['vn stats transcript 3f6e… 15608cce-…', 'vn stats transcript 3f6e… 15608cce-… -o json --query "ConversationDetails[].Utterance"'],
  async run(ctx, { params }) {
    const out = await ctx.api('ListConversationDetails', params);
    return { ...out, view: { ...out.view, kind: 'transcript' } };
  },
});
