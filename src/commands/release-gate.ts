import type { Api } from '../manifest/live.js';
import type { InstancePlan } from '../manifest/plan.js';
import type { GateOptions, GateResult } from '../release/gate.js';
import type { ReleaseOptions } from '../release/options.js';
import type { HandlerContext } from './handler-context.js';

/** What the gate needs from the command: its suites and bots, a client on a sandbox, the turns' timeout. */
export async function gateRun(ctx: HandlerContext, opts: Pick<ReleaseOptions, 'tests' | 'suites' | 'chatbots' | 'minCoverage'>): Promise<GateOptions> {
  const { emulatorClient } = await import('./emulator/seeding.js');
  return {
    patterns: opts.tests ?? [],
    ...(opts.suites ? { suites: opts.suites } : {}),
    ...(opts.chatbots !== undefined ? { chatbots: opts.chatbots } : {}),
    clientFor: (url, key) => emulatorClient(ctx, url, key),
    timeoutMs: ctx.globals.timeout * 1000,
    ...(opts.minCoverage ? { minCoverage: opts.minCoverage } : {}),
  };
}

/** The gate `--test` asks for: in sandboxes, or on the staging instance of `--test-target`. */
export async function runReleaseGate(
  ctx: HandlerContext,
  api: Api,
  plans: InstancePlan[],
  opts: Pick<ReleaseOptions, 'tests' | 'suites' | 'chatbots' | 'minCoverage' | 'testTarget'>,
): Promise<GateResult | undefined> {
  const gate = await import('../release/gate.js');
  const run = await gateRun(ctx, opts);
  if (opts.testTarget === undefined) return gate.gatePlan(api, plans, run);
  const { clientFor: _c, chatbots: _b, ...rest } = run;
  return gate.gateOnStaging(api, plans, opts.testTarget, { ...rest, client: await ctx.client({ timeoutMs: run.timeoutMs }), log: (line) => ctx.err(line) });
}
