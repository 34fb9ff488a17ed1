import { ServiceError, UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    "Copies real instances into an emulator, so production's navigation config runs locally: reads them through the normal client with --from-profile " +
    '(as `vn instance export` does), then applies them to the emulator (as `vn apply` does). The emulator is --to URL, else --endpoint / VN_ENDPOINT, ' +
    'with the credentials of the environment (e.g. from `vn emulator start --print-env`); it must answer /_vn/health, so a real account is never written to. ' +
    'The chatbot association cannot be read back from the API and is not copied.',
  action: 'ListInstances',
  alsoSends: ['DescribeInstance', 'DescribeTTSConfig', 'DescribeNavigationConfig', 'GetAsrConfig', 'CreateInstance', 'ModifyInstance', 'ModifyTTSConfig'],
  paginate: false,
  flags: [
    { name: 'from-profile', required: true, description: 'the profile to read the instances from', valueName: 'name', complete: 'profile' },
    { name: 'instance', required: true, repeatable: true, description: 'an instance name or id to copy (repeatable)', valueName: 'name' },
    { name: 'to', description: 'the emulator URL (default: --endpoint, VN_ENDPOINT)', valueName: 'url' },
    { name: 'admin-key', description: "the emulator's --admin-key (or VN_ADMIN_KEY)", valueName: 'key' },
  ],
  examples: [
    'vn emulator seed --from-profile prod --instance hotline --to http://127.0.0.1:8080',
    'eval "$(cat emu.env)"; vn emulator seed --from-profile prod --instance hotline --instance billing',
  ],
  async run(ctx, { flags }) {
    const wantedNames = (flags.instance as string[]).map(String);
    const to = (flags.to as string | undefined) ?? ctx.globals.endpoint ?? ctx.env.VN_ENDPOINT;
    if (!to) throw new UsageError('which emulator? give --to URL (or --endpoint, VN_ENDPOINT)');
    const { adminCall, adminTarget } = await import('./admin-client.js');
    const target = adminTarget(ctx, to, flags.adminKey);
    const { applyToEmulator, clientApi, profileClient } = await import('./seeding.js');
    // never write to something that is not an emulator
    try {
      await adminCall(ctx, target, 'GET', '/health', undefined, { timeoutMs: 5000 });
    } catch (err) {
      if (err instanceof ServiceError)
        throw new UsageError(`${target.url} is not a vn emulator (GET /_vn/health: ${err.code}); seed writes only to an emulator`);
      throw err;
    }
    const sourceApi = await clientApi(await profileClient(ctx, String(flags.fromProfile)));
    const { listInstances } = await import('../../manifest/live.js');
    const { exportInstances, formatExport } = await import('../../manifest/export.js');
    const all = await listInstances(sourceApi);
    const ids: string[] = [];
    for (const w of wantedNames) {
      const hit = all.filter((i) => i.InstanceId === w || i.Name === w);
      if (hit.length === 0) throw new UsageError(`--instance ${w}: profile ${flags.fromProfile} has no instance of that name or id`);
      if (hit.length > 1) throw new UsageError(`--instance ${w}: several instances of profile ${flags.fromProfile} have that name; give the id`);
      ids.push((hit[0] as { InstanceId: string }).InstanceId);
    }
    const docs = await exportInstances(sourceApi, ids);
    const { parseConfigFile } = await import('../../manifest/load.js');
    const config = await parseConfigFile(`<instances of ${flags.fromProfile}>`, await formatExport(docs, 'yaml'));
    // the target: this command's credentials, on the emulator's URL
    const targetApi = await clientApi(await ctx.factory.client(undefined, { endpoint: target.url, dryRun: false }));
    const result = await applyToEmulator(targetApi, config, (line) => ctx.err(line));
    return { data: { seeded: config.instances.map((i) => i.name), from: flags.fromProfile, to: target.url, writes: result.writes } };
  },
});
