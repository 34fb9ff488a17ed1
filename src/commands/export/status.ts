import { defineCommand } from '../define.js';
import { EXPORT_WATCH } from './shared.js';

export default defineCommand({
  action: 'DescribeExportProgress',
  watch: EXPORT_WATCH,
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'task-id', param: 'ExportTaskId' },
  ],
  examples: [
    'vn export status 3f6e… 0de8e5ccc2b645039ae6fbda443da73f',
    'vn export status 3f6e… 0de8e5cc… --watch   # stops at FINISHED (exit 0) or a failure (exit 1)',
  ],
});
