import { confirm } from '../confirm.js';
import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'DeleteInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [{ name: 'yes', short: 'y', type: 'bool', description: 'do not ask for confirmation (required when not on a terminal)' }],
  examples: ['vn instance delete 3f6e… --yes'],
  async run(ctx, { params, flags }) {
    const ok = await confirm(ctx, `Delete instance ${params.InstanceId}? This cannot be undone.`, flags.yes === true);
    if (!ok) {
      ctx.err('not deleted');
      return undefined;
    }
    const out = await ctx.api('DeleteInstance', params);
    return { ...out, view: { message: `deleted instance ${params.InstanceId}` } };
  },
});
