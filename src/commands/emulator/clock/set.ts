import { UsageError } from '../../../errors.js';
import { defineCommand } from '../../define.js';
import { CLOCK_FLAGS } from './common.js';

export default defineCommand({
  description: "Sets a running emulator's virtual clock (--virtual-clock) to a time; it runs on from there.",
  args: [{ name: 'time', description: 'ISO 8601, e.g. 2030-01-01T09:00:00Z' }],
  flags: CLOCK_FLAGS,
  examples: ['vn emulator clock set 2030-01-01T09:00:00Z --endpoint http://127.0.0.1:8080'],
  async run(ctx, { args, flags }) {
    const time = String(args.time);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(time) || !Number.isFinite(Date.parse(time))) {
      throw new UsageError(`"${time}" is not an ISO 8601 time with a zone (e.g. 2030-01-01T09:00:00Z)`);
    }
    const { adminCall, adminTarget } = await import('../admin-client.js');
    return { data: await adminCall(ctx, adminTarget(ctx, undefined, flags.adminKey), 'POST', '/clock', { set: time }) };
  },
});
