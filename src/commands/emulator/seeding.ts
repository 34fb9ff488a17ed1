import { Context } from '../../context.js';
import type { ConfigFile } from '../../manifest/load.js';

/**
 * Applies a configuration-as-code file to an emulator through the manifest's ports (plan, then
 * executePlan over `apiFor(ctx)`: the validator, the signer, the client), exactly as `vn apply`
 * would. What `vn emulator start --seed` and `vn emulator seed` share.
 */
export async function applyToEmulator(target: Context, config: ConfigFile, log: (line: string) => void): Promise<{ writes: number; created: string[] }> {
  const { apiFor } = await import('../../manifest/io.js');
  const { makePlan, matchLive } = await import('../../manifest/plan.js');
  const { executePlan } = await import('../../manifest/apply.js');
  const api = apiFor(target);
  const live = await matchLive(api, config.instances);
  const plans = makePlan(config.instances, live, { associateChatbots: true });
  const result = await executePlan(api, plans, log);
  return { writes: result.applied.length, created: result.created.map((c) => c.name) };
}

/** Credentials and endpoint variables that would point a context somewhere else than its profile. */
const POINTING = ['VN_ENDPOINT', 'VN_PROFILE', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'];

/** A context on exactly `profile` (no VN_ENDPOINT or key variables of the environment leak into it), closed with `ctx`. */
export function profileContext(ctx: Context, profile: string): Context {
  const env = { ...ctx.env };
  for (const k of POINTING) delete env[k];
  const other = new Context(ctx.io, env, ctx.now);
  other.globals = { ...ctx.globals, profile, endpoint: undefined };
  ctx.onDispose(() => other.dispose());
  return other;
}

/** A context on an emulator at `url` with one of its full-access keys, closed with `ctx`. */
export function emulatorContext(ctx: Context, url: string, key: { id: string; secret: string }): Context {
  const env: NodeJS.ProcessEnv = { ...ctx.env };
  for (const k of POINTING) delete env[k];
  Object.assign(env, { VN_ENDPOINT: url, ALIBABA_CLOUD_ACCESS_KEY_ID: key.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.secret });
  const other = new Context(ctx.io, env, ctx.now);
  other.globals = { ...ctx.globals, profile: undefined, endpoint: undefined, dryRun: false };
  ctx.onDispose(() => other.dispose());
  return other;
}
