import { RuntimeFailure, ThresholdExceeded, UsageError } from '../errors.js';
import { defineCommand } from './define.js';
import type { HandlerContext } from './handler-context.js';

/** More instances than this are watched as the first this many (each costs three reads a refresh). */
const MAX_INSTANCES = 20;

export default defineCommand({
  description:
    'A live view of instances while a change lands: calls now against the concurrency cap (GetRealTimeConcurrency), ' +
    'conversations in the last minutes, and the transfer, hang-up and unrecognized rates (DescribeStatisticalData, ' +
    'ListConversations) with sparklines, and the last `vn apply` marked on the timeline. Full screen on a terminal ' +
    '(q quits, p or space pauses, tab or n shows the next instance); one plain line per instance and refresh when piped. ' +
    'With --once it looks once, prints the lines and exits 12 when a --max-… threshold is exceeded (0 otherwise): for cron and CI.',
  // its own --interval is the refresh, not --wait-until's poll
  waitUntil: false,
  args: [{ name: 'instances', variadic: true, optional: true, complete: 'instance', description: 'instances by id or name (default: every instance)' }],
  flags: [
    { name: 'interval', valueName: 'seconds', description: 'seconds between refreshes (default 5)' },
    { name: 'window', valueName: 'minutes', description: 'the minutes the numbers cover, up to now (default 15)' },
    { name: 'once', type: 'bool', description: 'look once, print one line per instance, and exit (12 when a threshold is exceeded)' },
    { name: 'max-transfer-rate', valueName: 'rate', description: 'threshold for the share of calls transferred to an agent (0.3 or 30%)' },
    { name: 'max-hangup-rate', valueName: 'rate', description: 'threshold for the share of ended calls the bot hung up' },
    { name: 'max-unrecognized-rate', valueName: 'rate', description: 'threshold for the share of caller turns the bot did not understand' },
    { name: 'max-concurrency-ratio', valueName: 'ratio', description: 'threshold for calls now / the concurrency cap' },
  ],
  examples: [
    'vn top',
    'vn top 客服热线 --interval 2 --window 30',
    'vn top 客服热线 --once --max-transfer-rate 0.3 --max-concurrency-ratio 0.9   # exit 12 when exceeded',
  ],
  async run(ctx, { args, flags }) {
    const { parseThreshold, THRESHOLD_FLAGS } = await import('../top/thresholds.js');
    const thresholds = Object.fromEntries(
      THRESHOLD_FLAGS.map(({ key, flag }) => [key, parseThreshold(flags[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())], flag)]),
    ) as import('../top/thresholds.js').Thresholds;
    const intervalSeconds = numberFlag(flags.interval, 'interval', 5, 0.5, 3600);
    const windowMinutes = numberFlag(flags.window, 'window', 15, 1, 24 * 60);
    if (!Number.isInteger(windowMinutes)) throw new UsageError(`--window must be a whole number of minutes, got "${String(flags.window)}"`);
    const instances = await pickInstances(ctx, (args.instances as string[] | undefined) ?? []);
    const { applyHistoryDir, lastApplies } = await import('../top/last-apply.js');
    const historyDir = applyHistoryDir(ctx.configDir, ctx.env);
    const { sampleInstance } = await import('../top/sample.js');
    const look = async () => {
      const at = ctx.now().getTime();
      const samples = await Promise.all(instances.map((i) => sampleInstance(ctx.api, i.id, i.name, at, windowMinutes * 60_000)));
      const applies = await lastApplies(
        historyDir,
        instances.map((i) => i.id),
      );
      return { samples, applies, at };
    };
    const view = await import('../top/view.js');

    if (flags.once === true) {
      const { samples, applies } = await look();
      const failed = samples.find((s) => s.error);
      if (failed) throw failed.failure instanceof Error ? failed.failure : new RuntimeFailure(`could not read the numbers: ${failed.error}`);
      for (const s of samples) ctx.out(view.plainLine(s, applies, thresholds));
      const { breachesOf } = await import('../top/thresholds.js');
      const breaches = samples.flatMap((s) => breachesOf(s, thresholds));
      for (const b of breaches) ctx.err(`${b.name ?? b.instanceId}: ${b.what} ${view.pct(b.value)} is over --${b.flag} ${view.pct(b.max)}`);
      if (breaches.length) throw new ThresholdExceeded(`${breaches.length} threshold${breaches.length === 1 ? '' : 's'} exceeded`);
      return undefined;
    }
    const { runLive } = await import('../top/live.js');
    await runLive(ctx, { look, thresholds, intervalSeconds, windowMinutes });
    return undefined;
  },
});

function numberFlag(raw: unknown, flag: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max}, got "${String(raw)}"`);
  return n;
}

/** The instances to watch: those named (ids or names, resolved as everywhere), else every instance of the profile. */
async function pickInstances(ctx: HandlerContext, refs: string[]): Promise<{ id: string; name?: string }[]> {
  const out = await ctx.caller({ dryRun: false })('ListInstances', { PageNumber: 1, PageSize: 100 }, { all: true });
  const listed = ((out.data as { Instances?: { InstanceId?: string; Name?: string }[] }).Instances ?? []).filter(
    (i): i is { InstanceId: string; Name?: string } => typeof i.InstanceId === 'string',
  );
  const names = new Map(listed.map((i) => [i.InstanceId, i.Name]));
  let ids: string[];
  if (refs.length) {
    const { resolveInstanceRef } = await import('./instance-ref.js');
    ids = [];
    for (const r of refs) ids.push(await resolveInstanceRef(ctx.caller({ dryRun: false }), r, '<instances>'));
    ids = [...new Set(ids)];
  } else {
    ids = listed.map((i) => i.InstanceId);
    if (ids.length === 0) throw new UsageError('the profile has no instances to watch (vn instance create)');
    if (ids.length > MAX_INSTANCES) {
      ctx.err(`note: watching the first ${MAX_INSTANCES} of ${ids.length} instances; name the ones to watch`);
      ids = ids.slice(0, MAX_INSTANCES);
    }
  }
  return ids.map((id) => {
    const name = names.get(id);
    return name ? { id, name } : { id };
  });
}
