import { randomBytes } from 'node:crypto';
import type { Client } from '../client/client.js';
import type { Chatbot, ChatbotCatalog } from '../emulator/chatbots/model.js';
import { UsageError } from '../errors.js';
import type { Api } from '../manifest/live.js';

/**
 * A sandbox: a throw-away emulator in this process (its state in memory, on a loopback port, one
 * fresh key), seeded with instances from a configuration-as-code manifest (the documents `vn instance
 * export` writes and `vn apply` takes) and answering with the given chatbots. A suite runs against it
 * as against the service: `client` is a signed client on it, `instanceId` the seeded instance.
 * Used by `vn dialogue test --mutate` (one per mutant) and `vn apply --test` (the plan's result, tested
 * before anything is applied).
 *
 * The client is the caller's to make (`clientFor`, the shell's: a command passes its
 * `emulatorClient`), since only the Factory makes a Client; the domain is given a port.
 */

/** A signed client on `url` with `key`: the shell's (commands/emulator/seeding.ts emulatorClient). */
export type SandboxClientFor = (url: string, key: { id: string; secret: string }) => Promise<Client>;

export interface SandboxOptions {
  /**
   * The instance configuration: one manifest document (an object as `vn instance export -o json`
   * gives), a list of them, or the YAML/JSON text of a manifest file. A document's `id` (it pins a
   * live instance) is dropped: the sandbox makes its own instances, and `instances` maps them back.
   */
  manifest: Record<string, unknown> | Record<string, unknown>[] | string;
  /** The chatbots it answers with: a catalog, a list of bots, or a chatbots file's path; default the built-in demo bot. */
  chatbots?: ChatbotCatalog | Chatbot[] | string;
  clientFor: SandboxClientFor;
  /** The name its messages give the manifest (default `the sandbox manifest`). */
  manifestName?: string;
}

export interface SandboxInstance {
  /** The instance's id in the sandbox. */
  id: string;
  name: string;
  /** The `id` the manifest document pinned (a live instance's), when it had one. */
  sourceId?: string;
}

export interface Sandbox {
  /** The emulator's URL (loopback). */
  url: string;
  /** A signed client on it. */
  client: Client;
  /** The manifest's port on `client` (for reads such as DescribeNavigationConfig, or further writes). */
  api: Api;
  /** The first (or only) seeded instance's id: what a suite's `--instance` is set to. */
  instanceId: string;
  /** Every seeded instance, in the manifest's order. */
  instances: SandboxInstance[];
  /** The chatbots it answers with (the one each instance is associated with is `instances`' chatbot section, else the first). */
  chatbots: ChatbotCatalog;
  /** Stops the emulator and frees its state; safe more than once. */
  close(): Promise<void>;
}

/** Starts a sandbox emulator and seeds it; on a bad manifest or chatbots file nothing is left running (UsageError, exit 2). */
export async function openSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const config = await manifestOf(opts.manifest, opts.manifestName ?? 'the sandbox manifest');
  const chatbots = await catalogOf(opts.chatbots);
  const { startEmulator } = await import('../emulator/http.js');
  const key = { id: `LTAIvnsandbox${randomBytes(8).toString('hex')}`, secret: randomBytes(32).toString('base64url') };
  const emu = await startEmulator({ host: '127.0.0.1', port: 0, dataFile: ':memory:', accessKeys: [{ id: key.id, secret: key.secret, policy: 'full' }] });
  // the bots are given, not read from a file: the catalog is set before the first request asks for it
  emu.state.chatbots = chatbots.catalog;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await emu.close();
  };
  try {
    const client = await opts.clientFor(emu.url, key);
    const api = clientApi(client);
    const known = new Set(chatbots.catalog.bots.map((b) => b.id));
    const first = chatbots.catalog.bots[0]?.id;
    for (const d of config.instances) {
      // a bot the sandbox does not define (a chatbot on the service) is the sandbox's first
      const chatbot = d.sections.chatbot;
      if (first && (!chatbot || !known.has(String(chatbot.ChatbotInstanceId)))) d.sections.chatbot = { ...(chatbot ?? {}), ChatbotInstanceId: first };
    }
    const { makePlan, matchLive } = await import('../manifest/plan.js');
    const { executePlan } = await import('../manifest/apply.js');
    const plans = makePlan(config.instances, await matchLive(api, config.instances), { associateChatbots: true });
    const result = await executePlan(api, plans, () => undefined);
    const ids = new Map(result.created.map((c) => [c.name, c.instanceId]));
    const instances = config.instances.map((d, i) => {
      const id = ids.get(d.name);
      if (!id) throw new Error(`the sandbox did not create instance ${d.name}`);
      const sourceId = config.sourceIds[i];
      return { id, name: d.name, ...(sourceId ? { sourceId } : {}) };
    });
    return { url: emu.url, client, api, instanceId: (instances[0] as SandboxInstance).id, instances, chatbots: chatbots.catalog, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The manifest as a parsed configuration file, each document's pinning `id` taken out (and kept). */
async function manifestOf(
  manifest: SandboxOptions['manifest'],
  name: string,
): Promise<import('../manifest/load.js').ConfigFile & { sourceIds: (string | undefined)[] }> {
  let docs: unknown;
  if (typeof manifest === 'string') {
    const yaml = await import('yaml');
    try {
      docs = yaml.parseAllDocuments(manifest).flatMap((d) => {
        const js = d.toJS() as unknown;
        return js === null ? [] : Array.isArray(js) ? js : [js];
      });
    } catch (e) {
      throw new UsageError(`${name}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
    }
  } else docs = Array.isArray(manifest) ? manifest : [manifest];
  const list = (docs as unknown[]).map((d) => (d && typeof d === 'object' && !Array.isArray(d) ? { ...(d as Record<string, unknown>) } : d));
  const sourceIds = list.map((d) => {
    if (!d || typeof d !== 'object') return undefined;
    const rec = d as Record<string, unknown>;
    const id = typeof rec.id === 'string' ? rec.id : undefined;
    delete rec.id;
    return id;
  });
  const { parseConfigFile } = await import('../manifest/load.js');
  // JSON is YAML: the parser gives every problem its place and checks each value against the catalog
  const config = await parseConfigFile(name, JSON.stringify(list, null, 1));
  return { ...config, sourceIds };
}

async function catalogOf(chatbots: SandboxOptions['chatbots']): Promise<{ catalog: ChatbotCatalog }> {
  if (chatbots === undefined) {
    const { demoChatbot } = await import('../emulator/chatbots/demo.js');
    return { catalog: { source: 'built-in', bots: [demoChatbot()] } };
  }
  if (Array.isArray(chatbots)) return { catalog: { source: 'sandbox', bots: chatbots } };
  if (typeof chatbots !== 'string') return { catalog: chatbots };
  const { loadChatbotFile } = await import('../emulator/chatbots/load.js');
  const { ChatbotFileError } = await import('../emulator/chatbots/model.js');
  try {
    return { catalog: loadChatbotFile(chatbots) };
  } catch (e) {
    if (e instanceof ChatbotFileError) throw new UsageError(e.lines.join('\n'));
    throw e;
  }
}

/** The manifest's port on the sandbox's client. */
function clientApi(client: Client): Api {
  return {
    async call(action, params) {
      return (await client.call(action, params as never, { format: 'JSON' })).data as unknown as Record<string, unknown>;
    },
    async callAll(action, params) {
      const { ACTION_SPECS } = await import('../api/catalog.js');
      const { callAll } = await import('../client/paginate.js');
      return (await callAll(client, ACTION_SPECS[action], params as never)).data as unknown as Record<string, unknown>;
    },
  };
}
