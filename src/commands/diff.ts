import { DifferencesFound, UsageError } from '../errors.js';
import { defineCommand } from './define.js';
import { GATE_FLAGS } from './release-flags.js';

export default defineCommand({
  description:
    'With -f FILE: per instance and section, what differs between the file and the live instances (what `vn apply` would change). ' +
    'With two instance ids: what differs between them, the second one on --target-profile if given. A unified diff ' +
    '(coloured on a terminal); -o json or --query give the differences as data. Exit 0 when they match, 5 when they differ; ' +
    'with -f FILE --test, 11 when a dialogue test that passes now fails with the change (the gate of vn apply --test).',
  action: 'ListInstances',
  alsoSends: ['DescribeInstance', 'DescribeTTSConfig', 'DescribeNavigationConfig', 'GetAsrConfig'],
  paginate: false,
  waitUntil: false,
  args: [
    { name: 'instance-a', optional: true, description: 'first instance (with <instance-b>)' },
    { name: 'instance-b', optional: true, description: 'second instance' },
  ],
  flags: [
    { name: 'file', short: 'f', valueName: 'file', complete: 'file', description: 'configuration file (- for stdin)' },
    { name: 'target-profile', valueName: 'name', complete: 'profile', description: 'profile of <instance-b> (default: the same as the first)' },
    ...GATE_FLAGS,
  ],
  examples: ['vn diff -f hotline.yaml', 'vn diff 3f6e… 9a1c… --target-profile prod', 'vn diff -f hotline.yaml -o json --query "instances[].changes[]"'],
  async run(ctx, { args, flags }) {
    const a = args.instanceA as string | undefined;
    const b = args.instanceB as string | undefined;
    const file = flags.file as string | undefined;
    if (file !== undefined && (a || b)) throw new UsageError('give -f FILE or two instance ids, not both');
    if (file === undefined && !(a && b)) throw new UsageError('give -f FILE, or two instance ids to compare');
    if (flags.targetProfile !== undefined && file !== undefined) throw new UsageError('--target-profile compares two instances; with -f use --profile');
    const { gateOptions } = await import('../release/options.js');
    const gated = await gateOptions(flags);
    if (gated.tests && file === undefined) throw new UsageError('--test gates a change: give -f FILE');
    const { apiFor, renderText } = await import('../manifest/io.js');
    const diff = await import('../manifest/diff.js');
    let data: Awaited<ReturnType<typeof diff.diffFile>>;
    let gate: import('../release/gate.js').GateResult | undefined;
    if (file !== undefined) {
      const { readConfigText } = await import('../manifest/io.js');
      const { parseConfigFile } = await import('../manifest/load.js');
      const src = await readConfigText(ctx.io, file);
      const config = await parseConfigFile(src.name, src.text);
      data = await diff.diffFile(apiFor(ctx.api), config, `live${ctx.globals.profile ? ` (${ctx.globals.profile})` : ''}`);
      if (gated.tests)
        gate = await (await import('../release/diff-gate.js')).gateFile(apiFor(ctx.api), config, await (await import('./release-gate.js')).gateRun(ctx, gated));
    } else {
      const target = flags.targetProfile as string | undefined;
      const other = target ? ctx.forProfile(target) : ctx;
      const label = (p: string | undefined) => (p ? ` (${p})` : '');
      data = await diff.diffInstances(
        { api: apiFor(ctx.api), id: a as string, label: `a${label(ctx.globals.profile)}` },
        { api: apiFor(other.api), id: b as string, label: `b${label(target ?? ctx.globals.profile)}` },
      );
    }
    const gating = gate ? await import('../release/gate.js') : undefined;
    await renderText({ data: gating ? gating.withGate(data, gate) : data, view: { kind: 'manifest-diff' } }, ctx.globals, ctx.renderTarget());
    if (gate) for (const line of gating?.gateLines(gate) ?? []) ctx.err(line);
    gating?.enforceGate(gate, 'apply would be refused');
    if (!data.match) throw new DifferencesFound('the configurations differ');
    return undefined;
  },
});
