import type { ActionName } from './model.generated.js';

export type ParamType = 'string' | 'integer' | 'long' | 'boolean' | 'array<string>';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  example?: string;
  /** The string value is itself JSON. */
  jsonString?: boolean;
  source: 'both' | 'sdk' | 'seed';
  /** Value rules from spec/constraints.json, checked by api/validate.ts on both sides. */
  rules?: ParamRules;
  /** Where the rules come from (the seed's section, the SDK's documentation, or a vn rule). */
  rulesSource?: string;
}

export interface ParamRules {
  /** Bounds of an integer (or of the integer a string carries, with integerString). */
  min?: number;
  max?: number;
  /** The string value is a whole number (SpeechRate, Volume: strings on the wire). */
  integerString?: boolean;
  enum?: string[];
  caseInsensitive?: boolean;
  /** An empty string passes the enum (ExportType=""). */
  allowEmpty?: boolean;
  /** A regular expression the whole value must match. */
  pattern?: string;
  /** At most this many characters (code points). */
  maxLength?: number;
  /** The JSON a JSON-string parameter must hold. */
  json?: 'object' | 'array' | 'array<string>';
  /** Not empty and not all white space. */
  nonBlank?: boolean;
}

export interface SeedError {
  http: number;
  code: string;
  message: string;
}

export interface ActionSpec {
  name: ActionName;
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
  /** The answer carries Code/Success/HttpStatusCode, errors included (GetAsrConfig, …). */
  envelope?: boolean;
  responseSeedOnly?: string[];
}

export interface CatalogData {
  product: string;
  version: string;
  endpoints: Record<string, string>;
  actions: ActionSpec[];
}

declare const FROM_FLAGS: unique symbol;
/**
 * Wire parameters collected from a command's flags by the model (commands/build.ts): `ctx.call`
 * takes them for any action (they are validated again before signing), while a literal must match
 * `Params<A>`.
 */
export type FlagParams = Record<string, unknown> & { readonly [FROM_FLAGS]: true };
