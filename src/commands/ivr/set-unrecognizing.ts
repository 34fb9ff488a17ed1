import { FINAL_ACTIONS } from '../../api/bot-actions.js';
import type { ActionName } from '../../api/catalog.js';
import type { FlagParams } from '../../api/types.js';
import type { Output } from '../../output/types.js';
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

/** Reads the navigation config, lays the given flags over one of its sections and writes it (see ../partial.ts). */
export async function updateSection(
  ctx: HandlerContext,
  params: FlagParams,
  write: ActionName,
  section: string,
  what: string,
  flagNames: string[],
  fallback?: Record<string, unknown>,
): Promise<Output | undefined> {
  const { updateSettings } = await import('../partial.js');
  return updateSettings(ctx, params, {
    write,
    read: 'DescribeNavigationConfig',
    readParams: { InstanceId: params.InstanceId },
    section,
    keys: ['InstanceId'],
    flagNames,
    fallback,
    what: `the ${what} of instance ${params.InstanceId}`,
  });
}

export default defineCommand({
  description:
    'When the bot cannot understand the caller it says --prompt; after --threshold times in a row it says --final-prompt and ' +
    'takes --final-action (with --final-action-params). Only the settings given change: the others are read from the current ' +
    'config (DescribeNavigationConfig) and sent as they are. Says what changes (`field old → new`, on stderr); sends nothing ' +
    'when nothing would; --dry-run shows the changes above the merged request.',
  action: 'ModifyUnrecognizingConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: escalationFlags('is not understood'),
  examples: [
    'vn ivr set-unrecognizing 3f6e… --threshold 2',
    'vn ivr set-unrecognizing 3f6e… --prompt 抱歉，我没有听懂 --final-prompt 即将为您转接人工 --final-action TransferToAgent --threshold 3 --final-action-params \'{"skillGroupId":"g1"}\'',
  ],
  async run(ctx, { params }) {
    return updateSection(ctx, params, 'ModifyUnrecognizingConfig', 'UnrecognizingConfig', 'unrecognizing config', ESCALATION_FLAG_NAMES);
  },
});
