import { type HistoryEntry, historyDir, listEntries } from '../release/history.js';

/** The last `vn apply` that touched an instance, for `vn top`'s timeline (read from the apply history, release/history.ts). */
export interface LastApply {
  id: string;
  /** Epoch ms. */
  time: number;
  source: string;
  user?: string;
  outcome?: string;
}

/** Where the history lives: as `vn apply` keeps it without --history-dir (VN_HISTORY_DIR, else history/ under the config dir). */
export function applyHistoryDir(configDir: string, env: NodeJS.ProcessEnv): string {
  return historyDir(configDir, env, undefined);
}

/** The newest entry whose plan changed (or created) each of these instances. */
export async function lastApplies(dir: string, instanceIds: string[]): Promise<Map<string, LastApply>> {
  const out = new Map<string, LastApply>();
  // a file that is not an entry is left alone, as `vn apply --history` does
  const entries: HistoryEntry[] = (await listEntries(dir).catch(() => ({ entries: [] }))).entries;
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
