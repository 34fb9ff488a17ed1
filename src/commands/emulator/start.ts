import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { AccessKey, StsToken } from '../../emulator/auth/index.js';
import type { ChaosRule } from '../../emulator/chaos.js';
import type { StsOptions } from '../../emulator/options.js';
import { RuntimeFailure, UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function parseKey(text: string, policy: AccessKey['policy']): AccessKey {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) throw new UsageError(`--${policy === 'full' ? 'access' : 'readonly'}-key must be ID:SECRET`);
  return { id: text.slice(0, i), secret: text.slice(i + 1), policy };
}

/** An STS token's expiration, as STS writes Credentials.Expiration (UTC ISO 8601). */
const EXPIRATION = /@(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z)$/;

/** `ID:TOKEN` or `ID:TOKEN@EXPIRATION`: a token bound to one of the emulator's access key ids. */
function parseStsToken(text: string, keys: AccessKey[]): StsToken {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) throw new UsageError('--sts-token must be ID:TOKEN or ID:TOKEN@EXPIRATION (e.g. 2030-01-01T00:00:00Z)');
  const accessKeyId = text.slice(0, i);
  let token = text.slice(i + 1);
  let expiresAt: number | undefined;
  const expiry = EXPIRATION.exec(token);
  if (expiry) {
    expiresAt = Date.parse(expiry[1] as string);
    if (!Number.isFinite(expiresAt)) throw new UsageError(`--sts-token: ${expiry[1]} is not a valid time`);
    token = token.slice(0, expiry.index);
  }
  if (!token) throw new UsageError('--sts-token must be ID:TOKEN or ID:TOKEN@EXPIRATION (e.g. 2030-01-01T00:00:00Z)');
  if (!keys.some((k) => k.id === accessKeyId)) {
    throw new UsageError(`--sts-token: ${accessKeyId} is none of the emulator's access key ids (give it with --access-key or --readonly-key)`);
  }
  return { accessKeyId, token, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/** The --chaos rules and the --chaos-file's, checked (chaos.ts); a bad one is a usage error. */
async function chaosRules(texts: string[] | undefined, file: string | undefined): Promise<Omit<ChaosRule, 'id'>[]> {
  const { checkRule, ChaosRuleError, parseChaosText } = await import('../../emulator/chaos.js');
  try {
    const rules = (texts ?? []).map((t) => parseChaosText(t));
    if (file !== undefined) {
      const { readFile } = await import('node:fs/promises');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new UsageError(`--chaos-file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      let doc: unknown;
      try {
        doc = (await import('yaml')).parse(text);
      } catch (e) {
        throw new UsageError(`--chaos-file ${file}: not JSON or YAML (${(e as Error).message.split('\n')[0]})`);
      }
      const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown } | null)?.rules;
      if (!Array.isArray(list)) throw new UsageError(`--chaos-file ${file}: give {rules: [...]} (or a list of rules)`);
      list.forEach((r, i) => {
        rules.push(checkRule(r, `--chaos-file ${file}: rule ${i + 1}`));
      });
    }
    return rules;
  } catch (e) {
    if (e instanceof ChaosRuleError) throw new UsageError(e.message.startsWith('--chaos-file') ? e.message : `--chaos ${e.message}`);
    throw e;
  }
}

/** The STS flags: roles (flags and file), OIDC providers, the signing key, the metadata service. */
async function stsOptions(flags: Record<string, unknown>): Promise<StsOptions> {
  const { loadRolesFile, oidcProviderFromFlag, roleFromFlag, RoleConfigError } = await import('../../emulator/sts/roles.js');
  const min = flags.stsMinDuration as number;
  if (!Number.isInteger(min) || min < 1 || min > 43200) throw new UsageError('--sts-min-duration must be between 1 and 43200 seconds');
  try {
    const fromFile = flags.roles === undefined ? { roles: [], oidcProviders: [] } : loadRolesFile(String(flags.roles), min);
    const roles = [...fromFile.roles, ...((flags.role as string[] | undefined) ?? []).map((r) => roleFromFlag(r, min))];
    const oidcProviders = [...fromFile.oidcProviders, ...((flags.oidcProvider as string[] | undefined) ?? []).map(oidcProviderFromFlag)];
    const port = flags.metadataPort as number | undefined;
    if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError('--metadata-port must be between 0 and 65535');
    const metadataRole = (flags.metadataRole as string | undefined) ?? ('metadataRole' in fromFile ? fromFile.metadataRole : undefined);
    if (port !== undefined && roles.length === 0) throw new UsageError('--metadata-port needs a role to hand out: give one with --role or --roles');
    if (metadataRole !== undefined && !roles.some((r) => r.name === metadataRole))
      throw new UsageError(`--metadata-role ${metadataRole}: no role of that name`);
    let oidcSigningKeyPem: string | undefined;
    if (flags.oidcKey !== undefined) {
      const { readFileSync } = await import('node:fs');
      const { createPrivateKey } = await import('node:crypto');
      try {
        oidcSigningKeyPem = readFileSync(String(flags.oidcKey), 'utf8');
        if (createPrivateKey(oidcSigningKeyPem).asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
      } catch (e) {
        throw new UsageError(`--oidc-key ${String(flags.oidcKey)}: not a readable RSA private key in PEM (${(e as Error).message.split('\n')[0]})`);
      }
    }
    return {
      roles,
      oidcProviders,
      ...(oidcSigningKeyPem !== undefined ? { oidcSigningKeyPem } : {}),
      ...(port !== undefined ? { metadataPort: port } : {}),
      ...(metadataRole !== undefined ? { metadataRole } : {}),
      ...(flags.imdsV2Only === true ? { imdsV2Only: true } : {}),
    };
  } catch (e) {
    if (e instanceof RoleConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** A shell line for `eval`: each value in single quotes (a quote inside written as '\''). */
function exportLine(url: string, key: AccessKey): string {
  const q = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;
  return `export VN_ENDPOINT=${q(url)} ALIBABA_CLOUD_ACCESS_KEY_ID=${q(key.id)} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${q(key.secret)}`;
}

function describeSts(sts: StsOptions): string {
  const roles = (sts.roles ?? []).map((r) => `${r.arn}${r.policy === 'readonly' ? ' (read-only)' : ''}`);
  const parts = [];
  if (roles.length) parts.push(`roles ${roles.join(', ')}`);
  if (sts.oidcProviders?.length) parts.push(`OIDC providers ${sts.oidcProviders.map((o) => o.arn).join(', ')} (test tokens: GET /_vn/oidc/token)`);
  return parts.length ? `; ${parts.join('; ')}` : '';
}

export default defineCommand({
  description:
    'Serves the whole 2018-06-12 API on a loopback port, for vn, the official SDKs and any HTTP client. ' +
    'Prints its base URL on the first line of stdout, then a banner. Ctrl-C (SIGINT) or SIGTERM stops it cleanly.',
  flags: [
    { name: 'host', description: 'address to listen on', default: '127.0.0.1' },
    { name: 'port', type: 'int', description: 'port (0 picks a free one)', default: 8080 },
    { name: 'data', description: 'SQLite file that keeps the state (default: under the vn config dir)', valueName: 'file', complete: 'file' },
    { name: 'access-key', description: 'full-access key pair ID:SECRET (repeatable; generated when none)', valueName: 'id:secret', repeatable: true },
    { name: 'readonly-key', description: 'read-only key pair ID:SECRET (repeatable)', valueName: 'id:secret', repeatable: true },
    {
      name: 'sts-token',
      description:
        'an STS security token it accepts, bound to one of its access key ids: ID:TOKEN, or ID:TOKEN@EXPIRATION (UTC, e.g. 2030-01-01T00:00:00Z) (repeatable)',
      valueName: 'id:token',
      repeatable: true,
    },
    { name: 'role', description: 'a RAM role its STS lets any of its keys assume: ARN or ARN:readonly (repeatable)', valueName: 'arn', repeatable: true },
    {
      name: 'roles',
      description: 'YAML or JSON file of roles (arn, access, maxSessionDuration, minSessionDuration, trust) and OIDC providers (docs/emulator.md)',
      valueName: 'file',
      complete: 'file',
    },
    {
      name: 'oidc-provider',
      description: 'an OIDC provider AssumeRoleWithOIDC accepts: ARN,issuer=URL,audience=CLIENT_ID (repeatable)',
      valueName: 'spec',
      repeatable: true,
    },
    {
      name: 'oidc-key',
      description: 'PEM file of the RSA private key that signs test OIDC tokens (default: one kept in the data file)',
      valueName: 'file',
      complete: 'file',
    },
    { name: 'sts-min-duration', type: 'int', description: 'least DurationSeconds its STS accepts (STS: 900; lower it to watch tokens expire)', default: 900 },
    { name: 'metadata-port', type: 'int', description: 'serve the ECS metadata service (RAM role credentials) on this loopback port (0: a free one)' },
    { name: 'metadata-role', description: 'the role name the metadata service hands out (default: the first role)', valueName: 'name' },
    { name: 'imds-v2-only', type: 'bool', description: 'the metadata service refuses requests without an IMDSv2 session token' },
    { name: 'chatbots', description: 'YAML or JSON file of chatbot definitions (default: the built-in demo bank bot)', valueName: 'file', complete: 'file' },
    { name: 'latency-ms', type: 'int', description: 'delay every answer by this many ms', default: 0 },
    {
      name: 'fault-rate',
      description: 'share of requests (0..1) answered with a fault: HTTP 500, 503 Throttling.User, or a dropped connection (the chaos rule *:fault:RATE)',
      default: '0',
    },
    {
      name: 'chaos',
      description:
        'a fault rule ACTIONS:EFFECT[:PROBABILITY][:KEY=VALUE…], e.g. DebugDialogue:throttle:0.3:retry-after=2 (repeatable; docs/emulator.md, Chaos)',
      valueName: 'rule',
      repeatable: true,
    },
    { name: 'chaos-file', description: 'a JSON or YAML file of fault rules ({rules: [...]})', valueName: 'file', complete: 'file' },
    { name: 'virtual-clock', type: 'bool', description: 'let /_vn/clock and `vn emulator clock` move time (off: the wall clock)' },
    { name: 'seed', description: 'a configuration-as-code file (as `vn apply -f` takes) applied once listening', valueName: 'file', complete: 'file' },
    { name: 'traffic', description: `synthetic conversations: calls per second (BeginDialogue, Dialogue, EndDialogue; at most 50)`, valueName: 'rate' },
    { name: 'ready-file', description: 'once listening, write the URL and keys there as JSON (mode 0600, atomically)', valueName: 'file', complete: 'file' },
    {
      name: 'print-env',
      type: 'bool',
      description:
        'print `export VN_ENDPOINT=… ALIBABA_CLOUD_ACCESS_KEY_ID=… ALIBABA_CLOUD_ACCESS_KEY_SECRET=…` (for eval) instead of the URL; the banner goes to stderr',
    },
    {
      name: 'admin-key',
      description: 'require this key (header X-Vn-Admin-Key) on the /_vn/ endpoints; needed for them on a non-loopback --host',
      valueName: 'key',
    },
    { name: 'snapshot-dir', description: 'where named snapshots are kept (default: snapshots/ beside --data)', valueName: 'dir', complete: 'file' },
  ],
  examples: [
    'vn emulator start --port 8080 --access-key demo:demo-secret',
    'vn emulator start --port 0 --data ./state.db --readonly-key ro:ro-secret',
    'vn emulator start --port 0 --ready-file emu.json --print-env --seed hotline.yaml',
    "vn emulator start --chaos 'DebugDialogue:throttle:0.3:retry-after=2' --virtual-clock",
  ],
  async run(ctx, { flags }) {
    const host = String(flags.host);
    if (isIP(host) === 0 && !HOSTNAME.test(host)) throw new UsageError(`--host "${host}" is not an IP address or a host name (e.g. 127.0.0.1, ::1, localhost)`);
    const port = flags.port as number;
    if (port < 0 || port > 65535) throw new UsageError('--port must be between 0 and 65535');
    const faultRate = Number(flags.faultRate);
    if (!Number.isFinite(faultRate) || faultRate < 0 || faultRate > 1) throw new UsageError('--fault-rate must be a number between 0 and 1');
    const latency = flags.latencyMs as number;
    if (latency < 0) throw new UsageError('--latency-ms must be 0 or more');
    const fullKeys = ((flags.accessKey as string[] | undefined) ?? []).map((k) => parseKey(k, 'full'));
    const readonlyKeys = ((flags.readonlyKey as string[] | undefined) ?? []).map((k) => parseKey(k, 'readonly'));
    let generated: AccessKey | undefined;
    if (fullKeys.length === 0) {
      generated = { id: `EMU${randomBytes(6).toString('hex').toUpperCase()}`, secret: randomBytes(18).toString('base64url'), policy: 'full' };
      fullKeys.push(generated);
    }
    const stsTokens = ((flags.stsToken as string[] | undefined) ?? []).map((t) => parseStsToken(t, [...fullKeys, ...readonlyKeys]));
    const traffic = flags.traffic === undefined ? 0 : Number(flags.traffic);
    if (!Number.isFinite(traffic) || traffic < 0 || traffic > 50) throw new UsageError('--traffic must be a number of calls per second between 0 and 50');
    const adminKey = flags.adminKey as string | undefined;
    if (adminKey !== undefined && adminKey.length < 8) throw new UsageError('--admin-key must be at least 8 characters');
    const chaos = await chaosRules(flags.chaos as string[] | undefined, flags.chaosFile as string | undefined);
    // the seed file is read and checked before anything listens
    let seed: import('../../manifest/load.js').ConfigFile | undefined;
    if (flags.seed !== undefined) {
      const { readConfigText } = await import('../../manifest/io.js');
      const { parseConfigFile } = await import('../../manifest/load.js');
      const src = await readConfigText(ctx.io, String(flags.seed));
      seed = await parseConfigFile(src.name, src.text);
    }
    const sts = await stsOptions(flags);
    const dataFile = (flags.data as string | undefined) ?? join(ctx.configDir, 'emulator', 'emulator.db');
    // the default state lives in the vn config dir, which holds the profiles too: made 0700
    if (flags.data === undefined) (await import('../../config/paths.js')).ensureConfigDir(ctx.configDir);
    if (dataFile !== ':memory:') {
      // a FIFO there would hang SQLite's open for ever
      const { assertRegularOrMissing, NotRegularFileError } = await import('../../regular-file.js');
      try {
        assertRegularOrMissing(dataFile);
      } catch (e) {
        if (e instanceof NotRegularFileError) throw new UsageError(`--data ${dataFile} is ${e.kind}, not a file: give a file name`);
        throw e;
      }
    }
    const { startEmulator } = await import('../../emulator/http.js');
    const { ChatbotFileError } = await import('../../emulator/chatbots/model.js');
    const { RoleConfigError } = await import('../../emulator/sts/roles.js');
    const emu = await startEmulator({
      host: flags.host as string,
      port,
      dataFile,
      accessKeys: [...fullKeys, ...readonlyKeys],
      stsTokens,
      sts,
      chatbotsFile: flags.chatbots as string | undefined,
      latencyMs: latency,
      faultRate,
      chaos,
      virtualClock: flags.virtualClock === true,
      ...(adminKey !== undefined ? { adminKey } : {}),
      ...(flags.snapshotDir !== undefined ? { snapshotDir: String(flags.snapshotDir) } : {}),
      trafficRate: traffic,
      holdReady: seed !== undefined,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err instanceof RoleConfigError) throw new UsageError(err.message);
      if (err instanceof ChatbotFileError) {
        const usage = new UsageError(err.message);
        usage.lines = err.lines;
        throw usage;
      }
      if (err.code === 'EADDRINUSE')
        throw new RuntimeFailure(`port ${port} on ${flags.host} is in use (EADDRINUSE): pick another --port, or --port 0 for a free one`);
      if (err.code === 'EADDRNOTAVAIL') throw new RuntimeFailure(`cannot listen on ${flags.host}: no such address on this machine (EADDRNOTAVAIL)`);
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_NONAME')
        throw new UsageError(`--host "${flags.host}": no such host (${err.code})`);
      throw err;
    });
    const key = fullKeys[0] as AccessKey;
    if (seed) {
      const { applyToEmulator, clientApi, emulatorClient } = await import('./seeding.js');
      try {
        const result = await applyToEmulator(await clientApi(await emulatorClient(ctx, emu.url, key)), seed, () => undefined);
        ctx.err(
          `vn emulator: seeded from ${seed.path}: ${seed.instances.length} instance${seed.instances.length === 1 ? '' : 's'}, ${result.writes} write${result.writes === 1 ? '' : 's'}`,
        );
      } catch (err) {
        await emu.close();
        throw err;
      }
      emu.markReady();
    }
    if (flags.printEnv === true) ctx.out(exportLine(emu.url, key));
    else ctx.out(emu.url);
    if (flags.readyFile !== undefined) {
      const { writeFileAtomic } = await import('../../atomic-file.js');
      const ready = { url: emu.url, pid: process.pid, accessKeyId: key.id, accessKeySecret: key.secret, dataFile, adminKeyRequired: adminKey !== undefined };
      try {
        await writeFileAtomic(String(flags.readyFile), `${JSON.stringify(ready, null, 2)}\n`, { mode: 0o600 });
      } catch (err) {
        await emu.close();
        throw new RuntimeFailure(`cannot write --ready-file ${flags.readyFile}: ${(err as Error).message}`);
      }
    }
    const lines = [
      `vn emulator: Voice Navigator API 2018-06-12 listening on ${emu.url}`,
      `  data:      ${dataFile}`,
      `  keys:      ${fullKeys
        .map((k) => `${k.id} (full access)`)
        .concat(readonlyKeys.map((k) => `${k.id} (read-only)`))
        .join(', ')}`,
    ];
    // the tokens themselves are credentials: only how many, and for which key
    if (stsTokens.length) lines.push(`  sts:       ${stsTokens.map((t) => `a token for ${t.accessKeyId}`).join(', ')}`);
    // a generated key must be shown once, or nobody could use it; a key the user passed is not echoed
    if (generated) lines.push(`  generated: access key id ${generated.id}, secret ${generated.secret}`);
    lines.push(`  sts:       2015-04-01 on the same URL (--sts-endpoint ${emu.url})${describeSts(sts)}`);
    if (emu.sts.metadataUrl)
      lines.push(
        `  metadata:  ${emu.sts.metadataUrl} (ECS instance metadata: RAM role credentials${sts.imdsV2Only ? ', IMDSv2 only' : ''}; vn: VN_ECS_METADATA_ENDPOINT)`,
      );
    if (latency || faultRate) lines.push(`  faults:    latency ${latency}ms, fault rate ${faultRate}`);
    if (chaos.length) {
      const { ruleText } = await import('../../emulator/chaos.js');
      lines.push(`  chaos:     ${chaos.map(ruleText).join('  ')}`);
    }
    if (flags.virtualClock === true) lines.push('  clock:     virtual (vn emulator clock advance 30s)');
    if (traffic) lines.push(`  traffic:   ${traffic} synthetic calls a second`);
    lines.push(`  admin:     ${emu.url}/_vn/health${adminKey !== undefined ? ' (with X-Vn-Admin-Key)' : ''}`);
    lines.push(`  try:       vn --endpoint ${emu.url} instance list   (with the key above in a profile or ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET)`);
    // the inspector is a page for a browser, which cannot send the admin key: shown on a loopback address without one
    if (adminKey === undefined && (await import('../../emulator/admin/router.js')).isLoopbackHost(host))
      lines.push(`  inspect:   ${emu.url}/_vn/ui   (requests, signature failures, conversations, configuration)`);
    if (flags.printEnv === true) ctx.err(lines.join('\n'));
    else ctx.out(lines.join('\n'));
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    ctx.err('vn emulator: stopping (finishing in-flight requests)');
    await emu.close();
    return undefined;
  },
});
