import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_PROFILE, PROFILE_NAME_RE, readProfiles } from '../config/profiles.js';
import type { ApiClient, ClientPolicy, Clock } from '../ports.js';
import { readRegularFile } from '../regular-file.js';

/** How long a fetched list is used before it is fetched again. */
export const CACHE_SECONDS = 60;
/** The most a TAB may wait for the service. */
export const FETCH_SECONDS = 2;

/**
 * The words completion may print, per kind. Every shell gets them as a word list, and bash's
 * `compgen -W` expands each word ($(…), backquotes, $VAR, globs), so only characters that no
 * shell treats specially pass, whatever the source (the live answer, the cache file, config.json):
 * instance ids are UUID-like (letters, digits, dash, underscore; at most 64, as the InstanceId rule
 * of spec/constraints.json), profile names follow the profile-name rule.
 */
export const COMPLETION_WORD = {
  instance: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  profile: PROFILE_NAME_RE,
} as const;

/** The values of one kind that are safe to offer, in their order, without repeats. */
export function completionWords(kind: keyof typeof COMPLETION_WORD, values: unknown[]): string[] {
  const re = COMPLETION_WORD[kind];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && re.test(v)))];
}

/** What completion needs of the shell: the config dir, the clock, the profile's name and a client with a policy of its own. */
export interface CompletionHost {
  readonly configDir: string;
  readonly now: Clock;
  /** The request timeout of the global options, in seconds (completion waits at most FETCH_SECONDS). */
  readonly globals: { readonly timeout: number };
  profile(): Promise<{ name: string }>;
  client(policy: ClientPolicy): Promise<Pick<ApiClient, 'call'>>;
}

interface Cache {
  time: number;
  ids: string[];
}

function cacheFile(ctx: CompletionHost, profile: string): string {
  return join(ctx.configDir, 'cache', `instances-${encodeURIComponent(profile)}.json`);
}

async function readCache(file: string): Promise<Cache | undefined> {
  try {
    // a FIFO put at the path is refused, not waited on (a TAB must never hang)
    const c = JSON.parse(await readRegularFile(file)) as Cache;
    // the file is anyone's to edit: its ids are filtered as the live answer is
    return c && Array.isArray(c.ids) && typeof c.time === 'number' ? { time: c.time, ids: completionWords('instance', c.ids) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The instance ids of the current (or --profile) profile for shell completion: from a cache younger
 * than CACHE_SECONDS, else fetched (one page of 100, FETCH_SECONDS at most, no retries) and cached;
 * when the fetch fails, whatever the cache held. Never throws: a TAB shows nothing rather than an error.
 */
export async function instanceIds(ctx: CompletionHost): Promise<string[]> {
  try {
    const profile = (await ctx.profile()).name;
    const file = cacheFile(ctx, profile);
    const cached = await readCache(file);
    const now = ctx.now().getTime();
    if (cached && now - cached.time < CACHE_SECONDS * 1000 && now >= cached.time) return cached.ids;
    try {
      // a TAB's own policy: short, no retries, always sent, no trace
      const client = await ctx.client({ timeoutMs: Math.min(ctx.globals.timeout, FETCH_SECONDS) * 1000, retries: 0, dryRun: false, debug: false });
      const res = await client.call<{ Instances?: { InstanceId?: string }[] }>('ListInstances', { PageNumber: 1, PageSize: 100 });
      const instances = Array.isArray(res.data.Instances) ? res.data.Instances : [];
      const ids = completionWords(
        'instance',
        instances.map((i) => i?.InstanceId),
      );
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

/** The profile names for shell completion (config.json's, and `local`), filtered as instance ids are. Never throws. */
export async function profileNames(ctx: Pick<CompletionHost, 'configDir'>): Promise<string[]> {
  try {
    const store = await readProfiles(ctx.configDir);
    return completionWords('profile', [...store.names(), LOCAL_PROFILE]);
  } catch {
    return [];
  }
}
