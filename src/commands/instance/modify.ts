import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    'Changes only what is given: the current values of the others are read first (DescribeInstance) and sent unchanged, ' +
    'as ModifyInstance needs every one. Says what changes (`field old → new`, on stderr); sends nothing when nothing would. ' +
    'With --dry-run the read is made and the changes shown above the merged request; nothing is changed.',
  action: 'ModifyInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'concurrency', param: 'Concurrency', required: false, description: 'maximum concurrent calls' },
    { name: 'name', param: 'Name', description: 'new name' },
    { name: 'description', param: 'Description', description: 'new description' },
  ],
  examples: ['vn instance modify 3f6e… --concurrency 20 --description "peak season"', 'vn instance modify 3f6e… --name 客服热线'],
  async run(ctx, { params }) {
    const { updateSettings } = await import('../partial.js');
    return updateSettings(ctx, params, {
      write: 'ModifyInstance',
      read: 'DescribeInstance',
      readParams: { InstanceId: params.InstanceId },
      keys: ['InstanceId'],
      flagNames: ['--concurrency', '--name', '--description'],
      what: `instance ${params.InstanceId}`,
      done: `modified instance ${params.InstanceId}`,
    });
  },
});
