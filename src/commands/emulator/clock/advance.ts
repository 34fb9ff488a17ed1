import { UsageError } from '../../../errors.js';
import { defineCommand } from '../../define.js';
import { CLOCK_FLAGS } from './common.js';

export default defineCommand({
  description:
    "Moves a running emulator's virtual clock forward (it must run with --virtual-clock): export tasks finish, STS tokens and signed URLs expire, " +
    'and new conversations and statistics land in the later hour.',
  args: [{ name: 'duration', description: '30s, 15m, 2h, 1d, 1h30m or 500ms' }],
  flags: CLOCK_FLAGS,
  examples: ['vn emulator clock advance 30s --endpoint http://127.0.0.1:8080', 'vn emulator clock advance 2h'],
  async run(ctx, { args, flags }) {
    const { parseDuration } = await import('../../../emulator/clock.js');
    const ms = parseDuration(String(args.duration));
    if (ms === undefined) throw new UsageError(`"${args.duration}" is not a duration: 30s, 15m, 2h, 1d, 1h30m or 500ms`);
    const { adminCall, adminTarget } = await import('../admin-client.js');
    return { data: await adminCall(ctx, adminTarget(ctx, undefined, flags.adminKey), 'POST', '/clock', { advance: ms }) };
  },
});
