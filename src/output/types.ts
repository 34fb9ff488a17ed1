/** The output layer's types: a leaf module, so that render, its formats and its views need not import each other for them. */

/** What a formatter is told besides the data: whether --query reshaped it (views then stand aside). */
export interface FormatterOptions {
  query?: string;
}

/** What the table family hands a named view: the table, or tab-separated rows. */
export type ViewFormat = 'table' | 'tsv';

export interface Column {
  /** Field name in a row (dotted path allowed). */
  key: string;
  /** Header; defaults to the key. */
  header?: string;
  /** Custom cell text. */
  format?: (value: unknown, row: Record<string, unknown>) => string;
  /** Free text (a name, a description): cut when the table is wider than the terminal. */
  flex?: boolean;
  /** With `flex`: a name, cut only after descriptions, near-empty and optional columns gave way (output/table.ts). */
  name?: boolean;
  /** Left out of a table that does not fit even cut (always in -o wide and -o tsv). */
  optional?: boolean;
}

/** What a command knows about how its result is best shown. */
export interface View {
  /** Dotted path of the rows (from the catalog's listField). */
  listField?: string;
  /** Where a paged answer stands (client/paginate.ts reads it from the model's paginator): the table's footer. */
  page?: { number: number; size: number; total: number };
  columns?: Column[];
  /** A named view in src/output/views (ivr, transcript, stats, turn, …). */
  kind?: string;
  /** Short confirmation to print in table mode instead of a key/value table (e.g. "deleted i-123"). */
  message?: string;
}

/** What a handler returns: the response (or a value shaped like one) and how to show it. */
export interface Output<T = unknown> {
  data: T;
  /** The raw body (printed as is for -o xml, and for -o json without --query when piped). */
  raw?: string;
  view?: View;
}

export interface RenderTarget {
  write(s: string): void;
  isTTY: boolean;
  color: boolean;
  columns?: number;
}

/** Renders data in one format; returns false to fall back to the generic table/tsv. */
export type ViewRenderer = (data: unknown, format: ViewFormat, target: RenderTarget) => Promise<boolean> | boolean;
