import { defineCommand } from '../define.js';
import { checkExportFlags, finishExport, WAIT_FLAGS } from './shared.js';

export default defineCommand({
  action: 'DescribeExportProgress',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'task-id', param: 'ExportTaskId' },
  ],
  flags: [
    { ...(WAIT_FLAGS.find((f) => f.name === 'output-file') as (typeof WAIT_FLAGS)[number]), required: true, description: 'file to write' },
    ...WAIT_FLAGS.filter((f) => f.name === 'wait-timeout' || f.name === 'force'),
  ],
  examples: ['vn export download 3f6e… 0de8e5cc… --output-file conversations.csv'],
  async run(ctx, { params, flags }) {
    await checkExportFlags(flags);
    const { data, message } = await finishExport(ctx, params.InstanceId as string, params.ExportTaskId as string, flags);
    return { data, view: { message } };
  },
});
