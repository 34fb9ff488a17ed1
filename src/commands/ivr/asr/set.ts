import { UsageError } from '../../../errors.js';
import { defineCommand, type FlagDef } from '../../define.js';
import { ASR_TARGET_ARGS, ASR_TARGET_FLAGS, asrTarget } from './shared.js';

const SETTINGS: FlagDef[] = [
  { name: 'engine', param: 'Engine', description: 'recognition engine, e.g. ali' },
  { name: 'app-key', param: 'AppKey', valueName: 'key', description: 'the speech project’s AppKey' },
  { name: 'nls-service-type', param: 'NlsServiceType', valueName: 'type', description: 'e.g. Managed' },
  { name: 'vocabulary-id', param: 'AsrVocabularyId', valueName: 'id', description: 'hot-word vocabulary' },
  { name: 'class-vocabulary-id', param: 'AsrClassVocabularyId', valueName: 'id', description: 'class hot-word vocabulary' },
  { name: 'customization-id', param: 'AsrCustomizationId', valueName: 'id', description: 'custom language model' },
  { name: 'acoustic-model-id', param: 'AsrAcousticModelId', valueName: 'id', description: 'custom acoustic model' },
  { name: 'overrides', param: 'AsrOverrides', valueName: 'text', description: 'engine-specific overrides' },
];

export default defineCommand({
  description:
    'Changes the speech-recognition settings given (of an instance, or the system-wide default when no instance is given). ' +
    'At least one setting is needed.',
  action: 'ModifyAsrConfig',
  args: ASR_TARGET_ARGS,
  flags: [...SETTINGS, ...ASR_TARGET_FLAGS],
  examples: ['vn ivr asr set 3f6e… --vocabulary-id 6cc9f5ca-2cb6-4cc7-a46b-2bbfd3e61b22', 'vn ivr asr set --engine ali   # the system-wide default'],
  async run(ctx, { args, params }) {
    asrTarget(args, params);
    if (!SETTINGS.some((f) => params[f.param as string] !== undefined)) {
      throw new UsageError(`nothing to change: give at least one of ${SETTINGS.map((f) => `--${f.name}`).join(', ')}`);
    }
    const out = await ctx.api('ModifyAsrConfig', params);
    const where = params.ConfigLevel === 2 ? `instance ${params.EntryId}` : params.ConfigLevel === 1 ? `tenant ${params.EntryId}` : 'the system default';
    return { ...out, view: { message: `changed the ASR config of ${where}` } };
  },
});
