import type { ActionSpec, ParamRules, ParamSpec } from './types.js';

/**
 * THE parameter validator. The CLI runs it before anything is signed (an issue is exit 2, nothing
 * sent); the emulator's gateway runs the same code and answers the seed's codes (MissingParameter
 * / InvalidParameter, HTTP 400). Types come from the spec, value rules from spec/constraints.json.
 */
export interface ParamIssue {
  kind: 'missing' | 'unknown' | 'invalid';
  param: string;
  /** What is wrong, without the parameter's name: "must be an integer from 1 to 100, got 101". */
  why: string;
  /** The parameter's name and why, as one sentence. */
  reason: string;
}

const INT_RE = /^\s*[-+]?\d+\s*$/;
const MAX_INT32 = 2 ** 31 - 1;

/** Booleans as the gateway takes them: true/false in any case (the Python SDK sends True/False). */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

function shown(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}…` : s);
}

function range(r: ParamRules): string {
  if (r.min !== undefined && r.max !== undefined) return `from ${r.min} to ${r.max}`;
  if (r.min !== undefined) return `of ${r.min} or more`;
  return `of ${r.max} or less`;
}

function checkInteger(s: string, r: ParamRules | undefined, int32: boolean): string | undefined {
  if (!INT_RE.test(s)) return `must be an integer${r && (r.min !== undefined || r.max !== undefined) ? ` ${range(r)}` : ''}, got ${shown(s)}`;
  const n = Number(s);
  if (!Number.isSafeInteger(n) || (int32 && Math.abs(n) > MAX_INT32)) return `is out of range${int32 ? ' for a 32-bit integer' : ''}: ${s.trim()}`;
  if (r && ((r.min !== undefined && n < r.min) || (r.max !== undefined && n > r.max))) return `must be an integer ${range(r)}, got ${s.trim()}`;
  return undefined;
}

function checkJson(s: string, shape: ParamRules['json']): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    return `must be valid JSON (${(e as Error).message})`;
  }
  if (shape === 'object' && (v === null || typeof v !== 'object' || Array.isArray(v))) return 'must be a JSON object, e.g. {"key":"value"}';
  if (shape === 'array' && !Array.isArray(v)) return 'must be a JSON array, e.g. [...]';
  if (shape === 'array<string>' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return 'must be a JSON array of strings, e.g. ["a","b"]';
  return undefined;
}

function checkString(s: string, spec: ParamSpec): string | undefined {
  const r = spec.rules;
  if (!r) return spec.jsonString && s !== '' ? checkJson(s, undefined) : undefined;
  if (r.nonBlank && s.trim() === '') return 'must not be empty';
  if (r.maxLength !== undefined && [...s].length > r.maxLength) return `must be at most ${r.maxLength} characters, got ${[...s].length}`;
  if (r.integerString && s !== '') return checkInteger(s, r, false);
  // allowEmpty: "" and the seed's spelling of it, a literal "" (seed 12.5: ExportType="")
  if (r.enum && !(r.allowEmpty && (s === '' || s === '""'))) {
    const ok = r.caseInsensitive ? r.enum.some((e) => e.toLowerCase() === s.toLowerCase()) : r.enum.includes(s);
    if (!ok) return `must be one of ${r.enum.join(', ')}, got ${shown(s)}`;
  }
  if (r.pattern && !new RegExp(r.pattern).test(s)) return `must be ${patternHint(r.pattern)}, got ${shown(s)}`;
  if ((spec.jsonString || r.json) && s !== '') return checkJson(s, r.json);
  return undefined;
}

/** Checks one value against its parameter's type and rules; returns what is wrong, or undefined. */
export function checkParamValue(spec: ParamSpec, value: unknown): string | undefined {
  if (spec.type === 'array<string>') return Array.isArray(value) ? undefined : 'must be a list';
  if (typeof value === 'object' && value !== null) return `must be a single value, got ${Array.isArray(value) ? 'a list' : 'an object'}`;
  const s = String(value);
  switch (spec.type) {
    case 'integer':
    case 'long':
      return checkInteger(s, spec.rules, spec.type === 'integer');
    case 'boolean':
      return parseBoolean(value) === undefined ? `must be true or false, got ${shown(s)}` : undefined;
    default:
      return checkString(s, spec);
  }
}

/** What a pattern of the overlay asks for, in words. */
function patternHint(pattern: string): string {
  if (pattern === '^[0-9*#]*$') return 'keypad digits (0-9, *, #)';
  if (pattern === '^\\d+(\\.\\d+)?$') return 'a non-negative number';
  if (pattern === '^[A-Za-z0-9][A-Za-z0-9_-]*$') return 'letters, digits, "-" and "_"';
  return `text matching ${pattern}`;
}

/** The rules of a parameter in a few words for help texts ("-500..500", "one of Day, Hour"), if it has any. */
export function describeRules(spec: ParamSpec): string | undefined {
  const r = spec.rules;
  if (!r) return undefined;
  const parts: string[] = [];
  if (r.min !== undefined && r.max !== undefined) parts.push(`${r.min}..${r.max}`);
  else if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  else if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  if (r.enum) parts.push(`one of ${r.enum.join(', ')}`);
  if (r.maxLength !== undefined) parts.push(`at most ${r.maxLength} characters`);
  if (r.pattern) parts.push(patternHint(r.pattern));
  if (r.json) parts.push(r.json === 'object' ? 'a JSON object' : r.json === 'array' ? 'a JSON array' : 'a JSON array of strings');
  if (r.nonBlank) parts.push('not empty');
  return parts.length ? parts.join(', ') : undefined;
}

function issue(kind: ParamIssue['kind'], param: string, why: string): ParamIssue {
  return { kind, param, why, reason: kind === 'unknown' ? why : `${param} ${why}` };
}

/**
 * Validates parameters against the model: required ones present, no unknown names (unless
 * `allowUnknown`), each value of its type and within its rules. Arrays may also arrive
 * flattened (Name.1, Name.2), as the SDKs send them.
 */
export function validateParams(action: ActionSpec, params: Record<string, unknown>, opts: { allowUnknown?: boolean } = {}): ParamIssue[] {
  const issues: ParamIssue[] = [];
  const known = new Map(action.params.map((p) => [p.name, p]));
  const flattened = new Set<string>();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const flat = /^(.+)\.(\d+)$/.exec(name);
    if (flat && known.get(flat[1] ?? '')?.type === 'array<string>') {
      flattened.add(flat[1] ?? '');
      continue;
    }
    const spec = known.get(name);
    if (!spec) {
      if (!opts.allowUnknown) issues.push(issue('unknown', name, `${action.name} has no parameter ${name}`));
      continue;
    }
    const why = checkParamValue(spec, value);
    if (why) issues.push(issue('invalid', name, why));
  }
  for (const spec of action.params) {
    const v = params[spec.name];
    const present = (v !== undefined && v !== null && !(v === '' && spec.type !== 'string')) || flattened.has(spec.name);
    if (spec.required && !present) issues.push(issue('missing', spec.name, 'is required'));
  }
  return issues;
}
