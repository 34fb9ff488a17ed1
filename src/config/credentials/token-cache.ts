import { createHash } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../atomic-file.js';
import { registerSecret } from '../../redact.js';
import { ensureConfigDir } from '../paths.js';
import type { Credentials } from './provider.js';
import { refreshMarginMs } from './refresh.js';

/** The cache file under the config dir (mode 0600, like config.json). */
export const TOKEN_CACHE_FILE = 'sts-cache.json';

interface Entry {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  expiration: string;
  /** When STS issued it (the refresh margin is a share of the lifetime). */
  obtained: string;
}

export interface CacheOptions {
  configDir: string;
  now: () => number;
  /** --debug trace. */
  trace?: (line: string) => void;
}

/**
 * What identifies one temporary credential: the role, the session name, the policy, the key that
 * assumed it (its id only) and the external id, or what an OIDC exchange sends. Only a hash of it
 * is stored.
 */
export type CacheKey = Record<string, string | number | undefined>;

export function cacheKeyHash(key: CacheKey): string {
  const canonical = JSON.stringify(
    Object.keys(key)
      .sort()
      .map((k) => [k, key[k] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Temporary credentials shared between vn processes: a cached credential is used while it is
 * outside its refresh margin; otherwise the first process takes the file's lock, fetches, and
 * writes the file atomically, and the others, waiting on the lock, then read what it wrote. So
 * eight CI shards starting at once make one AssumeRole call. A cache that cannot be locked or read
 * is passed over (the credential is fetched, as without a cache); its secrets are never printed.
 */
export async function cachedCredentials(opts: CacheOptions, key: CacheKey, fetch: () => Promise<Credentials>): Promise<Credentials> {
  const file = join(opts.configDir, TOKEN_CACHE_FILE);
  const id = cacheKeyHash(key);
  const hit = usable((await readCache(file))[id], opts.now());
  if (hit) {
    opts.trace?.(`token cache: using a cached credential (expires ${hit.expiration?.toISOString()})`);
    return hit;
  }
  let release: (() => Promise<void>) | undefined;
  try {
    ensureConfigDir(opts.configDir);
    const { lock } = await import('proper-lockfile');
    release = await lock(file, {
      realpath: false,
      stale: 30_000,
      // long enough for another process's STS call (with its retries) to finish
      retries: { retries: 200, factor: 1.3, minTimeout: 10, maxTimeout: 250, randomize: true },
    });
  } catch (err) {
    opts.trace?.(`token cache: cannot lock ${file} (${(err as Error).message}); fetching without it`);
    return fetch();
  }
  try {
    const entries = await readCache(file);
    const again = usable(entries[id], opts.now());
    if (again) {
      opts.trace?.('token cache: another vn process has just fetched this credential');
      return again;
    }
    const fresh = await fetch();
    if (fresh.expiration) {
      const now = opts.now();
      for (const [k, e] of Object.entries(entries)) if (Date.parse(e.expiration) <= now) delete entries[k];
      entries[id] = {
        accessKeyId: fresh.accessKeyId,
        accessKeySecret: fresh.accessKeySecret,
        securityToken: fresh.securityToken,
        expiration: fresh.expiration.toISOString(),
        obtained: new Date(now).toISOString(),
      };
      try {
        await writeFileAtomic(file, `${JSON.stringify(entries)}\n`, { mode: 0o600 });
        chmodSync(file, 0o600);
      } catch (err) {
        opts.trace?.(`token cache: cannot write ${file} (${(err as Error).message})`);
      }
    }
    return fresh;
  } finally {
    await release().catch(() => undefined);
  }
}

async function readCache(file: string): Promise<Record<string, Entry>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return {};
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return {};
  const out: Record<string, Entry> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const e = v as Partial<Entry> | null;
    if (e && typeof e.accessKeyId === 'string' && typeof e.accessKeySecret === 'string' && typeof e.expiration === 'string' && typeof e.obtained === 'string') {
      out[k] = e as Entry;
    }
  }
  return out;
}

/** The entry as credentials, when it is still outside its refresh margin. */
function usable(e: Entry | undefined, now: number): Credentials | undefined {
  if (!e) return undefined;
  const expiration = Date.parse(e.expiration);
  const obtained = Date.parse(e.obtained);
  if (Number.isNaN(expiration) || Number.isNaN(obtained)) return undefined;
  if (expiration - refreshMarginMs(expiration - obtained) <= now) return undefined;
  registerSecret(e.accessKeySecret);
  registerSecret(e.securityToken);
  return { accessKeyId: e.accessKeyId, accessKeySecret: e.accessKeySecret, securityToken: e.securityToken, expiration: new Date(expiration) };
}
