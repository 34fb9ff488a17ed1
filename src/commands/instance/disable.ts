import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'DisableInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  examples: ['vn instance disable 3f6e…'],
  async run(ctx, { params }) {
    const out = await ctx.api('DisableInstance', params);
    return { ...out, view: { message: `disabled instance ${params.InstanceId}` } };
  },
});
