/**
 * The global flags, as data: cli.ts adds them to the program and parses them with `parse`, the
 * argv pre-scan uses `takesValue` to find the command path, help and completion list them. Each
 * entry carries its default (the one place it is written) and its parser.
 */
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_S } from '../defaults.js';
import { UsageError } from '../errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/formats/index.js';
import { closest } from '../suggest.js';

export type OutputFormatName = OutputFormat;

export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpoint?: string;
  output?: OutputFormatName;
  query?: string;
  dryRun: boolean;
  debug: boolean;
  /** seconds */
  timeout: number;
  retries: number;
  signatureVersion: 'v1' | 'v3';
  color: boolean;
}

export interface GlobalFlag<K extends keyof GlobalOptions = keyof GlobalOptions> {
  flags: string;
  key: K;
  description: string;
  takesValue: boolean;
  choices?: readonly string[];
  complete?: 'profile' | 'file' | 'instance';
  /** An environment variable read when the flag is not given. */
  env?: string;
  default?: GlobalOptions[K];
  /** Text (or commander's boolean) to value; throws UsageError on a bad value. */
  parse?: (raw: unknown) => GlobalOptions[K];
}

/** Seconds: more than 0 and at most one day (timers cannot wait longer than ~24.8 days). */
export const TIMEOUT_RANGE = { min: 0.001, max: 86_400 } as const;
export const MAX_RETRIES = 10;

function seconds(raw: unknown): number {
  const s = String(raw).trim();
  const n = Number(s);
  if (!/^\d+(\.\d+)?$/.test(s) || n < TIMEOUT_RANGE.min || n > TIMEOUT_RANGE.max) {
    throw new UsageError(`--timeout must be a number of seconds from ${TIMEOUT_RANGE.min} to ${TIMEOUT_RANGE.max}, got "${String(raw)}"`);
  }
  return n;
}

function retries(raw: unknown): number {
  const s = String(raw).trim();
  if (!/^\d+$/.test(s) || Number(s) > MAX_RETRIES) throw new UsageError(`--retries must be a whole number from 0 to ${MAX_RETRIES}, got "${String(raw)}"`);
  return Number(s);
}

/** A fixed value in any case, as every enum flag takes it; a misspelt one is refused with a suggestion. */
function choice(f: GlobalFlag, raw: string): string {
  const choices = f.choices ?? [];
  const exact = choices.find((c) => c.toLowerCase() === raw.toLowerCase());
  if (exact !== undefined) return exact;
  const near = closest(raw, choices);
  const name = f.flags.replace(/^.*(--[a-z-]+).*$/, '$1');
  throw new UsageError(`${name} must be one of ${choices.join(', ')}, got "${raw}"${near ? ` (did you mean ${near}?)` : ''}`);
}

const flag = <K extends keyof GlobalOptions>(f: GlobalFlag<K>): GlobalFlag<K> => f;

export const GLOBAL_FLAGS = [
  flag({
    flags: '-p, --profile <name>',
    key: 'profile',
    description: 'credential profile (or VN_PROFILE); "local" is the built-in emulator',
    takesValue: true,
    complete: 'profile',
  }),
  flag({ flags: '--region <id>', key: 'region', description: 'region (default cn-shanghai)', takesValue: true, choices: ['cn-shanghai', 'cn-hangzhou'] }),
  flag({ flags: '--endpoint <url>', key: 'endpoint', description: 'endpoint URL (http://host:port or https://…; a bare host means https)', takesValue: true }),
  flag({
    flags: '-o, --output <format>',
    key: 'output',
    description: 'output format (default: table on a terminal, json when piped; wide = a table with every column)',
    takesValue: true,
    choices: OUTPUT_FORMATS,
  }),
  flag({ flags: '--query <jmespath>', key: 'query', description: 'JMESPath expression applied to the JSON response before output', takesValue: true }),
  flag({ flags: '--dry-run', key: 'dryRun', description: 'print the signed request (method, URL, body) and send nothing', takesValue: false, default: false }),
  flag({
    flags: '--debug',
    key: 'debug',
    description: 'trace requests and responses on stderr (secrets redacted); show stack traces',
    takesValue: false,
    default: false,
  }),
  flag({
    flags: '--timeout <seconds>',
    key: 'timeout',
    description: `total time allowed for each request (default ${DEFAULT_TIMEOUT_S})`,
    takesValue: true,
    env: 'VN_TIMEOUT',
    default: DEFAULT_TIMEOUT_S,
    parse: seconds,
  }),
  flag({
    flags: '--retries <n>',
    key: 'retries',
    description: `retries on connection errors, 5xx and throttling (default ${DEFAULT_RETRIES}, at most ${MAX_RETRIES}; never re-sends a change that may have arrived)`,
    takesValue: true,
    default: DEFAULT_RETRIES,
    parse: retries,
  }),
  flag({
    flags: '--signature-version <v>',
    key: 'signatureVersion',
    description: 'request signature: v1 = HMAC-SHA1 (default), v3 = ACS3-HMAC-SHA256',
    takesValue: true,
    choices: ['v1', 'v3'],
    default: 'v1',
  }),
  flag({ flags: '--no-color', key: 'color', description: 'no colours (also NO_COLOR)', takesValue: false, default: true, parse: (v) => v !== false }),
] as const satisfies readonly GlobalFlag<keyof GlobalOptions>[];

/** Every global at its default: what a Context starts with. */
export function defaultGlobals(): GlobalOptions {
  const g: Record<string, unknown> = {};
  for (const f of GLOBAL_FLAGS as readonly GlobalFlag[]) if (f.default !== undefined) g[f.key] = f.default;
  return g as unknown as GlobalOptions;
}

/** The globals from commander's parsed options (and the environment where a flag has one). */
export function parseGlobalFlags(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): GlobalOptions {
  const g: Record<string, unknown> = { ...defaultGlobals() };
  for (const f of GLOBAL_FLAGS as readonly GlobalFlag[]) {
    const raw = opts[f.key] ?? (f.env ? env[f.env] : undefined);
    if (raw === undefined) continue;
    g[f.key] = f.parse ? f.parse(raw) : f.choices ? choice(f, String(raw)) : raw;
  }
  return g as unknown as GlobalOptions;
}

/** Long and short spellings of the global flags that take a value. */
export function valueTakingGlobals(): Set<string> {
  const s = new Set<string>();
  for (const g of GLOBAL_FLAGS) {
    if (!g.takesValue) continue;
    for (const part of g.flags.split(/[, ]+/)) if (part.startsWith('-')) s.add(part);
  }
  return s;
}
