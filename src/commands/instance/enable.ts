import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'EnableInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  examples: ['vn instance enable 3f6e…'],
  async run(ctx, { params }) {
    const out = await ctx.api('EnableInstance', params);
    return { ...out, view: { message: `enabled instance ${params.InstanceId}` } };
  },
});
