import { defineCommand } from '../define.js';
import { TIME_RANGE_FLAGS, timeRangeParams } from '../time.js';
import { checkExportFlags, finishExport, WAIT_FLAGS, wantsWait } from './shared.js';

export default defineCommand({
  action: 'ExportConversationDetails',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [{ name: 'calling-number', param: 'CallingNumber', description: 'only calls from this number' }, ...TIME_RANGE_FLAGS, ...WAIT_FLAGS],
  examples: [
    'vn export conversations 3f6e… --from -7d --output-file last-week.csv',
    'vn export conversations 3f6e… --calling-number 13800000000   # prints the task id; see `vn export status`',
  ],
  async run(ctx, { params, flags }) {
    const range = timeRangeParams(flags, ctx.now());
    await checkExportFlags(flags);
    const instanceId = params.InstanceId as string;
    if (!wantsWait(flags)) {
      const out = await ctx.api('ExportConversationDetails', { ...params, ...range });
      const taskId = (out.data as { ExportTaskId?: string }).ExportTaskId;
      return { ...out, view: { message: `export ${taskId} started; follow it with: vn export status ${instanceId} ${taskId}` } };
    }
    const client = await ctx.client();
    const started = await client.call<{ ExportTaskId?: string }>('ExportConversationDetails', { ...params, ...range }, { format: 'JSON' });
    const taskId = String(started.data.ExportTaskId ?? '');
    const { data, message } = await finishExport(ctx, instanceId, taskId, flags);
    return { data, view: { message } };
  },
});
