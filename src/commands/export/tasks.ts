import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'ListDownloadTasks',
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'tasks per page' },
  ],
  examples: ['vn export tasks', 'vn export tasks --all -o json --query "DownloadTasks.List[].TaskId"'],
});
