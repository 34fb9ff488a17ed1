import { FINAL_ACTIONS } from '../../api/bot-actions.js';
import type { ActionName } from '../../api/catalog.js';
import type { FlagParams } from '../../api/types.js';
import { defineCommand, type FlagDef } from '../define.js';
import type { HandlerContext } from '../handler-context.js';

/** seed: 10.1 DescribeNavigationConfig — FinalAction is one of TransferToAgent / TransferToIVR / RedirectToPage / HangUp. */

/** --prompt, --final-prompt, --final-action, --threshold and --final-action-params, shared by the silence and unrecognizing commands. */
export function escalationFlags(what: string): FlagDef[] {
  return [
    { name: 'prompt', param: 'Prompt', required: false, valueName: 'text', description: `what the bot says each time the caller ${what}` },
    { name: 'final-prompt', param: 'FinalPrompt', required: false, valueName: 'text', description: 'what it says the last time, before the final action' },
    {
      name: 'final-action',
      param: 'FinalAction',
      required: false,
      choices: FINAL_ACTIONS,
      valueName: 'action',
      description: 'what happens after the final prompt',
    },
    {
      name: 'final-action-params',
      param: 'FinalActionParams',
      valueName: 'json',
      description: 'a JSON object for the final action, e.g. {"skillGroupId":"g1"}',
    },
    { name: 'threshold', param: 'Threshold', required: false, valueName: 'n', description: 'how many times in a row before the final prompt' },
  ];
}

/** The flags of escalationFlags() as they are written, for "nothing to change" messages. */
export const ESCALATION_FLAG_NAMES = ['--prompt', '--final-prompt', '--final-action', '--final-action-params', '--threshold'];

/** Reads the navigation config and lays the given flags over one of its sections (see ../partial.ts). */
export async function mergeSection(
  ctx: HandlerContext,
  params: FlagParams,
  write: ActionName,
  section: string,
  flagNames: string[],
  fallback?: Record<string, unknown>,
): Promise<FlagParams> {
  const { mergeWithCurrent } = await import('../partial.js');
  return mergeWithCurrent(ctx, params, {
    write,
    read: 'DescribeNavigationConfig',
    readParams: { InstanceId: params.InstanceId },
    section,
    keys: ['InstanceId'],
    flagNames,
    fallback,
  });
}

export default defineCommand({
  description:
    'When the bot cannot understand the caller it says --prompt; after --threshold times in a row it says --final-prompt and ' +
    'takes --final-action (with --final-action-params). Only the settings given change: the others are read from the current ' +
    'config (DescribeNavigationConfig) and sent as they are; --dry-run shows the merged request.',
  action: 'ModifyUnrecognizingConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: escalationFlags('is not understood'),
  examples: [
    'vn ivr set-unrecognizing 3f6e… --threshold 2',
    'vn ivr set-unrecognizing 3f6e… --prompt 抱歉，我没有听懂 --final-prompt 即将为您转接人工 --final-action TransferToAgent --threshold 3 --final-action-params \'{"skillGroupId":"g1"}\'',
  ],
  async run(ctx, { params }) {
    const merged = await mergeSection(ctx, params, 'ModifyUnrecognizingConfig', 'UnrecognizingConfig', ESCALATION_FLAG_NAMES);
    const out = await ctx.api('ModifyUnrecognizingConfig', merged);
    return { ...out, view: { message: `changed the unrecognizing config of instance ${params.InstanceId}` } };
  },
});
