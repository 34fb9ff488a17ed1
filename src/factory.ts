import type { ActionName } from './api/catalog.js';
import type { Client, CredentialProvider, Product } from './client/client.js';
import type { Transport } from './client/transport.js';
import type { GlobalOptions } from './commands/globals.js';
import type { Endpoint } from './config/endpoint.js';
import type { ProfileStore } from './config/profiles.js';
import type { ResolvedProfile } from './config/resolve.js';
import type { ClientPolicy, Clock } from './ports.js';

/**
 * The Factory, after gh's pkg/cmdutil/factory.go: lazy getters for the heavy pieces of the shell.
 * Each piece is made once, on first use (its module imported then, so start-up stays light), and
 * its disposal registered once. This is the one place production wires them; a test overrides any
 * getter (`override({ transport })` in particular) before its first use.
 */
export interface FactoryInput {
  env: NodeJS.ProcessEnv;
  configDir: string;
  now: Clock;
  /** The global options as parsed for this command (read when a piece is first made, not before). */
  globals: () => Readonly<GlobalOptions>;
  /** Where the client's dry-run description and --debug trace go (the one writer). */
  out: (text: string) => void;
  err: (text: string) => void;
}

/** An embedded emulator, running in this process (the `local` profile's). */
export interface EmbeddedEmulator {
  url: string;
}

/** The getters a test may replace. */
export interface FactoryOverrides {
  config?: () => Promise<ProfileStore>;
  profile?: () => Promise<ResolvedProfile>;
  credentials?: () => Promise<CredentialProvider>;
  transport?: () => Promise<Transport>;
  emulator?: (key: { id: string; secret: string }) => Promise<EmbeddedEmulator>;
}

/** A client's policy, plus the endpoint of a product other than Voice Navigator (default: the profile's). */
export interface ClientRequest extends ClientPolicy {
  endpoint?: string;
}

export class Factory {
  private readonly pieces = new Map<string, Promise<unknown>>();
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private readonly clients: Client<string>[] = [];
  private overrides: FactoryOverrides = {};
  /** An STS endpoint for this command (`configure whoami --sts-endpoint`), set before the profile is resolved. */
  private stsEndpointOverride?: string;

  constructor(private readonly input: FactoryInput) {}

  /** The STS endpoint that role-assuming providers and whoami use, for this command only. */
  useStsEndpoint(url: string): this {
    this.stsEndpointOverride = url;
    return this;
  }

  /** Replaces getters (tests); a piece already made stays as it was made. */
  override(overrides: FactoryOverrides): this {
    this.overrides = { ...this.overrides, ...overrides };
    return this;
  }

  /** The one place a piece is made: once, on first use. */
  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.pieces.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.pieces.set(key, p);
    }
    return p;
  }

  /** Whether a piece has been asked for (made or being made). */
  made(key: 'config' | 'profile' | 'credentials' | 'transport' | 'emulator' | 'endpoint'): boolean {
    return this.pieces.has(key);
  }

  /** The profile store (config.json under the config dir; changes under its lock). */
  config(): Promise<ProfileStore> {
    return this.once('config', async () => {
      if (this.overrides.config) return this.overrides.config();
      const { ProfileStore } = await import('./config/profiles.js');
      return ProfileStore.open(this.input.configDir);
    });
  }

  /** The profile this command runs as: the credential chain's winner, its region and endpoint. */
  profile(): Promise<ResolvedProfile> {
    return this.once('profile', async () => {
      if (this.overrides.profile) return this.overrides.profile();
      const { resolveProfile } = await import('./config/resolve.js');
      const g = this.input.globals();
      return resolveProfile({
        env: this.input.env,
        profile: g.profile,
        region: g.region,
        endpoint: g.endpoint,
        ...(this.stsEndpointOverride !== undefined ? { stsEndpoint: this.stsEndpointOverride } : {}),
        // STS, a metadata service or a credentials URI: the same transport, trace and limits as the API
        http: {
          transport: await this.transport(),
          timeoutMs: g.timeout * 1000,
          retries: g.retries,
          debug: g.debug ? (line) => this.input.err(`[debug] ${line}`) : undefined,
        },
      });
    });
  }

  /** The credentials every request is signed with: the chain's winner, renewed before it expires. */
  credentials(): Promise<CredentialProvider> {
    return this.once('credentials', async () => {
      if (this.overrides.credentials) return this.overrides.credentials();
      return (await this.profile()).credentials;
    });
  }

  /** The HTTP seam: production's keep-alive node:http agents (closed at the end), or a test's Transport. */
  transport(): Promise<Transport> {
    return this.once('transport', async () => {
      if (this.overrides.transport) return this.overrides.transport();
      const { closeTransport, httpTransport } = await import('./client/transport.js');
      this.onDispose(() => closeTransport());
      return httpTransport;
    });
  }

  /** The embedded emulator of the `local` profile, started in this process on a loopback port (closed at the end). */
  emulator(key: { id: string; secret: string }): Promise<EmbeddedEmulator> {
    return this.once('emulator', async () => {
      if (this.overrides.emulator) return this.overrides.emulator(key);
      const { startLocalEmulator } = await import('./emulator/local.js');
      const emu = await startLocalEmulator({ configDir: this.input.configDir, env: this.input.env, key });
      this.onDispose(() => emu.close());
      return emu;
    });
  }

  /** Where the profile's requests go: the region's endpoint, the profile's URL, or the embedded emulator. */
  endpoint(): Promise<Endpoint> {
    return this.once('endpoint', async () => {
      const profile = await this.profile();
      const { resolveEndpoint } = await import('./config/endpoint.js');
      return resolveEndpoint(profile, { configDir: this.input.configDir, env: this.input.env, emulator: (key) => this.emulator(key) });
    });
  }

  /**
   * A signed client of one product (Voice Navigator by default; STS and others share its signing,
   * retries, timeouts and redaction). The global options set its policy; `request` overrides a
   * part of it for one command (an argument, never a write to the global options).
   */
  client<A extends string = ActionName>(product?: Product<A>, request: ClientRequest = {}): Promise<Client<A>> {
    const key = `client:${product?.name ?? 'default'}:${JSON.stringify(request)}`;
    return this.once(key, async () => {
      const [{ Client }, transport, endpoint, credentials] = await Promise.all([
        import('./client/client.js'),
        this.transport(),
        request.endpoint === undefined ? this.endpoint() : undefined,
        this.credentials(),
      ]);
      const g = this.input.globals();
      const debug = request.debug ?? g.debug;
      const client = new Client<A>({
        endpoint: request.endpoint ?? (endpoint as Endpoint).url,
        credentials,
        ...(product ? { product } : {}),
        signatureVersion: g.signatureVersion,
        timeoutMs: request.timeoutMs ?? g.timeout * 1000,
        retries: request.retries ?? g.retries,
        backoffMs: Number(this.input.env.VN_RETRY_BASE_MS ?? 200),
        dryRun: request.dryRun ?? g.dryRun,
        onDryRun: (text) => this.input.out(text),
        debug: debug ? (line) => this.input.err(`[debug] ${line}`) : undefined,
        debugSigning: this.input.env.VN_DEBUG_SIGNING === '1',
        now: this.input.now,
        transport,
      });
      this.clients.push(client as unknown as Client<string>);
      return client;
    });
  }

  /** The state-changing actions carried out so far by every client made here. */
  carriedOut(): string[] {
    return this.clients.flatMap((c) => c.carriedOut);
  }

  onDispose(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  /** Runs the registered disposals, the last registered first. */
  async dispose(): Promise<void> {
    const fns = this.cleanups.splice(0).reverse();
    for (const fn of fns) await fn();
  }
}
