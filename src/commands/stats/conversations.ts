import { defineCommand } from '../define.js';
import { TIME_RANGE_FLAGS, timeRangeParams } from '../time.js';

export default defineCommand({
  action: 'ListConversations',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'conversations per page' },
    { name: 'calling-number', param: 'CallingNumber', description: 'only calls from this number' },
    ...TIME_RANGE_FLAGS,
  ],
  examples: ['vn stats conversations 3f6e…', 'vn stats conversations 3f6e… --all -o json --query "Conversations[].ConversationId"'],
  async run(ctx, { params, flags }) {
    return await ctx.api('ListConversations', { ...params, ...timeRangeParams(flags, ctx.now()) }, { all: flags.all === true });
  },
});
