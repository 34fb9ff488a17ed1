import type { GateOptions } from '../release/gate.js';
import type { ReleaseOptions } from '../release/options.js';
import type { HandlerContext } from './handler-context.js';

/** What the gate needs from the command: its suites and bots, a client on a sandbox, the turns' timeout. */
export async function gateRun(ctx: HandlerContext, opts: Pick<ReleaseOptions, 'tests' | 'chatbots' | 'minCoverage'>): Promise<GateOptions> {
  const { emulatorClient } = await import('./emulator/seeding.js');
  return {
    patterns: opts.tests ?? [],
    ...(opts.chatbots !== undefined ? { chatbots: opts.chatbots } : {}),
    clientFor: (url, key) => emulatorClient(ctx, url, key),
    timeoutMs: ctx.globals.timeout * 1000,
    ...(opts.minCoverage ? { minCoverage: opts.minCoverage } : {}),
  };
}
