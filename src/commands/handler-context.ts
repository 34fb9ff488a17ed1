import type { Client } from '../client/client.js';
import type { ResolvedProfile } from '../config/resolve.js';
import type { Factory } from '../factory.js';
import type { OutputFormat } from '../output/formats/index.js';
import type { IOStreams, Prompts, Spinner } from '../output/iostreams.js';
import type { Output, RenderTarget } from '../output/types.js';
import type { ApiCaller, ClientPolicy, Clock } from '../ports.js';
import type { GlobalOptions } from './globals.js';

/**
 * What a command handler may use (after Wrangler's HandlerContext): the typed API caller, the
 * streams, prompts, the clock and the one render path. The global options are read-only: a
 * command's own policy (the dialogue test's per-turn timeout, apply's reads under --dry-run) is an
 * argument (`client(policy)`, `caller(policy)`), never a write to them. `factory` is for the few
 * commands that need a piece itself (configure: the profile store). Context (src/context.ts) is the
 * implementation behind it.
 */
export interface HandlerContext {
  readonly io: IOStreams;
  readonly env: NodeJS.ProcessEnv;
  readonly now: Clock;
  readonly globals: Readonly<GlobalOptions>;
  readonly configDir: string;
  readonly factory: Factory;
  /** One Voice Navigator call as an Output ready for render(): --all and -o xml handled. */
  readonly api: ApiCaller;
  /** The same caller on a client with this command's policy (e.g. `{ dryRun: false }`). */
  caller(policy: ClientPolicy): ApiCaller;
  /** The signed Voice Navigator client, for commands that call it themselves (a session, a download URL). */
  client(policy?: ClientPolicy): Promise<Client>;
  profile(): Promise<ResolvedProfile>;
  /** The same command on another profile (`--target-profile`), closed with this one. */
  forProfile(profile: string): HandlerContext;
  /** The @inquirer prompts, on the terminal (IOStreams'). */
  prompt(): Promise<Prompts>;
  out(text: string): void;
  err(text: string): void;
  write(stream: 'stdout' | 'stderr', text: string, opts?: { knownSecretsOnly?: boolean }): void;
  colorFor(stream: 'stdout' | 'stderr'): boolean;
  /** -o, else the profile's default output, else table on a TTY and json when piped. */
  outputFormat(): Promise<OutputFormat>;
  renderTarget(): RenderTarget;
  render(out: Output): Promise<void>;
  spinner(text: string): Promise<Spinner>;
  onDispose(fn: () => Promise<void> | void): void;
}
