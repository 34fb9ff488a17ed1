import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    "Empties a running emulator's state (POST /_vn/reset): instances, configurations, conversations, exports, recordings and uploads go; " +
    'its keys, chatbots and fault rules stay. For a clean start between tests.',
  flags: [{ name: 'admin-key', description: "the emulator's --admin-key (or VN_ADMIN_KEY)", valueName: 'key' }],
  examples: ['vn emulator reset --endpoint http://127.0.0.1:8080'],
  async run(ctx, { flags }) {
    const { adminCall, adminTarget } = await import('./admin-client.js');
    return { data: await adminCall(ctx, adminTarget(ctx, undefined, flags.adminKey), 'POST', '/reset') };
  },
});
