import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'ModifyInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'concurrency', param: 'Concurrency', description: 'maximum concurrent calls' },
    { name: 'name', param: 'Name', description: 'new name' },
    { name: 'description', param: 'Description', description: 'new description' },
  ],
  examples: ['vn instance modify 3f6e… --concurrency 20 --description "peak season"'],
  async run(ctx, { params }) {
    const out = await ctx.call('ModifyInstance', params);
    return { ...out, view: { message: `modified instance ${params.InstanceId}` } };
  },
});
