import { shownName } from '../../config/profiles.js';
import { UsageError } from '../../errors.js';
import { confirm } from '../confirm.js';
import { defineCommand } from '../define.js';
import { openStore } from './shared.js';

export default defineCommand({
  args: [{ name: 'name', description: 'profile name' }],
  flags: [{ name: 'yes', short: 'y', type: 'bool', description: 'do not ask for confirmation' }],
  async run(ctx, { args, flags }) {
    const name = String(args.name);
    const store = await openStore(ctx);
    if (!store.get(name)) throw new UsageError(`no profile named ${shownName(name)}`);
    if (!(await confirm(ctx, `Delete profile "${name}"?`, flags.yes === true))) return undefined;
    await store.delete(name);
    ctx.err(`deleted profile "${name}"`);
    return undefined;
  },
});
