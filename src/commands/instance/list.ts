import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'ListInstances',
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'instances per page' },
    { name: 'name', param: 'Name', description: 'only instances whose name contains this' },
    { name: 'status', param: 'Status', description: 'only instances in this status', choices: ['PUBLISHED', 'DRAFTED', 'DISABLED'] },
  ],
  examples: ['vn instance list', 'vn instance list --all -o json --query "Instances[].InstanceId"'],
});
