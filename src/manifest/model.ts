import { ACTION_SPECS, type ActionName, type ParamSpec } from '../api/catalog.js';

/**
 * The model of an instance configuration file (docs/config-as-code.md). Every section is one
 * write action of the catalog, and its fields are that action's parameters with the first letter
 * lower-cased (`SpeechRate` → `speechRate`): the catalog says which keys exist and what they take,
 * so the file, the validator and the requests cannot drift apart.
 */

export const API_VERSION = 'vn/v1';
export const KIND = 'Instance';

export type SectionKey = 'instance' | 'chatbot' | 'tts' | 'greeting' | 'silenceTimeout' | 'unrecognizing' | 'asr';

export interface SectionDef {
  key: SectionKey;
  /** The action that writes the section. */
  action: ActionName;
  /** Parameters of `action` that say which instance (or level) it is for, not fields. */
  target: readonly string[];
  /**
   * `changed`: the action keeps what it is not given, so only the fields that differ are sent;
   * `whole`: the action takes the whole section (its required fields), so the declared fields are
   * sent over the live ones.
   */
  send: 'changed' | 'whole';
  /** False when no action reads the section back (the chatbot association). */
  readable: boolean;
  /** The navigation-config part that holds it (DescribeNavigationConfig). */
  navigationPart?: string;
}

export const SECTIONS: readonly SectionDef[] = [
  // name, description and concurrency stand at the top level of an instance
  { key: 'instance', action: 'ModifyInstance', target: ['InstanceId'], send: 'whole', readable: true },
  { key: 'chatbot', action: 'AssociateChatbotInstance', target: ['InstanceId'], send: 'whole', readable: false },
  { key: 'tts', action: 'ModifyTTSConfig', target: ['InstanceId'], send: 'changed', readable: true },
  { key: 'greeting', action: 'ModifyGreetingConfig', target: ['InstanceId'], send: 'whole', readable: true, navigationPart: 'GreetingConfig' },
  {
    key: 'silenceTimeout',
    action: 'ModifySilenceTimeoutConfig',
    target: ['InstanceId'],
    send: 'whole',
    readable: true,
    navigationPart: 'SilenceTimeoutConfig',
  },
  {
    key: 'unrecognizing',
    action: 'ModifyUnrecognizingConfig',
    target: ['InstanceId'],
    send: 'whole',
    readable: true,
    navigationPart: 'UnrecognizingConfig',
  },
  // seed/SDK: ConfigLevel 2 with EntryId = the instance is the instance's own level
  { key: 'asr', action: 'ModifyAsrConfig', target: ['ConfigLevel', 'EntryId'], send: 'changed', readable: true },
];

export const ASR_INSTANCE_LEVEL = 2;

/** The navigation parts the API shows but no action changes: exported as information only. */
export const READ_ONLY_PARTS: Readonly<Record<string, string>> = {
  repeating: 'RepeatingConfig',
  askingBack: 'AskingBackConfig',
  complaining: 'ComplainingConfig',
};
export const READ_ONLY_KEYS = ['instanceId', 'status', 'modifyTime', ...Object.keys(READ_ONLY_PARTS)];

/** Section keys at the top level of an instance (the instance section's fields stand there too). */
export const NESTED_SECTIONS = SECTIONS.filter((s) => s.key !== 'instance');

export function sectionDef(key: SectionKey): SectionDef {
  return SECTIONS.find((s) => s.key === key) as SectionDef;
}

export interface FieldDef {
  /** The key in the file. */
  key: string;
  /** The wire parameter. */
  wire: string;
  spec: ParamSpec;
}

const fieldCache = new Map<SectionKey, FieldDef[]>();
const INSTANCE_ORDER = ['Name', 'Description', 'Concurrency'];

/** The fields of a section: its action's parameters, less the ones that name the target. */
export function fieldsOf(key: SectionKey): FieldDef[] {
  let fields = fieldCache.get(key);
  if (!fields) {
    const def = sectionDef(key);
    fields = ACTION_SPECS[def.action].params.filter((p) => !def.target.includes(p.name)).map((spec) => ({ key: fileKey(spec.name), wire: spec.name, spec }));
    // an instance reads best name first
    if (key === 'instance') fields.sort((a, b) => INSTANCE_ORDER.indexOf(a.wire) - INSTANCE_ORDER.indexOf(b.wire));
    fieldCache.set(key, fields);
  }
  return fields;
}

export function fileKey(wire: string): string {
  return wire.charAt(0).toLowerCase() + wire.slice(1);
}

/** Keys an instance mapping may have, in the order an export writes them. */
export const TOP_KEYS = [
  'apiVersion',
  'kind',
  'name',
  'id',
  ...fieldsOf('instance')
    .map((f) => f.key)
    .filter((k) => k !== 'name'),
  'enabled',
  ...NESTED_SECTIONS.map((s) => s.key),
  'readOnly',
];

/** The parts of one instance's configuration: wire field name → value, per section. */
export type Sections = Partial<Record<SectionKey, Record<string, unknown>>>;

export interface Config {
  sections: Sections;
  /** Published (true) or not; undefined when not declared. */
  enabled?: boolean;
}

/**
 * A value as the wire would carry it, for comparing: JSON texts compared as data (key order and
 * spacing do not count), everything else as its text (the service answers `SpeechRate: -150` to a
 * parameter sent as the string "-150").
 */
export function canonical(spec: ParamSpec, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (spec.jsonString) {
    if (typeof value !== 'string') return stableJson(value);
    if (value.trim() === '') return '';
    try {
      return stableJson(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return typeof value === 'object' ? stableJson(value) : String(value);
}

export function sameValue(spec: ParamSpec, a: unknown, b: unknown): boolean {
  return canonical(spec, a) === canonical(spec, b);
}

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A file value as a request parameter: JSON fields as JSON text, the rest as given. */
export function toWire(spec: ParamSpec, value: unknown): unknown {
  if (spec.jsonString && typeof value !== 'string') return JSON.stringify(value);
  if (spec.type === 'string' && typeof value !== 'string') return String(value);
  return value;
}

/** A live value as the file writes it: JSON texts holding an object or a list become YAML data. */
export function toFile(spec: ParamSpec, value: unknown): unknown {
  if (spec.jsonString && typeof value === 'string' && value.trim() !== '') {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (parsed && typeof parsed === 'object') return parsed;
    } catch {
      /* kept as the text it is */
    }
  }
  return value;
}

/** A section's values as request parameters (by wire name). */
export function wire(key: SectionKey, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(key)) if (values[f.wire] !== undefined) out[f.wire] = toWire(f.spec, values[f.wire]);
  return out;
}
