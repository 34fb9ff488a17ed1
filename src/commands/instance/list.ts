import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'ListInstances',
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'instances per page' },
    { name: 'name', param: 'Name', description: 'only instances whose name contains this (with --name-exact: whose name is this)' },
    { name: 'name-exact', type: 'bool', description: 'with --name: only the instance named exactly so (names are unique: at most one)' },
    { name: 'status', param: 'Status', description: 'only instances in this status', choices: ['PUBLISHED', 'DRAFTED', 'DISABLED'] },
  ],
  examples: [
    'vn instance list',
    'vn instance list --all -o json --query "Instances[].InstanceId"',
    'vn instance list --name 示例热线 --name-exact -o text --query "Instances[0].InstanceId"',
  ],
  async run(ctx, { flags, params }) {
    if (flags.nameExact !== true) return ctx.api('ListInstances', params, { all: flags.all === true });
    const name = flags.name;
    if (typeof name !== 'string') throw new UsageError('--name-exact needs --name');
    // the service's Name filter matches a substring: every page of its matches, then the one named so
    const out = await ctx.api('ListInstances', params, { all: true });
    const data = out.data as { Instances?: { Name?: string }[]; TotalCount?: number };
    const exact = (data.Instances ?? []).filter((i) => i.Name === name);
    const filtered = { ...data, Instances: exact, TotalCount: exact.length };
    return { ...out, data: filtered as typeof out.data, raw: JSON.stringify(filtered), view: { ...out.view, page: undefined } };
  },
});
