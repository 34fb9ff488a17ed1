import type { ActionName, ErrorCode } from './generated/model.js';

export type ParamType = 'string' | 'integer' | 'long' | 'boolean' | 'array<string>';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  example?: string;
  /** The string value is itself JSON. */
  jsonString?: boolean;
  /** Value rules from spec/constraints.json, checked by api/validate.ts on both sides (where each comes from: generated/provenance.json). */
  rules?: ParamRules;
  description?: string;
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

export interface SeedError<C extends string = string> {
  http: number;
  code: C;
  message: string;
}

/**
 * How a paged action pages, as data (generated): read by client/paginate.ts (--all, the page
 * footer), `vn call --list`, the command builder and the emulator's Params.page.
 */
export interface Paginator {
  /** The request parameter of the page number (from 1). */
  page: string;
  /** The request parameter of the page size. */
  size: string;
  /** Dotted path of the page's items in the response. */
  items: string;
  /** Dotted path of the count of every item. */
  total: string;
  /** Dotted paths where the response echoes the page number and the page size. */
  echoPage: string;
  echoSize: string;
}

/** One action of the model; `ActionSpec<A>` is the one action A, `ActionSpec` any of them. */
export interface ActionSpec<A extends ActionName = ActionName> {
  name: A;
  group: string;
  method: 'GET' | 'POST';
  readOnly: boolean;
  summary?: string;
  params: ParamSpec[];
  /** Response shape: field name -> type name, nested object, or [item shape]. */
  response: Record<string, unknown>;
  /** Dotted path of the array a table shows as rows, when the response has one. */
  listField?: string;
  /** Present on a paged action. */
  paginator?: Paginator;
  /** The errors the model lists for the action (the seed's error tables). */
  errors: SeedError<ErrorCode<A>>[];
  /** The answer carries Code/Success/HttpStatusCode, errors included (GetAsrConfig, …). */
  envelope?: boolean;
}

export interface CatalogInfo {
  product: string;
  version: string;
  endpoints: Record<string, string>;
}

declare const FROM_FLAGS: unique symbol;
/**
 * Wire parameters collected from a command's flags by the model (commands/build.ts): `ctx.call`
 * takes them for any action (they are validated again before signing), while a literal must match
 * `Params<A>`.
 */
export type FlagParams = Record<string, unknown> & { readonly [FROM_FLAGS]: true };
