import type { ActionName } from '../../api/catalog.js';
import type { Client } from '../../client/client.js';
import type { Api } from '../../manifest/live.js';
import type { ConfigFile } from '../../manifest/load.js';
import type { ClientPolicy } from '../../ports.js';
import type { HandlerContext } from '../define.js';

/**
 * What `vn emulator start --seed` and `vn emulator seed` share: a configuration-as-code file
 * applied through the manifest's ports (plan, then executePlan over an `Api`), exactly as `vn apply`
 * applies one, on a signed client (the validator, the signer, retries).
 */
export async function applyToEmulator(api: Api, config: ConfigFile, log: (line: string) => void): Promise<{ writes: number; created: string[] }> {
  const { makePlan, matchLive } = await import('../../manifest/plan.js');
  const { executePlan } = await import('../../manifest/apply.js');
  const live = await matchLive(api, config.instances);
  const plans = makePlan(config.instances, live, { associateChatbots: true });
  const result = await executePlan(api, plans, log);
  return { writes: result.applied.length, created: result.created.map((c) => c.name) };
}

/** The manifest's port on one signed client. */
export async function clientApi(client: Client): Promise<Api> {
  const { ACTION_SPECS } = await import('../../api/catalog.js');
  const { callAll } = await import('../../client/paginate.js');
  return {
    async call(action, params) {
      return (await client.call(action, params, { format: 'JSON' })).data;
    },
    async callAll(action, params) {
      return (await callAll(client, ACTION_SPECS[action as ActionName], params)).data;
    },
  };
}

/** A Factory of its own for this command (another environment or profile), on the command's HTTP transport, disposed with it. */
async function childFactory(ctx: HandlerContext, env: NodeJS.ProcessEnv, globals: Partial<HandlerContext['globals']>) {
  const { Factory } = await import('../../factory.js');
  const factory = new Factory({
    env,
    configDir: ctx.configDir,
    now: ctx.now,
    globals: () => ({ ...ctx.globals, ...globals }),
    out: (text) => ctx.out(text),
    err: (text) => ctx.err(text),
  }).override({ transport: () => ctx.factory.transport() });
  ctx.onDispose(() => factory.dispose());
  return factory;
}

/**
 * A client on an emulator with one of its keys. The key is handed over as a credential provider,
 * not resolved as a profile, so it is not added to the redaction list: the emulator's own key is
 * what `--print-env` and the ready file are there to give out.
 */
export async function emulatorClient(
  ctx: HandlerContext,
  url: string,
  key: { id: string; secret: string },
  policy: Pick<ClientPolicy, 'timeoutMs' | 'retries'> = {},
): Promise<Client> {
  const credentials = { accessKeyId: key.id, accessKeySecret: key.secret };
  const factory = await childFactory(ctx, ctx.env, { dryRun: false });
  factory.override({ credentials: async () => ({ name: 'emulator', get: async () => credentials }) });
  return factory.client(undefined, { endpoint: url, ...policy });
}

/** Variables that point a profile elsewhere than where it says (the target emulator's, from --print-env). */
const POINTING = ['VN_ENDPOINT', 'VN_PROFILE', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'];

/**
 * A client on exactly `profile`: its own endpoint and credentials, none of the environment's
 * VN_ENDPOINT or keys (which, in a shell set up with --print-env, point at the emulator).
 */
export async function profileClient(ctx: HandlerContext, profile: string): Promise<Client> {
  const env = { ...ctx.env };
  for (const k of POINTING) delete env[k];
  return (await childFactory(ctx, env, { profile, endpoint: undefined, dryRun: false })).client();
}
