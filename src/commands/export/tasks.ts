import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    'Lists the account’s download tasks (ListDownloadTasks): one per export, newest first, with its files. A task id and a file id ' +
    'make a download URL with `vn recording url TASK_ID FILE_ID`. (Called `export tasks` before; that name still works.)',
  action: 'ListDownloadTasks',
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'tasks per page' },
  ],
  examples: ['vn export download-tasks', 'vn export download-tasks --all -o json --query "DownloadTasks.List[].TaskId"'],
});
