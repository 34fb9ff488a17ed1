import { defineCommand } from '../define.js';
import { TIME_UNITS, wireTimeUnit } from '../stats/summary.js';
import { TIME_RANGE_FLAGS, timeRangeParams } from '../time.js';
import { checkExportFlags, finishExport, WAIT_FLAGS, wantsWait } from './shared.js';

export default defineCommand({
  action: 'ExportStatisticalData',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'time-unit', param: 'TimeUnit', type: 'string', choices: TIME_UNITS, valueName: 'unit', description: 'one row per hour or per day' },
    // seed: 12.5 ExportStatisticalData — required, table example "statistical" (its request example sends "")
    { name: 'export-type', param: 'ExportType', default: 'statistical', valueName: 'type', description: 'what to export' },
    ...TIME_RANGE_FLAGS,
    ...WAIT_FLAGS,
  ],
  examples: ['vn export statistics 3f6e… --time-unit day --from 2024-03-01 --to 2024-03-31 --output-file march.csv'],
  async run(ctx, { params, flags }) {
    const range = timeRangeParams(flags, ctx.now());
    await checkExportFlags(flags);
    const instanceId = params.InstanceId as string;
    const wire = { ...params, TimeUnit: wireTimeUnit(flags.timeUnit), ...range };
    if (!wantsWait(flags)) {
      const out = await ctx.api('ExportStatisticalData', wire);
      const taskId = (out.data as { ExportTaskId?: string }).ExportTaskId;
      return { ...out, view: { message: `export ${taskId} started; follow it with: vn export status ${instanceId} ${taskId}` } };
    }
    const client = await ctx.client();
    const started = await client.call<{ ExportTaskId?: string }>('ExportStatisticalData', wire, { format: 'JSON' });
    const { data, message } = await finishExport(ctx, instanceId, String(started.data.ExportTaskId ?? ''), flags);
    return { data, view: { message } };
  },
});
