import type { ActionName, Params, Response } from './api/catalog.js';
import type { ActionSpec, FlagParams } from './api/types.js';
import type { CallOptions, Client } from './client/client.js';
import type { Transport } from './client/transport.js';
import { defaultGlobals, type GlobalOptions } from './commands/globals.js';
import { configDir } from './config/paths.js';
import type { ResolvedProfile } from './config/resolve.js';
import { UsageError } from './errors.js';
import { FORMATS } from './output/formats/index.js';
import { IOStreams, type Spinner, tableWidth } from './output/iostreams.js';
import type { Output, OutputFormat, RenderTarget, View } from './output/render.js';

export type { GlobalOptions } from './commands/globals.js';

export type { Spinner } from './output/iostreams.js';

export interface CallAsOutput extends CallOptions {
  /** Follow every page (--all). */
  all?: boolean;
}

/**
 * Everything a command may touch. Production builds it on the process's IOStreams; tests on
 * IOStreams.test(). It holds no stream itself: printing, prompts and spinners go through `io`.
 * Heavy pieces (client, prompts, spinner) are created on first use.
 */
export class Context {
  globals: GlobalOptions = defaultGlobals();
  private clientPromise?: Promise<Client>;
  private clientMade?: Client;
  private profilePromise?: Promise<ResolvedProfile>;
  private cleanups: (() => Promise<void> | void)[] = [];
  /** The HTTP seam: set by a test (test/helpers/httpmock.ts) before the first call; default undici. */
  transport?: Transport;

  constructor(
    readonly io: IOStreams,
    readonly env: NodeJS.ProcessEnv = io.env,
    readonly now: () => Date = () => new Date(),
  ) {}

  /** Production: the process's streams; `onBrokenPipe` runs when stdout's reader went away. */
  static fromProcess(opts: { onBrokenPipe?: () => void } = {}): Context {
    return new Context(IOStreams.system(opts), process.env);
  }

  get configDir(): string {
    return configDir(this.env);
  }

  /** Colour on when the stream is a TTY (or FORCE_COLOR), off with NO_COLOR or --no-color. */
  colorFor(stream: 'stdout' | 'stderr'): boolean {
    return this.io.colorEnabled(stream, this.globals.color);
  }

  out(text: string): void {
    this.write('stdout', text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.write('stderr', text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * Prints through the one writer (IOStreams.write: redaction, then sanitising on a terminal).
   * `knownSecretsOnly`: data that must keep its values (an exported configuration) has only the
   * known secret values masked (IOStreams.writeExact).
   */
  write(stream: 'stdout' | 'stderr', text: string, opts: { knownSecretsOnly?: boolean } = {}): void {
    if (opts.knownSecretsOnly) this.io.writeExact(stream, text);
    else this.io.write(stream, text);
  }

  profile(): Promise<ResolvedProfile> {
    this.profilePromise ??= (async () => {
      const { resolveProfile } = await import('./config/resolve.js');
      return resolveProfile({ env: this.env, profile: this.globals.profile, region: this.globals.region, endpoint: this.globals.endpoint });
    })();
    return this.profilePromise;
  }

  /**
   * Starts loading, side by side, the modules an API call goes through (catalog, profile
   * resolution, endpoint, client, HTTP, output), which would otherwise load one after another as the call
   * reaches each (issue #15). Loading only: nothing is read, resolved or sent. Failures surface
   * where the modules are really imported.
   */
  prepareCall(): void {
    for (const p of [
      import('./api/catalog.js'),
      import('./config/resolve.js'),
      import('./config/endpoint.js'),
      import('./client/client.js'),
      import('./client/undici.js'),
      import('./output/render.js'),
    ]) {
      p.catch(() => undefined);
    }
  }

  client(): Promise<Client> {
    this.clientPromise ??= this.makeClient();
    return this.clientPromise;
  }

  private async makeClient(): Promise<Client> {
    const profile = await this.profile();
    const { endpointFor } = await import('./config/endpoint.js');
    const [{ Client }, transport] = await Promise.all([import('./client/client.js'), import('./client/transport.js')]);
    this.onDispose(() => transport.closeTransport());
    // refused before anything is sent: the profile's default output can be xml too
    const format = await this.outputFormat();
    if (this.globals.query !== undefined && !FORMATS[format].acceptsQuery) {
      throw new UsageError(`--query applies to JSON and cannot be used with ${format.toUpperCase()} output (the profile's default; pass -o json)`);
    }
    const endpoint = await endpointFor(profile, { configDir: this.configDir, env: this.env });
    if (endpoint.close) this.onDispose(endpoint.close);
    const g = this.globals;
    this.clientMade = new Client({
      endpoint: endpoint.url,
      credentials: endpoint.credentials,
      signatureVersion: g.signatureVersion,
      timeoutMs: g.timeout * 1000,
      retries: g.retries,
      backoffMs: Number(this.env.VN_RETRY_BASE_MS ?? 200),
      dryRun: g.dryRun,
      onDryRun: (text) => this.out(text),
      debug: g.debug ? (line) => this.err(`[debug] ${line}`) : undefined,
      debugSigning: this.env.VN_DEBUG_SIGNING === '1',
      now: this.now,
      transport: this.transport ?? transport.undiciTransport,
    });
    return this.clientMade;
  }

  /** The state-changing actions carried out so far in this command (none when no client was made). */
  changesCarriedOut(): readonly string[] {
    return this.clientMade?.carriedOut ?? [];
  }

  /** One API call, as an Output ready for render(); --all and -o xml handled here. */
  async call<A extends ActionName>(action: A, params: Params<A> | FlagParams, opts: CallAsOutput = {}): Promise<Output<Response<A>>> {
    const { ACTION_SPECS } = await import('./api/catalog.js');
    const spec: ActionSpec = ACTION_SPECS[action];
    const client = await this.client();
    const format = opts.format ?? (!opts.all ? (FORMATS[await this.outputFormat()].wire ?? 'JSON') : 'JSON');
    const paging = spec.paginator ? await import('./client/paginate.js') : undefined;
    const view = (data: unknown): View => ({
      listField: spec.listField,
      ...(spec.paginator && paging ? { page: paging.pageOf(spec.paginator, data) } : {}),
    });
    if (opts.all) {
      if (!paging) throw new UsageError(`--all: ${action} is not a paged action`);
      const res = await paging.callAll(client, spec, params);
      return { data: res.data as Response<A>, raw: res.raw, view: view(res.data) };
    }
    const res = await client.call<Response<A>>(action, params, { format, force: opts.force, sendInDryRun: opts.sendInDryRun });
    return { data: res.data, raw: res.raw, view: view(res.data) };
  }

  /** -o, else the profile's default output, else table on a TTY and json when piped. */
  async outputFormat(): Promise<OutputFormat> {
    if (this.globals.output) return this.globals.output;
    if (this.profilePromise) {
      const p = await this.profilePromise.catch(() => undefined);
      if (p?.output) return p.output as OutputFormat;
    }
    return this.io.stdoutIsTTY ? 'table' : 'json';
  }

  renderTarget(): RenderTarget {
    return {
      write: (s) => this.write('stdout', s),
      isTTY: this.io.stdoutIsTTY,
      color: this.colorFor('stdout'),
      columns: tableWidth(this.env, this.io.stdoutIsTTY, this.io.columns),
    };
  }

  async render(out: Output): Promise<void> {
    const { render } = await import('./output/render.js');
    await render(out, { format: await this.outputFormat(), query: this.globals.query }, this.renderTarget());
  }

  /** An ora spinner on stderr when it is a TTY; otherwise a silent stand-in. */
  spinner(text: string): Promise<Spinner> {
    return this.io.spinner(text);
  }

  onDispose(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  async dispose(): Promise<void> {
    const fns = this.cleanups.splice(0).reverse();
    for (const fn of fns) await fn();
  }
}

export { tableWidth } from './output/iostreams.js';
