import { ACTION_SPECS, type ActionName } from '../api/catalog.js';
import type { FlagParams } from '../api/types.js';
import { UsageError } from '../errors.js';
import type { Output } from '../output/types.js';
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
  /**
   * `merged` (the default): the write takes the whole set, so the current values are laid under the
   * flags; `given`: the action keeps what it is not given (ModifyTTSConfig), so only the flags are
   * sent, and the read is for saying what changes.
   */
  send?: 'merged' | 'given';
  /** What is changed, for the confirmations: "the greeting of instance 3f6e…". */
  what: string;
  /** The confirmation after a write (default: "changed " + what). */
  done?: string;
}

/**
 * A partial update: reads the current config, lays the given flags over it, and returns the full
 * set of parameters the write action takes — so `ivr set-silence-timeout ID --timeout 8` changes the
 * timeout and keeps every other silence setting. The read is sent even under --dry-run, so the dry
 * run shows the merged request; the write is not.
 */
export async function mergeWithCurrent(
  ctx: HandlerContext,
  given: FlagParams,
  u: PartialUpdate,
): Promise<{ params: FlagParams; current: Record<string, unknown> }> {
  const changes = Object.keys(given).filter((k) => !u.keys.includes(k) && given[k] !== undefined);
  if (changes.length === 0) throw new UsageError(`nothing to change: give at least one of ${u.flagNames.join(', ')}`);
  const spec = ACTION_SPECS[u.write];
  // the read's parameters are the flags' own (the target's id), so they go as flag parameters
  const out = await ctx.api(u.read, u.readParams as FlagParams, { format: 'JSON', sendInDryRun: true });
  const body = (out.data ?? {}) as Record<string, unknown>;
  const current = ((u.section ? body[u.section] : body) as Record<string, unknown> | undefined) ?? {};
  if (u.send === 'given') return { params: given, current };
  const merged = { ...given } as FlagParams;
  for (const p of spec.params) {
    if (merged[p.name] !== undefined) continue;
    const now = current[p.name];
    // an optional setting that is empty now stays unsent; a required one is sent as it is
    if (now !== undefined && now !== null && (p.required || now !== '')) merged[p.name] = now;
    else if (u.fallback?.[p.name] !== undefined) merged[p.name] = u.fallback[p.name];
  }
  return { params: merged, current };
}

/**
 * Read, merge, say what changes, write (`instance modify`, `tts set`, `ivr set-*`). The changed
 * fields are the manifest's (diffConfigs: compared as the service compares) as `field old → new`
 * lines (output/changes.ts, the lines of `vn apply`'s plan):
 * - under --dry-run they are printed above the signed request that would be sent;
 * - after the write they go to stderr when the output is for people (table), and into the data as
 *   `changes` (the shape of `vn apply -o json`'s) for -o json and --query;
 * - when nothing would change, nothing is sent (as `kubectl apply` says "unchanged"): `no change`.
 */
export async function updateSettings(ctx: HandlerContext, given: FlagParams, u: PartialUpdate): Promise<Output | undefined> {
  const { params, current } = await mergeWithCurrent(ctx, given, u);
  const [{ diffConfigs }, { SECTIONS }, { changeLines }] = await Promise.all([
    import('../manifest/plan.js'),
    import('../manifest/model.js'),
    import('../output/changes.js'),
  ]);
  const section = SECTIONS.find((s) => s.action === u.write);
  if (!section) throw new Error(`${u.write} is no configuration section`);
  const values = Object.fromEntries(Object.entries(params).filter(([k, v]) => !u.keys.includes(k) && v !== undefined));
  const changes = diffConfigs({ sections: { [section.key]: current } }, { sections: { [section.key]: values } }, 'declared');
  const lines = changeLines(changes).join('\n');
  if (ctx.globals.dryRun) {
    // the request (printed by the client under --dry-run) comes after what it changes
    ctx.out(`${lines}\n`);
    if (changes.length === 0) return undefined;
  }
  const format = await ctx.outputFormat();
  const human = !ctx.globals.query && (format === 'table' || format === 'wide');
  if (changes.length === 0) {
    if (human) ctx.err(lines);
    return { data: { changes: [] }, view: { message: `${u.what} already has these values: nothing sent` } };
  }
  const out = await ctx.api(u.write, params);
  if (human) ctx.err(lines);
  // -o xml shows the service's own answer as it came; the other formats show it with the changes
  return {
    data: { ...(out.data as Record<string, unknown>), changes },
    ...(format === 'xml' && out.raw !== undefined ? { raw: out.raw } : {}),
    view: { ...out.view, message: u.done ?? `changed ${u.what}` },
  };
}
