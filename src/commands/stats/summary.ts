import { defineCommand } from '../define.js';
import { TIME_RANGE_FLAGS, timeRangeParams } from '../time.js';

export const TIME_UNITS = ['hour', 'day'] as const;

/** The wire spelling: the seed's examples write "Hour" and "Day/Hour" (seed: 12.4, 12.5). */
export function wireTimeUnit(unit: unknown): string {
  return unit === 'hour' ? 'Hour' : 'Day';
}

export default defineCommand({
  action: 'DescribeStatisticalData',
  watch: true,
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'time-unit', param: 'TimeUnit', type: 'string', choices: TIME_UNITS, valueName: 'unit', description: 'one row per hour or per day' },
    ...TIME_RANGE_FLAGS,
  ],
  examples: [
    'vn stats summary 3f6e… --time-unit hour --from -24h',
    'vn stats summary 3f6e… --time-unit day --from 2024-03-01 --to 2024-03-31 -o json',
    'vn stats summary 3f6e… --time-unit hour --from -6h --watch --interval 30',
  ],
  async run(ctx, { params, flags }) {
    const out = await ctx.api('DescribeStatisticalData', { ...params, TimeUnit: wireTimeUnit(flags.timeUnit), ...timeRangeParams(flags, ctx.now()) });
    return { ...out, view: { ...out.view, kind: 'stats' } };
  },
});
