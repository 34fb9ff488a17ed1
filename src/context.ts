import type { ActionName, Params, Response } from './api/catalog.js';
import type { ActionSpec, FlagParams } from './api/types.js';
import type { Client } from './client/client.js';
import type { Transport } from './client/transport.js';
import { defaultGlobals, type GlobalOptions } from './commands/globals.js';
import type { HandlerContext } from './commands/handler-context.js';
import { configDir } from './config/paths.js';
import type { ResolvedProfile } from './config/resolve.js';
import { UsageError } from './errors.js';
import { Factory } from './factory.js';
import { FORMATS } from './output/formats/index.js';
import { IOStreams, type Prompts, type Spinner, tableWidth } from './output/iostreams.js';
import type { Output, OutputFormat, RenderTarget, View } from './output/render.js';
import type { ApiCaller, CallAsOutput, ClientPolicy } from './ports.js';

export type { GlobalOptions } from './commands/globals.js';

export type { Spinner } from './output/iostreams.js';
export type { CallAsOutput } from './ports.js';

/**
 * The implementation behind a handler's narrow context (commands/handler-context.ts): the program
 * (program.ts) parses the global options into it, and its Factory (factory.ts) makes the heavy
 * pieces on first use. Production builds it on the process's IOStreams; tests on IOStreams.test().
 * It holds no stream itself: printing, prompts and spinners go through `io`.
 */
export class Context implements HandlerContext {
  globals: GlobalOptions = defaultGlobals();
  readonly factory: Factory;

  constructor(
    readonly io: IOStreams,
    readonly env: NodeJS.ProcessEnv = io.env,
    readonly now: () => Date = () => new Date(),
  ) {
    this.factory = new Factory({
      env,
      configDir: configDir(env),
      now,
      globals: () => this.globals,
      out: (text) => this.out(text),
      err: (text) => this.err(text),
    });
  }

  /** Production: the process's streams; `onBrokenPipe` runs when stdout's reader went away. */
  static fromProcess(opts: { onBrokenPipe?: () => void } = {}): Context {
    return new Context(IOStreams.system(opts), process.env);
  }

  /** The HTTP seam: a test's Transport (test/helpers/httpmock.ts), set before the first call; default node:http. */
  set transport(transport: Transport | undefined) {
    if (transport) this.factory.override({ transport: async () => transport });
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
    return this.factory.profile();
  }

  prompt(): Promise<Prompts> {
    return this.io.prompts();
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
      import('./client/transport.js'),
      import('./output/render.js'),
    ]) {
      p.catch(() => undefined);
    }
  }

  /** The Voice Navigator client (with this command's policy, when it has one). */
  async client(policy: ClientPolicy = {}): Promise<Client> {
    await this.profile();
    // refused before anything is sent: the profile's default output can be xml too
    const format = await this.outputFormat();
    if (this.globals.query !== undefined && !FORMATS[format].acceptsQuery) {
      throw new UsageError(`--query applies to JSON and cannot be used with ${format.toUpperCase()} output (the profile's default; pass -o json)`);
    }
    return this.factory.client(undefined, policy);
  }

  /** The state-changing actions carried out so far in this command (none when no client was made). */
  changesCarriedOut(): readonly string[] {
    return this.factory.carriedOut();
  }

  readonly api: ApiCaller = (action, params, opts) => this.call(action, params, opts);

  caller(policy: ClientPolicy): ApiCaller {
    return (action, params, opts) => this.call(action, params, opts, policy);
  }

  /** A second context on another profile (`--target-profile`), with the same streams and seam, closed with this one. */
  forProfile(profile: string): Context {
    const other = new Context(this.io, this.env, this.now);
    other.globals = { ...this.globals, profile };
    other.factory.override({ transport: () => this.factory.transport() });
    this.onDispose(() => other.dispose());
    return other;
  }

  /** One API call, as an Output ready for render(); --all and -o xml handled here. */
  async call<A extends ActionName>(action: A, params: Params<A> | FlagParams, opts: CallAsOutput = {}, policy?: ClientPolicy): Promise<Output<Response<A>>> {
    const { ACTION_SPECS } = await import('./api/catalog.js');
    const spec: ActionSpec = ACTION_SPECS[action];
    const client = await this.client(policy);
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
    if (this.factory.made('profile')) {
      const p = await this.profile().catch(() => undefined);
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
    this.factory.onDispose(fn);
  }

  async dispose(): Promise<void> {
    await this.factory.dispose();
  }
}

export { tableWidth } from './output/iostreams.js';
