import type { Assertion } from './assertions/assertion.js';
import { ASSERTIONS, DEFAULT_KEYS, EXPECTATION_KEYS } from './assertions/index.js';
import { DEFAULT_CALLING_NUMBER, ENVS } from './format.js';
import { MAX_VARIANT_CASES } from './variants.js';

/**
 * The JSON Schema of a test file, schema/dialogue-test.schema.json: the file, conversation and step
 * shapes written here, the expectations (`bot`, `defaults`) from the assertions' table. The committed
 * file is this function's output (`npm run gen:schema` writes it; test/dialogue/schema-drift.test.ts
 * fails when they differ).
 */
export function testFileSchema(): Record<string, unknown> {
  const fragment = (key: (typeof EXPECTATION_KEYS)[number]) => (ASSERTIONS[key] as Assertion<unknown>).schema;
  const phone = (description?: string) => ({ $ref: '#/$defs/number', ...(description ? { description } : {}) });
  const only = (key: string, others: string[]) => ({ required: [key], not: { anyOf: others.map((o) => ({ required: [o] })) } });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/vn-cli/vn/schema/dialogue-test.schema.json',
    title: 'vn dialogue test file',
    description:
      'Scripted conversations for `vn dialogue test` (see docs/testing.md). Steps send what a caller does (say, dtmf, silence, end); `bot` checks the answer.',
    type: 'object',
    additionalProperties: false,
    required: ['conversations'],
    properties: {
      $schema: { type: 'string' },
      instance: { type: 'string', description: 'InstanceId to test; --instance or VN_INSTANCE overrides it.' },
      env: { enum: [...ENVS], default: 'debug', description: 'debug: the Debug* actions (the draft); live: the published instance.' },
      callingNumber: phone(`CallingNumber of the begin call (default ${DEFAULT_CALLING_NUMBER}).`),
      calledNumber: phone('CalledNumber of the begin call.'),
      tags: { $ref: '#/$defs/tags', description: 'Tags of every conversation in the file.' },
      defaults: {
        type: 'object',
        additionalProperties: false,
        description: "Expectations applied to every turn of the file; a turn's own keys win.",
        properties: Object.fromEntries(DEFAULT_KEYS.map((k) => [k, fragment(k)])),
      },
      conversations: { type: 'array', minItems: 1, items: { $ref: '#/$defs/conversation' } },
    },
    $defs: {
      number: { type: ['string', 'integer'], description: 'A phone number; quote it to keep leading zeros.' },
      tags: {
        type: 'array',
        items: { type: 'string', pattern: '^[^\\s!,]+$' },
        description: "Labels that --tag selects on (--tag T runs those tagged T, --tag '!T' leaves them out).",
      },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names the file's ${NAME} syntax
      context: { type: 'object', description: 'A JSON object; string values may use ${NAME} saved by an earlier step.' },
      conversation: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'turns'],
        properties: {
          name: { type: 'string', description: 'Unique in the file; --grep matches it.' },
          tags: { $ref: '#/$defs/tags', description: "Tags of this conversation, besides the file's." },
          context: { $ref: '#/$defs/context', description: 'InitialContext of the begin call.' },
          callingNumber: phone(),
          calledNumber: phone(),
          turns: {
            type: 'array',
            description: 'The first item may hold only `bot`: the expectations on the greeting.',
            items: { $ref: '#/$defs/step' },
          },
        },
      },
      step: {
        type: 'object',
        additionalProperties: false,
        properties: {
          say: {
            oneOf: [
              // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names the file's ${NAME} syntax
              { type: 'string', description: 'An utterance (DebugDialogue / Dialogue); may use ${NAME}.' },
              {
                type: 'object',
                additionalProperties: false,
                required: ['anyOf'],
                properties: { anyOf: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } } },
                description: `Utterance variants: the conversation runs once per variant (per combination, at most ${MAX_VARIANT_CASES}), each its own test case.`,
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['file'],
                properties: { file: { type: 'string', minLength: 1 } },
                description: 'Utterance variants from a file, one a line (blank lines and # comments left out), the path relative to the test file.',
              },
            ],
          },
          dtmf: {
            type: ['string', 'integer'],
            pattern: '^([0-9*#]|\\$\\{[A-Za-z_][A-Za-z0-9_]*\\})+$',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names the file's ${NAME} syntax
            description: 'Keypad digits (DebugCollectedNumber / CollectedNumber); may use ${NAME}.',
          },
          silence: { const: true, description: 'The caller said nothing (SilenceTimeout).' },
          end: { const: true, description: 'EndDialogue; no step may follow, and it takes no `bot`.' },
          context: { $ref: '#/$defs/context', description: 'AdditionalContext of this turn (InitialContext for silence).' },
          bot: { $ref: '#/$defs/expectation' },
        },
        oneOf: [
          only('say', ['dtmf', 'silence', 'end']),
          only('dtmf', ['say', 'silence', 'end']),
          only('silence', ['say', 'dtmf', 'end']),
          only('end', ['say', 'dtmf', 'silence', 'bot']),
          only('bot', ['say', 'dtmf', 'silence', 'end', 'context']),
        ],
      },
      expectation: {
        type: 'object',
        additionalProperties: false,
        description: 'What the answer must be. Every key is optional.',
        properties: Object.fromEntries(EXPECTATION_KEYS.map((k) => [k, fragment(k)])),
      },
    },
  };
}

/** The schema file's text. */
export function testFileSchemaText(): string {
  return `${JSON.stringify(testFileSchema(), null, 2)}\n`;
}
