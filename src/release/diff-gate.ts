import type { Api } from '../manifest/live.js';
import type { ConfigFile } from '../manifest/load.js';
import { type GateOptions, type GateResult, gatePlan } from './gate.js';

/** `vn diff -f FILE --test`: the gate of the plan `vn apply -f FILE` would make (the reads are the diff's own, sent again). */
export async function gateFile(api: Api, config: ConfigFile, opts: GateOptions): Promise<GateResult | undefined> {
  const { makePlan, matchLive } = await import('../manifest/plan.js');
  return gatePlan(api, makePlan(config.instances, await matchLive(api, config.instances)), opts);
}
