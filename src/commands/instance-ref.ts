import { UsageError } from '../errors.js';
import type { ApiCaller } from '../ports.js';
import { editDistance } from '../suggest.js';

/**
 * An instance given by name: every command that takes an instance id also takes its name (issue
 * #21). A value shaped like an id (a UUID, or 32 hex digits: the shapes the service returns) is
 * taken as an id and sent as it is, even when some instance is named so. Anything else is looked
 * up with ListInstances (a read, sent even under --dry-run, before anything that changes; the
 * caller passes a caller that sends it): an
 * exact name first, then a unique prefix of a name. Names are unique in the service
 * (InvalidInstanceName.Duplicated), so an exact name names one instance. A prefix shared by
 * several names, or a name nobody has, is a usage error (exit 2; nothing that changes was sent):
 * the first lists the candidates, the second the nearest names.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;

/** True for what is sent as an id without a look-up: a UUID or 32 hex digits. */
export function isInstanceIdShaped(value: string): boolean {
  return UUID.test(value) || HEX32.test(value);
}

interface Listed {
  InstanceId?: string;
  Name?: string;
  Status?: string;
}

async function listInstances(api: ApiCaller, name?: string): Promise<Listed[]> {
  const out = await api('ListInstances', { PageNumber: 1, PageSize: 100, ...(name ? { Name: name } : {}) }, { all: true });
  const items = (out.data as { Instances?: Listed[] }).Instances;
  return Array.isArray(items) ? items : [];
}

/** The instance id a value names (the value itself when it is shaped like an id). `what` names the argument in errors. */
export async function resolveInstanceRef(api: ApiCaller, value: string, what: string): Promise<string> {
  if (isInstanceIdShaped(value)) return value;
  // the service's Name filter matches a substring: every exact and prefix match is among these
  const found = await listInstances(api, value);
  const exact = found.filter((i) => i.Name === value);
  if (exact.length === 1 && exact[0]?.InstanceId) return exact[0].InstanceId;
  // an id the service gave in another shape (ids may be letters, digits, '-' and '_')
  const byId = found.find((i) => i.InstanceId === value);
  if (byId?.InstanceId) return byId.InstanceId;
  const prefixed = exact.length > 1 ? exact : found.filter((i) => typeof i.Name === 'string' && i.Name.startsWith(value));
  if (prefixed.length === 1 && prefixed[0]?.InstanceId) return prefixed[0].InstanceId;
  if (prefixed.length > 1) {
    const e = new UsageError(`${what} "${value}" matches ${prefixed.length} instance names; give a whole name or an id`);
    e.lines = [
      `error: ${what} "${value}" matches ${prefixed.length} instance names; give a whole name or an id:`,
      ...prefixed.map((i) => `  ${i.Name ?? ''}  ${i.InstanceId ?? ''}  ${i.Status ?? ''}`),
    ];
    throw e;
  }
  const all = await listInstances(api);
  if (all.some((i) => i.InstanceId === value)) return value;
  const near = nearestNames(
    value,
    all.map((i) => i.Name).filter((n): n is string => typeof n === 'string'),
  );
  const hint = near.length ? `; nearest: ${near.map((n) => `"${n}"`).join(', ')}` : all.length === 0 ? '; the profile has no instances' : '';
  throw new UsageError(`${what} "${value}" is no instance's name or id (ids are UUIDs or 32 hex digits)${hint}`);
}

/** Up to three names closest to `value`: those containing it first, then by edit distance. */
function nearestNames(value: string, names: string[]): string[] {
  const lower = value.toLowerCase();
  const score = (n: string) => (n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase()) ? -1 : editDistance(lower, n.toLowerCase()));
  const limit = Math.max(3, Math.ceil(value.length / 2));
  return names
    .map((n) => ({ n, d: score(n) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 3)
    .map((x) => x.n);
}
