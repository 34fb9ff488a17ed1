import { confirm } from '../confirm.js';
import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'DeleteInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [{ name: 'yes', short: 'y', type: 'bool', description: 'do not ask for confirmation (required when not on a terminal)' }],
  examples: ['vn instance delete 3f6e… --yes'],
  async run(ctx, { params, flags }) {
    const id = String(params.InstanceId);
    // the prompt names the instance (one read, only when it asks): a UUID alone is easy to mistake
    const ok = await confirm(
      ctx,
      async () => {
        const { data } = await ctx.api('DescribeInstance', { InstanceId: id }, { format: 'JSON', sendInDryRun: true });
        return `Delete instance ${data.Name ? `${data.Name} (${id})` : id}? This cannot be undone.`;
      },
      flags.yes === true,
    );
    if (!ok) {
      ctx.err('not deleted');
      return undefined;
    }
    const out = await ctx.api('DeleteInstance', params);
    return { ...out, view: { message: `deleted instance ${params.InstanceId}` } };
  },
});
