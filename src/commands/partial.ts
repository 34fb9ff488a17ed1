import { ACTION_SPECS, type ActionName } from '../api/catalog.js';
import type { FlagParams } from '../api/types.js';
import { UsageError } from '../errors.js';
import type { HandlerContext } from './handler-context.js';

export interface PartialUpdate {
  /** The write action, whose parameters (required ones especially) are filled. */
  write: ActionName;
  /** The read action that returns the current values, and its parameters. */
  read: ActionName;
  readParams: Record<string, unknown>;
  /** Where in the read's answer the current values are (e.g. "SilenceTimeoutConfig"); the top level when absent. */
  section?: string;
  /** Parameters that identify the target, not values to change (e.g. InstanceId). */
  keys: string[];
  /** Values used when neither the flags nor the current config have one. */
  fallback?: Record<string, unknown>;
  /** Flag names to suggest when nothing was given. */
  flagNames: string[];
}

/**
 * A partial update: reads the current config, lays the given flags over it, and returns the full
 * set of parameters the write action takes — so `ivr set-silence-timeout ID --timeout 8` changes the
 * timeout and keeps every other silence setting. The read is sent even under --dry-run, so the dry
 * run shows the merged request; the write is not.
 */
export async function mergeWithCurrent(ctx: HandlerContext, given: FlagParams, u: PartialUpdate): Promise<FlagParams> {
  const changes = Object.keys(given).filter((k) => !u.keys.includes(k) && given[k] !== undefined);
  if (changes.length === 0) throw new UsageError(`nothing to change: give at least one of ${u.flagNames.join(', ')}`);
  const spec = ACTION_SPECS[u.write];
  // the read's parameters are the flags' own (the target's id), so they go as flag parameters
  const out = await ctx.api(u.read, u.readParams as FlagParams, { format: 'JSON', sendInDryRun: true });
  const body = (out.data ?? {}) as Record<string, unknown>;
  const current = (u.section ? body[u.section] : body) as Record<string, unknown> | undefined;
  const merged = { ...given } as FlagParams;
  for (const p of spec.params) {
    if (merged[p.name] !== undefined) continue;
    const now = current?.[p.name];
    // an optional setting that is empty now stays unsent; a required one is sent as it is
    if (now !== undefined && now !== null && (p.required || now !== '')) merged[p.name] = now;
    else if (u.fallback?.[p.name] !== undefined) merged[p.name] = u.fallback[p.name];
  }
  return merged;
}
