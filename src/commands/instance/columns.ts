import type { Column } from '../../output/render.js';

export const INSTANCE_COLUMNS: Column[] = [
  { key: 'InstanceId', header: 'ID' },
  { key: 'Name', header: 'NAME' },
  { key: 'Status', header: 'STATUS' },
  { key: 'Concurrency', header: 'CONCURRENCY' },
  { key: 'Description', header: 'DESCRIPTION' },
  { key: 'ModifyTime', header: 'MODIFIED' },
];
