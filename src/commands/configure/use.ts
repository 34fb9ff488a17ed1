import { defineCommand } from '../define.js';
import { openStore } from './shared.js';

export default defineCommand({
  args: [{ name: 'name', description: 'profile name (or "local" for the built-in emulator)' }],
  async run(ctx, { args }) {
    const store = await openStore(ctx);
    await store.use(String(args.name));
    ctx.err(`current profile: ${args.name}`);
    return undefined;
  },
});
