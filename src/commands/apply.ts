import { UsageError } from '../errors.js';
import { confirm } from './confirm.js';
import { defineCommand } from './define.js';
import { RELEASE_FLAGS } from './release-flags.js';

export default defineCommand({
  description:
    'Prints a plan — per instance create / update / unchanged, and every field that changes — then applies it with the ' +
    'fewest calls. Asks on a terminal; refuses without --yes in scripts. --dry-run prints the plan and changes nothing. ' +
    'A second apply of the same file makes no write. A missing instance is created by name; on an error the apply stops, ' +
    'says what was applied and what remains, and exits 1 — running it again goes on from there. With --test, the dialogue ' +
    'tests run first on the current and on the planned configuration (in sandbox emulators, or on --test-target): a test ' +
    'that passes now and fails with the change refuses the apply (exit 11), and the plan names the tests per changed field. ' +
    'Every apply is recorded in a history (--history lists it; --rollback [ENTRY] goes back through the same plan).',
  action: 'ListInstances',
  alsoSends: [
    'CreateInstance',
    'ModifyInstance',
    'EnableInstance',
    'DisableInstance',
    'AssociateChatbotInstance',
    'ModifyTTSConfig',
    'ModifyGreetingConfig',
    'ModifySilenceTimeoutConfig',
    'ModifyUnrecognizingConfig',
    'ModifyAsrConfig',
  ],
  paginate: false,
  flags: [
    { name: 'file', short: 'f', valueName: 'file', complete: 'file', description: 'configuration file (- for stdin)' },
    { name: 'dry-run', type: 'bool', description: 'print the plan and send no write (the reads that make the plan are sent)' },
    { name: 'yes', short: 'y', type: 'bool', description: 'apply without asking (required when not on a terminal)' },
    {
      name: 'associate-chatbots',
      type: 'bool',
      description: 'also send the chatbot association of existing instances (it cannot be read back, so it is otherwise sent only on create)',
    },
    ...RELEASE_FLAGS,
  ],
  examples: [
    'vn apply -f hotline.yaml',
    'vn apply -f hotline.yaml --dry-run',
    'vn instance export 3f6e… -p staging | vn apply -f - -p prod --yes',
    'vn apply --history',
    'vn apply --rollback   # the newest entry: back to the configuration before it',
  ],
  async run(ctx, { flags }) {
    // `vn --dry-run apply …` means the same as `vn apply … --dry-run`: the plan needs its reads sent
    const dryRun = flags.dryRun === true || ctx.globals.dryRun;
    const release = await import('../release/options.js');
    const opts = await release.releaseOptions(ctx, { ...flags, dryRun });
    if (opts.mode === 'history') {
      const { historyListing } = await import('../release/record.js');
      return historyListing(opts.historyDir, (line) => ctx.err(line));
    }
    const file = String(flags.file);
    if (file === '-' && flags.yes !== true && !dryRun) {
      throw new UsageError('the file comes from stdin, so there is no terminal to confirm on: add --yes (or --dry-run)');
    }
    const { apiFor, readConfigText, renderText } = await import('../manifest/io.js');
    const { parseConfigFile } = await import('../manifest/load.js');
    const { makePlan, matchLive, writeCount } = await import('../manifest/plan.js');
    const rollback = opts.mode === 'rollback' ? await release.rollbackSource(ctx, opts) : undefined;
    const src = rollback ?? (await readConfigText(ctx.io, file));
    const config = await parseConfigFile(src.name, src.text);
    // the plan's reads are sent under --dry-run too: the dry run is this command's own (its writes are never sent)
    const api = apiFor(ctx.caller({ dryRun: false }));
    const live = await matchLive(api, config.instances);
    const plans = makePlan(config.instances, live, { associateChatbots: flags.associateChatbots === true });
    const writes = writeCount(plans);
    const data = {
      file: config.path,
      dryRun,
      instances: plans.map((p) => ({
        name: p.desired.name,
        ...(p.live ? { instanceId: p.live.id } : {}),
        action: p.action,
        changes: p.changes,
        calls: p.calls.map((c) => c.action),
        notes: p.notes,
      })),
      writes,
      ...(rollback ? { rollbackOf: rollback.entry.id } : {}),
    };
    const gating = opts.tests ? await import('../release/gate.js') : undefined;
    const gate = gating ? await (await import('./release-gate.js')).runReleaseGate(ctx, api, plans, opts) : undefined;
    const impact = opts.impactFrom ? await (await import('../release/impact.js')).readImpactReport(opts.impactFrom) : gate?.coverage;
    if (impact) (await import('../release/impact.js')).annotatePlan(data.instances, impact);
    await renderText({ data: gating ? gating.withGate(data, gate) : data, view: { kind: 'manifest-plan' } }, ctx.globals, ctx.renderTarget());
    if (gate) for (const line of gating?.gateLines(gate) ?? []) ctx.err(line);
    gating?.enforceGate(gate, 'nothing was applied');
    if (plans.every((p) => p.action === 'unchanged')) {
      ctx.err('nothing to change');
      return undefined;
    }
    if (dryRun) {
      ctx.err('dry run: nothing was changed');
      return undefined;
    }
    if (!(await confirm(ctx, 'Apply this plan?', flags.yes === true))) {
      ctx.err('not applied');
      return undefined;
    }
    const { executePlan } = await import('../manifest/apply.js');
    const { applyRecorded } = await import('../release/record.js');
    const meta = await release.recordMeta(ctx, opts, {
      source: rollback ? `rollback of ${rollback.entry.id}` : src.name,
      plan: data.instances,
      rollbackOf: rollback?.entry.id,
    });
    const { result, entry } = await applyRecorded(
      api,
      plans,
      meta,
      () => executePlan(api, plans, (line) => ctx.err(line)),
      (line) => ctx.err(line),
    );
    ctx.err(
      `applied ${result.applied.length} write${result.applied.length === 1 ? '' : 's'}; history entry ${entry.id} (vn apply --rollback ${entry.id} goes back)`,
    );
    return undefined;
  },
});
