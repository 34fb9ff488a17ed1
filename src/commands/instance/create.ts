import { defineCommand } from '../define.js';

export default defineCommand({
  summary: 'create an instance',
  action: 'CreateInstance',
  flags: [
    { name: 'name', param: 'Name', description: 'instance name (unique)' },
    { name: 'concurrency', param: 'Concurrency', description: 'maximum concurrent calls' },
    { name: 'description', param: 'Description', description: 'free text' },
  ],
  examples: ['vn instance create --name 客服热线 --concurrency 10 --description "main hotline"'],
  async run(ctx, { params }) {
    if (Number(params.Concurrency) < 1) {
      const { UsageError } = await import('../../errors.js');
      throw new UsageError('--concurrency must be 1 or more');
    }
    const out = await ctx.call('CreateInstance', params);
    const id = (out.data as { InstanceId?: string }).InstanceId;
    return { ...out, view: { message: `created instance ${id}` } };
  },
});
