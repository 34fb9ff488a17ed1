import { defineCommand } from '../../define.js';
import { asUsage, isFilePath, SNAPSHOT_FLAGS, whereOf, withStore } from './common.js';

export default defineCommand({
  description:
    "Saves the emulator's whole state (instances, configs, conversations, exports, recordings, uploads) as one portable JSON snapshot: " +
    'under a NAME kept beside the state, or to a FILE (a path with a / or ending in .json) to commit as a fixture. ' +
    'Works on a running emulator (--endpoint URL or VN_ENDPOINT, over /_vn/) or on a stopped state file (--data FILE).',
  args: [{ name: 'target', description: 'a snapshot name, or a file path (./fixture.json)' }],
  flags: SNAPSHOT_FLAGS,
  examples: ['vn emulator snapshot save clean --endpoint http://127.0.0.1:8080', 'vn emulator snapshot save ./fixtures/two-bots.json --data ./state.db'],
  async run(ctx, { args, flags }) {
    const target = String(args.target);
    const where = whereOf(ctx, flags);
    const snap = await import('../../../emulator/snapshot.js');
    const { writeFileAtomic } = await import('../../../atomic-file.js');
    if (!isFilePath(target)) snap.checkSnapshotName(target);
    if (where.kind === 'running') {
      const { adminCall, adminTarget } = await import('../admin-client.js');
      const t = adminTarget(ctx, undefined, flags.adminKey);
      if (!isFilePath(target)) return { data: await adminCall(ctx, t, 'POST', '/snapshots/save', { name: target }) };
      const body = await adminCall<unknown>(ctx, t, 'POST', '/snapshots/save', {});
      const checked = await asUsage(Promise.resolve().then(() => snap.checkSnapshot(body, `the snapshot from ${t.url}`)));
      await writeFileAtomic(target, `${JSON.stringify(checked)}\n`, { mode: 0o600 });
      return { data: { saved: target, schemaVersion: checked.schemaVersion } };
    }
    return {
      data: await withStore(where.dataFile, async (store) => {
        const taken = snap.takeSnapshot(store, Date.now());
        if (isFilePath(target)) {
          await writeFileAtomic(target, `${JSON.stringify(taken)}\n`, { mode: 0o600 });
          return { saved: target, schemaVersion: taken.schemaVersion };
        }
        return { saved: target, file: await asUsage(snap.saveNamedSnapshot(where.snapshotDir, target, taken)) };
      }),
    };
  },
});
