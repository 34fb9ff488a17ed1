import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../atomic-file.js';
import { UsageError } from '../../errors.js';
import { readRegularFile } from '../../regular-file.js';
import type { Conversation, TestFile } from './format.js';
import { MAX_SHARDS } from './report-schema.js';
import type { Selected } from './runner.js';

export interface TagFilter {
  include: string[];
  exclude: string[];
}

/** `--tag T` (repeatable) runs conversations tagged with any T; `--tag '!T'` leaves out those tagged T. */
export function parseTags(values: string[]): TagFilter {
  const filter: TagFilter = { include: [], exclude: [] };
  for (const raw of values) {
    for (const v of raw.split(',')) {
      const t = v.trim();
      const neg = t.startsWith('!');
      const name = neg ? t.slice(1) : t;
      if (!/^[^\s!,]+$/.test(name)) throw new UsageError(`--tag takes a tag or !tag, got "${raw}"`);
      (neg ? filter.exclude : filter.include).push(name);
    }
  }
  return filter;
}

export function matchesTags(c: Conversation, f: TagFilter): boolean {
  if (f.exclude.some((t) => c.tags.includes(t))) return false;
  return f.include.length === 0 || f.include.some((t) => c.tags.includes(t));
}

/** Conversations by --grep and --tag, in file order, then by --last-failed. */
export function selectConversations(
  files: TestFile[],
  o: { grep?: RegExp; tags?: TagFilter; only?: (file: TestFile, c: Conversation) => boolean },
): Selected[] {
  const out: Selected[] = [];
  for (const file of files) {
    for (const conversation of file.conversations) {
      if (o.grep && !o.grep.test(conversation.name)) continue;
      if (o.tags && !matchesTags(conversation, o.tags)) continue;
      if (o.only && !o.only(file, conversation)) continue;
      out.push({ file, conversation });
    }
  }
  return out;
}

/** `--shard i/n`: 1-based i of n, n at most MAX_SHARDS (a CI matrix, not a loop bound from anywhere). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  if (!m || count < 1 || index < 1 || index > count || count > MAX_SHARDS)
    throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. 2/3; got "${shown}"`);
  return { index, count };
}

/**
 * Shard `index` of `count`: conversations dealt out by turn count — the longest first, each to
 * the shard with the fewest turns so far (ties: the lower shard; equal conversations in file
 * order). Depends only on the selected conversations, so every shard of a CI matrix computes the
 * same split, and the n shards together hold each conversation exactly once.
 */
export function shardOf(selected: Selected[], index: number, count: number): Selected[] {
  const order = selected.map((s, i) => ({ s, i, weight: s.conversation.steps.length })).sort((a, b) => b.weight - a.weight || a.i - b.i);
  const load = new Array<number>(count).fill(0);
  const owner = new Map<number, number>();
  for (const { i, weight } of order) {
    let best = 0;
    for (let k = 1; k < count; k++) if ((load[k] as number) < (load[best] as number)) best = k;
    load[best] = (load[best] as number) + weight;
    owner.set(i, best + 1);
  }
  return selected.filter((_, i) => owner.get(i) === index);
}

type LastRun = { files: Record<string, { failed: string[]; at: string }> };

/** The state file's problem, or undefined when it has the shape vn writes. */
function stateProblem(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'it is not an object';
  const files = (v as { files?: unknown }).files;
  if (files === null || typeof files !== 'object' || Array.isArray(files)) return '"files" is not an object';
  for (const [file, entry] of Object.entries(files)) {
    const e = entry as { failed?: unknown; at?: unknown } | null;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return `files[${JSON.stringify(file)}] is not an object`;
    if (!Array.isArray(e.failed) || !e.failed.every((n) => typeof n === 'string')) return `files[${JSON.stringify(file)}].failed is not a list of names`;
    if (typeof e.at !== 'string') return `files[${JSON.stringify(file)}].at is not a time`;
  }
  return undefined;
}

/**
 * `--last-failed`: the conversations that did not pass in the last run of the same files, kept
 * in `dialogue-last-run.json` under the config directory (one entry per test file, by its
 * absolute path). After every run it is read again, changed and written under an inter-process
 * lock, so runs side by side (CI jobs, shells) each keep their files' results.
 */
export class LastRunState {
  private constructor(
    private readonly path: string,
    private readonly state: LastRun,
    /** What is wrong with the file as found, when it is not what vn writes. */
    readonly problem: string | undefined,
  ) {}

  static async load(configDir: string): Promise<LastRunState> {
    const path = join(configDir, 'dialogue-last-run.json');
    const { state, problem } = await readState(path);
    return new LastRunState(path, state, problem);
  }

  /** For --last-failed: a state file of the wrong shape is exit 2 naming it (nothing is guessed from it). */
  usable(): void {
    if (this.problem) throw new UsageError(`${this.path}: ${this.problem}; --last-failed cannot use it (remove the file to start afresh)`);
  }

  /** Whether any of these files has a recorded run. */
  known(files: TestFile[]): boolean {
    return files.some((f) => this.state.files[key(f.path)] !== undefined);
  }

  failed(file: TestFile, c: Conversation): boolean {
    return this.state.files[key(file.path)]?.failed.includes(c.name) ?? false;
  }

  /**
   * Records what ran: a conversation that ran and passed leaves the list, one that did not pass
   * joins it; conversations that did not run this time keep their state, and so do the files of
   * other runs written meanwhile (the file is read again under the lock). A file of the wrong
   * shape is replaced.
   */
  async save(results: { file: string; name: string; passed: boolean }[], now: Date): Promise<void> {
    const byFile = new Map<string, Map<string, boolean>>();
    for (const r of results) {
      let m = byFile.get(key(r.file));
      if (!m) byFile.set(key(r.file), (m = new Map()));
      // with --repeat, one run that did not pass is enough to run it again
      m.set(r.name, (m.get(r.name) ?? true) && r.passed);
    }
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const { lock } = await import('proper-lockfile');
    let compromised: Error | undefined;
    const release = await lock(this.path, {
      realpath: false,
      stale: 10_000,
      retries: { retries: 400, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
      onCompromised: (err) => {
        compromised = err;
      },
    });
    try {
      const { state } = await readState(this.path);
      for (const [file, ran] of byFile) {
        const before = new Set(state.files[file]?.failed ?? []);
        for (const [name, passed] of ran) {
          if (passed) before.delete(name);
          else before.add(name);
        }
        state.files[file] = { failed: [...before].sort(), at: now.toISOString() };
      }
      if (compromised) throw new Error(`lost the lock on ${this.path} (${compromised.message})`);
      await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`);
      Object.assign(this.state, state);
    } finally {
      await release().catch(() => undefined);
    }
  }
}

/** The state as found: empty when there is none, or when it is not what vn writes (`problem` says why). */
async function readState(path: string): Promise<{ state: LastRun; problem?: string }> {
  let text: string;
  try {
    // a FIFO at the path is refused, not waited on
    text = await readRegularFile(path);
  } catch (e) {
    // no state yet: nothing is known to have failed
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: { files: {} } };
    return { state: { files: {} }, problem: `cannot be read (${(e as Error).message})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { state: { files: {} }, problem: `not JSON (${(e as Error).message})` };
  }
  const problem = stateProblem(parsed);
  return problem ? { state: { files: {} }, problem } : { state: parsed as LastRun };
}

function key(path: string): string {
  return resolve(path);
}
