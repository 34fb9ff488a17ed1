import type { Paginator } from '../api/types.js';
import { parseBoolean } from '../api/validate.js';
import { invalidParameter } from './errors.js';

/**
 * Typed access to a request's parameters, already checked by the shared validator (api/validate.ts:
 * types, ranges, enums, JSON shapes). `K` is the action's parameter names, so a handler cannot read
 * a parameter its action does not have.
 */
export class RequestParams<in K extends string = string> {
  constructor(
    readonly raw: Record<string, string>,
    /** The action's paginator (the model's), for page(). */
    private readonly paginator?: Paginator,
  ) {}

  has(name: K): boolean {
    return this.raw[name] !== undefined;
  }

  str(name: K): string | undefined {
    return this.raw[name];
  }

  /** A required string (the validator already ensured presence). */
  req(name: K): string {
    const v = this.raw[name];
    if (v === undefined) throw invalidParameter(name);
    return v;
  }

  int(name: K): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw invalidParameter(name);
    return n;
  }

  /** true/false in any case, as the gateway takes them (the Python SDK sends True). */
  bool(name: K): boolean | undefined {
    const v = this.raw[name];
    return v === undefined ? undefined : parseBoolean(v);
  }

  /** A JSON-string parameter parsed (undefined when absent or empty). */
  json<T = unknown>(name: K): T | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw invalidParameter(name, 'It must be valid JSON.');
    }
  }

  /** A repeat-list parameter (Name.1, Name.2, …) in order. */
  list(name: K): string[] {
    const out: [number, string][] = [];
    for (const [k, v] of Object.entries(this.raw)) {
      const m = new RegExp(`^${name}\\.(\\d+)$`).exec(k);
      if (m) out.push([Number(m[1]), v]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** The page and its size, named by the action's paginator (their bounds are the model's: the validator checked them). */
  page(defaultSize = 10): { pageNumber: number; pageSize: number; offset: number } {
    if (!this.paginator) throw new Error('page() of an action the model does not page');
    const pageNumber = this.int(this.paginator.page as K) ?? 1;
    const pageSize = this.int(this.paginator.size as K) ?? defaultSize;
    return { pageNumber, pageSize, offset: (pageNumber - 1) * pageSize };
  }
}
