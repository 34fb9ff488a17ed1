import { invalidParameter } from './errors.js';

/** Typed access to an already catalog-validated request's parameters. */
export class Params {
  constructor(readonly raw: Record<string, string>) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  str(name: string): string | undefined {
    return this.raw[name];
  }

  /** A required string (the catalog check already ensured presence). */
  req(name: string): string {
    const v = this.raw[name];
    if (v === undefined) throw invalidParameter(name);
    return v;
  }

  int(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw invalidParameter(name);
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.raw[name];
    return v === undefined ? undefined : v === 'true';
  }

  /** A JSON-string parameter parsed (undefined when absent or empty). */
  json<T = unknown>(name: string): T | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw invalidParameter(name, 'It must be valid JSON.');
    }
  }

  /** A repeat-list parameter (Name.1, Name.2, …) in order. */
  list(name: string): string[] {
    const out: [number, string][] = [];
    for (const [k, v] of Object.entries(this.raw)) {
      const m = new RegExp(`^${name}\\.(\\d+)$`).exec(k);
      if (m) out.push([Number(m[1]), v]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** PageNumber/PageSize with the service's bounds. */
  page(defaultSize = 10, maxSize = 100): { pageNumber: number; pageSize: number; offset: number } {
    const pageNumber = this.int('PageNumber') ?? 1;
    const pageSize = this.int('PageSize') ?? defaultSize;
    if (pageNumber < 1) throw invalidParameter('PageNumber');
    if (pageSize < 1 || pageSize > maxSize) throw invalidParameter('PageSize', `It must be between 1 and ${maxSize}.`);
    return { pageNumber, pageSize, offset: (pageNumber - 1) * pageSize };
  }
}
