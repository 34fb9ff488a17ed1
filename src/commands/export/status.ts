import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'DescribeExportProgress',
  watch: true,
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'task-id', param: 'ExportTaskId' },
  ],
  examples: ['vn export status 3f6e… 0de8e5ccc2b645039ae6fbda443da73f', 'vn export status 3f6e… 0de8e5cc… --watch'],
});
