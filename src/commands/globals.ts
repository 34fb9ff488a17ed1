/**
 * The global flags, as data: cli.ts adds them to the program, the argv pre-scan uses `takesValue`
 * to find the command path, and completion lists them.
 */
export interface GlobalFlag {
  flags: string;
  key: string;
  description: string;
  takesValue: boolean;
  choices?: readonly string[];
  complete?: 'profile' | 'file' | 'instance';
}

export const GLOBAL_FLAGS: readonly GlobalFlag[] = [
  {
    flags: '-p, --profile <name>',
    key: 'profile',
    description: 'credential profile (or VN_PROFILE); "local" is the built-in emulator',
    takesValue: true,
    complete: 'profile',
  },
  {
    flags: '--region <id>',
    key: 'region',
    description: 'region (default cn-shanghai)',
    takesValue: true,
    choices: ['cn-shanghai', 'cn-hangzhou'],
  },
  { flags: '--endpoint <url>', key: 'endpoint', description: 'endpoint URL (http://host:port or https://…; a bare host means https)', takesValue: true },
  {
    flags: '-o, --output <format>',
    key: 'output',
    description: 'output format (default: table on a terminal, json when piped; wide = a table with every column)',
    takesValue: true,
    choices: ['table', 'wide', 'json', 'yaml', 'xml', 'tsv'],
  },
  { flags: '--query <jmespath>', key: 'query', description: 'JMESPath expression applied to the JSON response before output', takesValue: true },
  { flags: '--dry-run', key: 'dryRun', description: 'print the signed request (method, URL, body) and send nothing', takesValue: false },
  { flags: '--debug', key: 'debug', description: 'trace requests and responses on stderr (secrets redacted); show stack traces', takesValue: false },
  { flags: '--timeout <seconds>', key: 'timeout', description: 'total time allowed for each request (default 30)', takesValue: true },
  {
    flags: '--retries <n>',
    key: 'retries',
    description: 'retries on connection errors, 5xx and throttling (default 3; never re-sends a change that may have arrived)',
    takesValue: true,
  },
  {
    flags: '--signature-version <v>',
    key: 'signatureVersion',
    description: 'request signature: v1 = HMAC-SHA1 (default), v3 = ACS3-HMAC-SHA256',
    takesValue: true,
    choices: ['v1', 'v3'],
  },
  { flags: '--no-color', key: 'color', description: 'no colours (also NO_COLOR)', takesValue: false },
];

/** Long and short spellings of the global flags that take a value. */
export function valueTakingGlobals(): Set<string> {
  const s = new Set<string>();
  for (const g of GLOBAL_FLAGS) {
    if (!g.takesValue) continue;
    for (const part of g.flags.split(/[, ]+/)) if (part.startsWith('-')) s.add(part);
  }
  return s;
}
