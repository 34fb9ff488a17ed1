import { FINAL_ACTIONS } from '../../api/bot-actions.js';
import { defineCommand, type FlagDef } from '../define.js';

/** seed: 10.1 DescribeNavigationConfig — FinalAction is one of TransferToAgent / TransferToIVR / RedirectToPage / HangUp. */

/** --prompt, --final-prompt, --final-action, --threshold and --final-action-params, shared by the silence and unrecognizing commands. */
export function escalationFlags(what: string): FlagDef[] {
  return [
    { name: 'prompt', param: 'Prompt', valueName: 'text', description: `what the bot says each time the caller ${what}` },
    { name: 'final-prompt', param: 'FinalPrompt', valueName: 'text', description: 'what it says the last time, before the final action' },
    { name: 'final-action', param: 'FinalAction', choices: FINAL_ACTIONS, valueName: 'action', description: 'what happens after the final prompt' },
    {
      name: 'final-action-params',
      param: 'FinalActionParams',
      valueName: 'json',
      description: 'a JSON object for the final action, e.g. {"skillGroupId":"g1"}',
    },
    { name: 'threshold', param: 'Threshold', valueName: 'n', description: 'how many times in a row before the final prompt' },
  ];
}

export default defineCommand({
  description:
    'When the bot cannot understand the caller it says --prompt; after --threshold times in a row it says --final-prompt and ' +
    'takes --final-action (with --final-action-params).',
  action: 'ModifyUnrecognizingConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: escalationFlags('is not understood'),
  examples: [
    'vn ivr set-unrecognizing 3f6e… --prompt 抱歉，我没有听懂 --final-prompt 即将为您转接人工 --final-action TransferToAgent --threshold 3 --final-action-params \'{"skillGroupId":"g1"}\'',
  ],
  async run(ctx, { params }) {
    const out = await ctx.call('ModifyUnrecognizingConfig', params);
    return { ...out, view: { message: `changed the unrecognizing config of instance ${params.InstanceId}` } };
  },
});
