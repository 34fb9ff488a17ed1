import { defineCommand } from '../../define.js';
import { asUsage, isFilePath, SNAPSHOT_FLAGS, whereOf, withStore } from './common.js';

export default defineCommand({
  description:
    "Replaces the emulator's whole state with a snapshot (a NAME kept beside the state, or a FILE). The snapshot's format and schema " +
    'versions are checked first: a corrupt file, or one from a newer vn, is refused and nothing changes; an older schema is migrated. ' +
    'Works on a running emulator (--endpoint URL or VN_ENDPOINT) or on a stopped state file (--data FILE).',
  args: [{ name: 'source', description: 'a snapshot name, or a file path (./fixture.json)' }],
  flags: SNAPSHOT_FLAGS,
  examples: ['vn emulator snapshot load clean --endpoint http://127.0.0.1:8080', 'vn emulator snapshot load ./fixtures/two-bots.json --data ./state.db'],
  async run(ctx, { args, flags }) {
    const source = String(args.source);
    const where = whereOf(ctx, flags);
    const snap = await import('../../../emulator/snapshot.js');
    const file = isFilePath(source);
    if (!file) snap.checkSnapshotName(source);
    // a file is read and checked here, before anything is sent or opened
    const fromFile = file ? await asUsage(snap.readSnapshotFile(source)) : undefined;
    if (where.kind === 'running') {
      const { adminCall, adminTarget } = await import('../admin-client.js');
      const t = adminTarget(ctx, undefined, flags.adminKey);
      return { data: await adminCall(ctx, t, 'POST', '/snapshots/load', fromFile ? { snapshot: fromFile } : { name: source }) };
    }
    return {
      data: await withStore(where.dataFile, async (store) => {
        const s = fromFile ?? (await asUsage(snap.readSnapshotFile(snap.snapshotFile(where.snapshotDir, source), `snapshot "${source}"`)));
        await asUsage(snap.loadSnapshot(store, s));
        return { loaded: source, schemaVersion: s.schemaVersion, createdAt: s.createdAt };
      }),
    };
  },
});
