import type { Column } from '../../output/render.js';
import { defineCommand } from '../define.js';

interface TaskFile {
  FileId?: string;
  Title?: string;
  Status?: string;
  Progress?: number;
}

const TASK_COLUMNS: Column[] = [
  { key: 'TaskId', header: 'TASK' },
  { key: 'Title', header: 'TITLE' },
  { key: 'Status', header: 'STATUS' },
  { key: 'ExpireTime', header: 'EXPIRES' },
  {
    key: 'DownloadTaskFiles',
    header: 'FILES (ID STATUS PROGRESS)',
    format: (v) =>
      Array.isArray(v)
        ? (v as TaskFile[]).map((f) => `${f.FileId ?? ''} ${f.Status ?? ''}${f.Progress !== undefined ? ` ${f.Progress}%` : ''}`.trim()).join(', ')
        : '',
  },
];

export default defineCommand({
  summary: 'list download tasks (for `vn recording url <task-id> <file-id>`)',
  action: 'ListDownloadTasks',
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'tasks per page' },
  ],
  examples: ['vn export tasks', 'vn export tasks --all -o json --query "DownloadTasks.List[].TaskId"'],
  async run(ctx, { params, flags }) {
    const out = await ctx.call('ListDownloadTasks', params, { all: flags.all === true });
    return { ...out, view: { ...out.view, columns: TASK_COLUMNS } };
  },
});
