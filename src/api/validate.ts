import type { ActionSpec, ParamSpec } from './types.js';

export interface ParamIssue {
  kind: 'missing' | 'unknown' | 'invalid';
  param: string;
  reason: string;
}

const INT_RE = /^-?\d+$/;

/** Checks one value against its catalog type; returns the reason it is wrong, or undefined. */
export function checkParamValue(spec: ParamSpec, value: unknown): string | undefined {
  if (spec.type === 'array<string>') {
    if (!Array.isArray(value)) return 'must be a list';
    return undefined;
  }
  const s = String(value);
  switch (spec.type) {
    case 'integer':
    case 'long': {
      if (!INT_RE.test(s.trim())) return `must be an integer, got "${s}"`;
      if (spec.type === 'integer' && Math.abs(Number(s)) > 2 ** 31 - 1) return `is out of range for a 32-bit integer: ${s}`;
      if (!Number.isSafeInteger(Number(s))) return `is out of range: ${s}`;
      if (/^Page(Number|Size)$/.test(spec.name) && Number(s) < 1) return `must be 1 or more, got ${s}`;
      return undefined;
    }
    case 'boolean':
      return s === 'true' || s === 'false' ? undefined : `must be true or false, got "${s}"`;
    default:
      if (spec.jsonString && s !== '') {
        try {
          JSON.parse(s);
        } catch (e) {
          return `must be valid JSON (${(e as Error).message})`;
        }
      }
      return undefined;
  }
}

/**
 * Validates parameters against the catalog: required ones present, no unknown names (unless
 * `allowUnknown`), each value of its type. Arrays may also arrive flattened (Name.1, Name.2).
 */
export function validateParams(action: ActionSpec, params: Record<string, unknown>, opts: { allowUnknown?: boolean } = {}): ParamIssue[] {
  const issues: ParamIssue[] = [];
  const known = new Map(action.params.map((p) => [p.name, p]));
  const arrays = new Map<string, unknown[]>();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const flat = /^(.+)\.(\d+)$/.exec(name);
    if (flat && known.get(flat[1] ?? '')?.type === 'array<string>') {
      const list = arrays.get(flat[1] ?? '') ?? [];
      list.push(value);
      arrays.set(flat[1] ?? '', list);
      continue;
    }
    const spec = known.get(name);
    if (!spec) {
      if (!opts.allowUnknown) issues.push({ kind: 'unknown', param: name, reason: `${action.name} has no parameter ${name}` });
      continue;
    }
    const why = checkParamValue(spec, value);
    if (why) issues.push({ kind: 'invalid', param: name, reason: `${name} ${why}` });
  }
  for (const spec of action.params) {
    const v = params[spec.name];
    const present = (v !== undefined && v !== null && !(typeof v === 'string' && v === '' && spec.type !== 'string')) || arrays.has(spec.name);
    if (spec.required && !present) issues.push({ kind: 'missing', param: spec.name, reason: `${spec.name} is required` });
  }
  return issues;
}
