import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../context.js';

/** How long a fetched list is used before it is fetched again. */
export const CACHE_SECONDS = 60;
/** The most a TAB may wait for the service. */
export const FETCH_SECONDS = 2;

interface Cache {
  time: number;
  ids: string[];
}

function cacheFile(ctx: Context, profile: string): string {
  return join(ctx.configDir, 'cache', `instances-${encodeURIComponent(profile)}.json`);
}

async function readCache(file: string): Promise<Cache | undefined> {
  try {
    const c = JSON.parse(await readFile(file, 'utf8')) as Cache;
    return Array.isArray(c.ids) && typeof c.time === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The instance ids of the current (or --profile) profile for shell completion: from a cache younger
 * than CACHE_SECONDS, else fetched (one page of 100, FETCH_SECONDS at most, no retries) and cached;
 * when the fetch fails, whatever the cache held. Never throws: a TAB shows nothing rather than an error.
 */
export async function instanceIds(ctx: Context): Promise<string[]> {
  try {
    const profile = (await ctx.profile()).name;
    const file = cacheFile(ctx, profile);
    const cached = await readCache(file);
    const now = ctx.now().getTime();
    if (cached && now - cached.time < CACHE_SECONDS * 1000 && now >= cached.time) return cached.ids;
    ctx.globals = { ...ctx.globals, timeout: Math.min(ctx.globals.timeout, FETCH_SECONDS), retries: 0, dryRun: false, debug: false };
    try {
      const client = await ctx.client();
      const res = await client.call<{ Instances?: { InstanceId?: string }[] }>('ListInstances', { PageNumber: 1, PageSize: 100 });
      const ids = (res.data.Instances ?? []).map((i) => String(i.InstanceId ?? '')).filter((id) => /^[\w.-]+$/.test(id));
      await mkdir(join(ctx.configDir, 'cache'), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ time: now, ids }), { mode: 0o600 });
      await rename(tmp, file);
      return ids;
    } catch {
      return cached?.ids ?? [];
    }
  } catch {
    return [];
  }
}
