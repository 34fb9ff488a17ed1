import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { makeRole, type OidcProvider } from '../../../src/emulator/sts/roles.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { type RunResult, spawnVn } from '../../helpers/run.js';

/**
 * What the spawned end-to-end credential tests (e2e-*.test.ts) share: an emulator playing STS, an
 * OIDC provider and the ECS metadata service on loopback; spawned `vn` runs whose every output is
 * kept; the emulator's request log read over HTTP (`GET /_vn/requests`); and the sweep that greps
 * all of it for every secret and token involved.
 */

export const ACCOUNT = '1000000000000000';
export const ROLE = (name: string) => `acs:ram::${ACCOUNT}:role/${name}`;
export const PROVIDER_ARN = `acs:ram::${ACCOUNT}:oidc-provider/github`;
export const PROVIDER: OidcProvider = { arn: PROVIDER_ARN, issuer: 'https://token.actions.githubusercontent.com', audiences: ['sts.aliyuncs.com'] };

/** An emulator with roles (`voice-ci` and `deployer` full, `viewer` read-only), the OIDC provider and the metadata service. */
export async function startStsEmulator(minDuration = 900, extra: Parameters<typeof startTestEmulator>[0] = {}): Promise<TestEmulator & { md: string }> {
  const roles = [
    makeRole({ arn: ROLE('voice-ci') }, 'test', minDuration),
    makeRole({ arn: ROLE('deployer') }, 'test', minDuration),
    makeRole({ arn: ROLE('viewer'), access: 'readonly' }, 'test', minDuration),
  ];
  const emu = await startTestEmulator({ sts: { roles, oidcProviders: [PROVIDER], metadataPort: 0, metadataRole: 'voice-ci' }, ...extra });
  return { ...emu, md: emu.sts.metadataUrl as string };
}

export interface LoggedRequest {
  seq: number;
  /** ISO 8601 UTC. */
  time: string;
  action: string | null;
  version: string | null;
  accessKeyId: string | null;
  status: number;
  code: string | null;
}

/** The emulator's request log over HTTP, oldest first (`/_vn/requests` answers newest first). */
export async function requestLog(emu: { url: string }, filter: Record<string, string> = {}): Promise<LoggedRequest[]> {
  const res = await fetch(`${emu.url}/_vn/requests?${new URLSearchParams({ limit: '500', ...filter })}`);
  expect(res.status).toBe(200);
  const { requests } = (await res.json()) as { requests: LoggedRequest[] };
  return requests.reverse();
}

/** Every output of every spawned run, and every secret to look for in them. */
export class Sweep {
  readonly runs: { argv: string[]; result: RunResult }[] = [];
  readonly secrets = new Set<string>();

  /** Spawns the built vn and keeps what it printed. */
  async vn(argv: string[], env: Record<string, string | undefined>, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const result = await spawnVn(argv, { env, stdin: opts.stdin, timeoutMs: opts.timeoutMs ?? 30_000 });
    this.runs.push({ argv, result });
    return result;
  }

  secret(...values: (string | undefined)[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  /** Every secret and token the emulator has issued so far (its data file's sts_keys). */
  harvest(emu: TestEmulator): void {
    const rows = emu.state.db.prepare('SELECT secret, security_token FROM sts_keys').all() as { secret: string; security_token: string }[];
    for (const r of rows) this.secret(r.secret, r.security_token);
  }

  /** The secrets in every vn token cache under `dir` (sts-cache.json files), in case one was pruned from the emulator. */
  harvestCaches(dir: string): void {
    for (const file of walk(dir)) {
      if (!file.endsWith('sts-cache.json')) continue;
      const entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { accessKeySecret: string; securityToken?: string }>;
      for (const e of Object.values(entries)) this.secret(e.accessKeySecret, e.securityToken);
    }
  }

  /** No output of any run holds any secret. */
  check(): void {
    expect(this.runs.length).toBeGreaterThan(0);
    expect(this.secrets.size).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const { argv, result } of this.runs) {
      const text = result.stdout + result.stderr;
      for (const s of this.secrets) if (text.includes(s)) leaks.push(`vn ${argv.join(' ')} printed ${s.slice(0, 6)}…`);
    }
    expect(leaks).toEqual([]);
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Runs the tasks at most `n` at a time (the machine is shared): their results in order. */
export async function pool<T>(tasks: (() => Promise<T>)[], n = 4): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return results;
}

/** A service error's one line: exit 1 naming the code and the RequestId. */
export function expectServiceError(r: RunResult, code: string): void {
  expect(r.code, r.stderr).toBe(1);
  const escaped = code.replace(/\./g, '\\.');
  expect(r.stderr).toMatch(new RegExp(`^error: ${escaped}: .*\\(HTTP \\d{3}, RequestId: [0-9A-F-]{36}\\)$`, 'm'));
  // a stack trace only with --debug
  if (!r.stderr.includes('[debug]')) expect(r.stderr).not.toMatch(/\n\s+at /);
}
