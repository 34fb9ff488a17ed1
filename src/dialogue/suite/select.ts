import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../atomic-file.js';
import { UsageError } from '../../errors.js';
import { readRegularFile } from '../../regular-file.js';
import type { Conversation, TestFile } from './format.js';
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

/** `--shard i/n`: 1-based i of n. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n, e.g. 2/3; got "${text}"`);
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

/**
 * `--last-failed`: the conversations that did not pass in the last run of the same files, kept
 * in `dialogue-last-run.json` under the config directory (one entry per test file, by its
 * absolute path), rewritten after every run.
 */
export class LastRunState {
  private constructor(
    private readonly path: string,
    private readonly state: { files: Record<string, { failed: string[]; at: string }> },
  ) {}

  static async load(configDir: string): Promise<LastRunState> {
    const path = join(configDir, 'dialogue-last-run.json');
    let state: { files: Record<string, { failed: string[]; at: string }> } = { files: {} };
    try {
      // a FIFO at the path is refused, not waited on
      const parsed = JSON.parse(await readRegularFile(path)) as typeof state;
      if (parsed && typeof parsed.files === 'object') state = parsed;
    } catch {
      // no state yet, or an unreadable one: nothing is known to have failed
    }
    return new LastRunState(path, state);
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
   * joins it; conversations that did not run this time keep their state.
   */
  async save(results: { file: string; name: string; passed: boolean }[], now: Date): Promise<void> {
    const byFile = new Map<string, Map<string, boolean>>();
    for (const r of results) {
      let m = byFile.get(key(r.file));
      if (!m) byFile.set(key(r.file), (m = new Map()));
      // with --repeat, one run that did not pass is enough to run it again
      m.set(r.name, (m.get(r.name) ?? true) && r.passed);
    }
    for (const [file, ran] of byFile) {
      const before = new Set(this.state.files[file]?.failed ?? []);
      for (const [name, passed] of ran) {
        if (passed) before.delete(name);
        else before.add(name);
      }
      this.state.files[file] = { failed: [...before].sort(), at: now.toISOString() };
    }
    await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}

function key(path: string): string {
  return resolve(path);
}
