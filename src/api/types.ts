export type ParamType = 'string' | 'integer' | 'long' | 'boolean' | 'array<string>';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  example?: string;
  /** The string value is itself JSON. */
  jsonString?: boolean;
  source: 'both' | 'sdk' | 'seed';
}

export interface SeedError {
  http: number;
  code: string;
  message: string;
}

export interface ActionSpec {
  name: string;
  group: string;
  method: 'GET' | 'POST';
  readOnly: boolean;
  inSeed: boolean | string;
  params: ParamSpec[];
  /** Response shape: field name -> type name, nested object, or [item shape]. */
  response: Record<string, unknown>;
  /** Dotted path of the array a table shows as rows, when the response has one. */
  listField?: string;
  errors: SeedError[];
  responseSeedOnly?: string[];
}

export interface CatalogData {
  product: string;
  version: string;
  endpoints: Record<string, string>;
  actions: ActionSpec[];
}
