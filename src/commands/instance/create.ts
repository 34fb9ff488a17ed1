import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'CreateInstance',
  flags: [
    { name: 'name', param: 'Name', description: 'instance name (unique)' },
    { name: 'concurrency', param: 'Concurrency', description: 'maximum concurrent calls' },
    { name: 'description', param: 'Description', description: 'free text' },
  ],
  examples: ['vn instance create --name 客服热线 --concurrency 10 --description "main hotline"'],
  async run(ctx, { params }) {
    const out = await ctx.api('CreateInstance', params);
    const id = out.data.InstanceId;
    return { ...out, view: { message: `created instance ${id}` } };
  },
});
