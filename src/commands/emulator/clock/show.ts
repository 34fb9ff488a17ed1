import { defineCommand } from '../../define.js';
import { CLOCK_FLAGS } from './common.js';

export default defineCommand({
  description: "Prints a running emulator's time (GET /_vn/clock): whether it is virtual, and how far ahead of the wall clock.",
  flags: CLOCK_FLAGS,
  examples: ['vn emulator clock show --endpoint http://127.0.0.1:8080'],
  async run(ctx, { flags }) {
    const { adminCall, adminTarget } = await import('../admin-client.js');
    return { data: await adminCall(ctx, adminTarget(ctx, undefined, flags.adminKey), 'GET', '/clock') };
  },
});
