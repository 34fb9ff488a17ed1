import type { FormatterOptions, Output, RenderTarget } from '../types.js';

export interface RenderOptions extends FormatterOptions {
  format: OutputFormatName;
}

/**
 * The output formats, one entry each (after the AWS CLI's CLI_OUTPUT_FORMATS): `-o`'s choices, its
 * help, completion, `vn configure`'s list and render() all read this table. A new format is its
 * file beside this one and one line here. Loading is lazy: only the chosen format's module is read.
 */
export interface FormatInfo {
  /** One line for help and `vn configure`. */
  summary: string;
  /** Named views (ivr, transcript, …) and the list columns apply (the table family). */
  supportsViews: boolean;
  /** The body format asked of the service (`Format=XML`); JSON by default. */
  wire?: 'XML';
  /** `--query` (JMESPath on the JSON answer) can be applied before printing. */
  acceptsQuery: boolean;
  load(): Promise<Formatter>;
}

/** Writes one result (after --query) to the target. */
export type Formatter = (out: Output, opts: FormatterOptions, target: RenderTarget) => Promise<void> | void;

const formats = {
  table: { summary: 'columns fitted to the terminal', supportsViews: true, acceptsQuery: true, load: async () => (await import('./table.js')).table },
  wide: { summary: 'a table with every field, uncut', supportsViews: true, acceptsQuery: true, load: async () => (await import('./table.js')).wide },
  json: { summary: 'the answer as JSON', supportsViews: false, acceptsQuery: true, load: async () => (await import('./json.js')).default },
  yaml: { summary: 'the answer as YAML', supportsViews: false, acceptsQuery: true, load: async () => (await import('./yaml.js')).default },
  xml: { summary: "the service's raw XML body", supportsViews: false, wire: 'XML', acceptsQuery: false, load: async () => (await import('./xml.js')).default },
  tsv: { summary: 'tab-separated rows without a header', supportsViews: true, acceptsQuery: true, load: async () => (await import('./table.js')).tsv },
  text: { summary: 'raw values (as jq -r): strings unquoted', supportsViews: false, acceptsQuery: true, load: async () => (await import('./text.js')).default },
} as const satisfies Record<string, FormatInfo>;

export type OutputFormatName = keyof typeof formats;
export type OutputFormat = OutputFormatName;
export const FORMATS: Record<OutputFormatName, FormatInfo> = formats;
/** `-o`'s choices, in the order help and `vn configure` list them. */
export const OUTPUT_FORMATS = Object.keys(FORMATS) as OutputFormatName[];
