import { defineCommand } from '../../define.js';
import { SNAPSHOT_FLAGS, whereOf } from './common.js';

export default defineCommand({
  description: 'Lists the named snapshots of a running emulator (--endpoint URL or VN_ENDPOINT) or beside a stopped state file (--data FILE).',
  flags: SNAPSHOT_FLAGS,
  listField: 'snapshots',
  examples: ['vn emulator snapshot list --endpoint http://127.0.0.1:8080'],
  async run(ctx, { flags }) {
    const where = whereOf(ctx, flags);
    if (where.kind === 'running') {
      const { adminCall, adminTarget } = await import('../admin-client.js');
      return { data: await adminCall(ctx, adminTarget(ctx, undefined, flags.adminKey), 'GET', '/snapshots') };
    }
    const { listSnapshots } = await import('../../../emulator/snapshot.js');
    return { data: { dir: where.snapshotDir, snapshots: await listSnapshots(where.snapshotDir) } };
  },
});
