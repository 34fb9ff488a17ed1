import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The last `vn apply` that touched an instance, for `vn top`'s timeline.
 *
 * SEAM (issue #23, helper h-release): the apply history is written by src/release/history.ts on
 * branch h-release — one JSON file per apply, `<dir>/<id>.json`, the directory `--history-dir`, else
 * VN_HISTORY_DIR, else `history/` under the config dir; ids sort by time. That module was not on
 * main when `vn top` was written, so this reads the same files itself, only the fields it shows,
 * and treats anything else as no entry. Once history.ts is merged, replace `readEntries` with its
 * `listEntries(historyDir(configDir, env, undefined))`.
 */
export interface LastApply {
  id: string;
  /** Epoch ms. */
  time: number;
  source: string;
  user?: string;
  outcome?: string;
}

const ID_RE = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

interface EntryFields {
  id?: unknown;
  time?: unknown;
  source?: unknown;
  user?: unknown;
  outcome?: unknown;
  plan?: { instanceId?: unknown; action?: unknown }[];
  created?: { instanceId?: unknown }[];
}

/** Where the history lives (history.ts's historyDir without a flag). */
export function applyHistoryDir(configDir: string, env: NodeJS.ProcessEnv): string {
  return env.VN_HISTORY_DIR || join(configDir, 'history');
}

async function readEntries(dir: string): Promise<EntryFields[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: EntryFields[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && ID_RE.test(n.slice(0, -5))).sort()) {
    try {
      const e = JSON.parse(await readFile(join(dir, name), 'utf8')) as EntryFields;
      if (e && typeof e === 'object' && e.id === name.slice(0, -5)) out.push(e);
    } catch {
      // not an entry: left alone, as `vn apply --history` does
    }
  }
  return out;
}

/** The newest entry whose plan changed (or created) each of these instances. */
export async function lastApplies(dir: string, instanceIds: string[]): Promise<Map<string, LastApply>> {
  const out = new Map<string, LastApply>();
  const entries = await readEntries(dir);
  for (const e of entries.reverse()) {
    const time = typeof e.time === 'string' ? Date.parse(e.time) : Number.NaN;
    if (!Number.isFinite(time)) continue;
    const touched = new Set<string>();
    for (const p of Array.isArray(e.plan) ? e.plan : []) if (typeof p?.instanceId === 'string' && p.action !== 'unchanged') touched.add(p.instanceId);
    for (const c of Array.isArray(e.created) ? e.created : []) if (typeof c?.instanceId === 'string') touched.add(c.instanceId);
    for (const id of instanceIds) {
      if (out.has(id) || !touched.has(id)) continue;
      out.set(id, {
        id: String(e.id),
        time,
        source: typeof e.source === 'string' ? e.source : '',
        ...(typeof e.user === 'string' ? { user: e.user } : {}),
        ...(typeof e.outcome === 'string' ? { outcome: e.outcome } : {}),
      });
    }
  }
  return out;
}
