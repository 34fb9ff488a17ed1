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

/** An instance as a TAB offers it: the id (a safe word) and its name (a description only, never a word). */
export interface InstanceWord {
  id: string;
  name?: string;
}

interface Cache {
  time: number;
  instances: InstanceWord[];
}

/**
 * A name shown beside an id (zsh's and fish's descriptions): one line of at most 60 characters,
 * control characters, tabs and newlines replaced (the list is `id<TAB>name` lines), never a word
 * a shell expands.
 */
export function completionDescription(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: what is removed are control characters
  const one = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  if (one === '') return undefined;
  const chars = [...one];
  return chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : one;
}

/** The instances whose ids are safe words, each once, names made safe descriptions. */
function safeInstances(list: unknown[]): InstanceWord[] {
  const seen = new Set<string>();
  const out: InstanceWord[] = [];
  for (const i of list) {
    const { id, name } = (i ?? {}) as { id?: unknown; name?: unknown };
    const [word] = completionWords('instance', [id]);
    if (!word || seen.has(word)) continue;
    seen.add(word);
    const description = completionDescription(name);
    out.push(description ? { id: word, name: description } : { id: word });
  }
  return out;
}

function cacheFile(ctx: CompletionHost, profile: string): string {
  return join(ctx.configDir, 'cache', `instances-${encodeURIComponent(profile)}.json`);
}

async function readCache(file: string): Promise<Cache | undefined> {
  try {
    // a FIFO put at the path is refused, not waited on (a TAB must never hang)
    const c = JSON.parse(await readRegularFile(file)) as { time?: unknown; instances?: unknown; ids?: unknown };
    if (!c || typeof c.time !== 'number') return undefined;
    // the file is anyone's to edit: its ids and names are filtered as the live answer is (`ids`: an older cache)
    if (Array.isArray(c.instances)) return { time: c.time, instances: safeInstances(c.instances) };
    if (Array.isArray(c.ids)) return { time: c.time, instances: safeInstances(c.ids.map((id) => ({ id }))) };
    return undefined;
  } catch {
    return undefined;
  }
}

/** The instance ids alone (bash's list: its completion shows no descriptions). */
export async function instanceIds(ctx: CompletionHost): Promise<string[]> {
  return (await instances(ctx)).map((i) => i.id);
}

/**
 * The instances of the current (or --profile) profile for shell completion: from a cache younger
 * than CACHE_SECONDS, else fetched (one page of 100, FETCH_SECONDS at most, no retries) and cached;
 * when the fetch fails, whatever the cache held. Never throws: a TAB shows nothing rather than an error.
 */
export async function instances(ctx: CompletionHost): Promise<InstanceWord[]> {
  try {
    const profile = (await ctx.profile()).name;
    const file = cacheFile(ctx, profile);
    const cached = await readCache(file);
    const now = ctx.now().getTime();
    if (cached && now - cached.time < CACHE_SECONDS * 1000 && now >= cached.time) return cached.instances;
    try {
      // a TAB's own policy: short, no retries, always sent, no trace
      const client = await ctx.client({ timeoutMs: Math.min(ctx.globals.timeout, FETCH_SECONDS) * 1000, retries: 0, dryRun: false, debug: false });
      const res = await client.call<{ Instances?: { InstanceId?: string; Name?: string }[] }>('ListInstances', { PageNumber: 1, PageSize: 100 });
      const listed = Array.isArray(res.data.Instances) ? res.data.Instances : [];
      const found = safeInstances(listed.map((i) => ({ id: i?.InstanceId, name: i?.Name })));
      await mkdir(join(ctx.configDir, 'cache'), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ time: now, instances: found }), { mode: 0o600 });
      await rename(tmp, file);
      return found;
    } catch {
      return cached?.instances ?? [];
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
