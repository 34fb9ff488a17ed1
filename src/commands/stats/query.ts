import { defineCommand } from '../define.js';
import { TIME_RANGE_FLAGS, timeRangeParams } from '../time.js';

export default defineCommand({
  action: 'QueryConversations',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'calling-number', param: 'CallingNumber', description: 'only calls from this number' },
    ...TIME_RANGE_FLAGS,
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'conversations per page' },
  ],
  examples: ['vn stats query 3f6e… --calling-number 13800000000 --from -7d', 'vn stats query 3f6e… --from 2024-03-01 --all -o json'],
  async run(ctx, { params, flags }) {
    return await ctx.api('QueryConversations', { ...params, ...timeRangeParams(flags, ctx.now()) }, { all: flags.all === true });
  },
});
