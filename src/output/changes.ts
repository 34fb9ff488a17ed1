import { isSecretName, REDACTED } from '../redact.js';

/**
 * Changed fields as lines, one each: what `vn apply`'s plan lists per instance, what a `--dry-run`
 * of a read-merge-write command prints above its request, and what `instance modify`, `tts set`
 * and the `ivr set-*` commands say after their write. The changes come from the manifest's
 * `diffConfigs` (compared as the service compares: a number and its text alike, JSON as data).
 */

/** One changed field: its section and file key (manifest/plan.ts's Change), the value before (absent: none) and after. */
export interface FieldChange {
  section: string;
  field: string;
  from?: unknown;
  to?: unknown;
}

/** A value as one line: text as it is (quoted when it would not read back), the rest as JSON. */
export function valueText(v: unknown): string {
  if (v === undefined) return '(not set)';
  if (typeof v === 'string') return v === '' || v !== v.trim() || /[\n\r]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** `tts.voice`; the instance's own fields (name, concurrency, …) stand alone, as in the file. */
export function changeLabel(c: FieldChange): string {
  return c.section === 'instance' ? c.field : `${c.section}.${c.field}`;
}

/**
 * `label old → new` per change (`label: new` for an instance being created, which has no old
 * value); `no change` when there is none. A secret-named field shows neither value.
 */
export function changeLines(changes: readonly FieldChange[], opts: { created?: boolean } = {}): string[] {
  if (changes.length === 0) return ['no change'];
  return changes.map((c) => {
    const secret = isSecretName(c.field.charAt(0).toUpperCase() + c.field.slice(1));
    const show = (v: unknown) => (secret && v !== undefined ? REDACTED : valueText(v));
    return opts.created ? `${changeLabel(c)}: ${show(c.to)}` : `${changeLabel(c)} ${show(c.from)} → ${show(c.to)}`;
  });
}
