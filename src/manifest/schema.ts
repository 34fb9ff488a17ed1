import { API_VERSION, type FieldDef, fieldsOf, KIND, NESTED_SECTIONS, READ_ONLY_KEYS, type SectionKey, sectionDef } from './model.js';

/**
 * The JSON Schema of an instance configuration file (schema/instance-config.schema.json), built
 * from the same model as the loader: the catalog's parameters. A test keeps the file equal to it.
 */
export function instanceConfigSchema(): Record<string, unknown> {
  const top: Record<string, unknown> = {
    apiVersion: { const: API_VERSION, description: 'The file format’s version.' },
    kind: { const: KIND },
    name: { type: 'string', minLength: 1, description: 'Identifies the instance (names are unique in an account); a missing one is created.' },
    id: { type: 'string', minLength: 1, description: 'Pins the instance: it must exist, and is renamed to `name` if they differ.' },
  };
  for (const f of fieldsOf('instance')) if (f.key !== 'name') top[f.key] = field('instance', f);
  top.enabled = { type: 'boolean', description: 'Published (true) or disabled (false): EnableInstance / DisableInstance.' };
  const defs: Record<string, unknown> = {};
  for (const s of NESTED_SECTIONS) {
    const props: Record<string, unknown> = {};
    for (const f of fieldsOf(s.key)) props[f.key] = field(s.key, f);
    defs[s.key] = {
      type: 'object',
      additionalProperties: false,
      description: `${describeSection(s.key)} Sent with ${s.action}.`,
      properties: props,
    };
    top[s.key] = { $ref: `#/$defs/${s.key}` };
  }
  top.readOnly = {
    type: 'object',
    additionalProperties: false,
    description: 'Information from an export (ids, times, the navigation parts no action changes); never applied.',
    properties: Object.fromEntries(READ_ONLY_KEYS.map((k) => [k, {}])),
  };
  defs.instance = { type: 'object', additionalProperties: false, required: ['name'], properties: top };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/vn-cli/vn/schema/instance-config.schema.json',
    title: 'vn instance configuration',
    description:
      'One voice-navigation instance, or a list of them (YAML documents are validated one by one), for `vn apply` and `vn diff` (see docs/config-as-code.md). Fields are the write actions’ parameters with a lower-case first letter.',
    oneOf: [{ $ref: '#/$defs/instance' }, { type: 'array', minItems: 1, items: { $ref: '#/$defs/instance' } }],
    $defs: defs,
  };
}

function describeSection(key: SectionKey): string {
  switch (key) {
    case 'chatbot':
      return 'The chatbot association. The API cannot read it back: it is sent when the instance is created (or with --associate-chatbots), and never compared.';
    case 'tts':
      return 'Text-to-speech settings; only the fields that differ are sent.';
    case 'asr':
      return 'Speech recognition at the instance’s level (ConfigLevel 2); only the fields that differ are sent.';
    default:
      return `The ${sectionDef(key).navigationPart ?? key} of the navigation config; fields left out keep their live values.`;
  }
}

function field(section: SectionKey, f: FieldDef): Record<string, unknown> {
  const where = `${sectionDef(section).action}.${f.wire}`;
  if (f.spec.jsonString) return { type: ['object', 'array', 'string'], description: `${where}: JSON (data, or JSON text).` };
  if (f.spec.type === 'integer' || f.spec.type === 'long') return { type: 'integer', description: where };
  if (f.spec.type === 'boolean') return { type: 'boolean', description: where };
  return { type: ['string', 'number'], description: where };
}
