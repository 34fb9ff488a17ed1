import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { TIME_RANGE_FLAGS, timeRangeParams } from '../time.js';

export default defineCommand({
  action: 'ListConversations',
  description:
    'Lists the conversations of an instance, newest first: live calls by default, the draft’s debug conversations ' +
    '(dialogue chat, dialogue test, --env debug) with --env debug. --min-rounds/--max-rounds and --result filter on the ' +
    'service’s side (ListConversations’ RoundsLeftRange, RoundsRightRange and Result).',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'conversations per page' },
    { name: 'calling-number', param: 'CallingNumber', description: 'only calls from this number' },
    { name: 'env', choices: ['live', 'debug'], valueName: 'env', description: 'live calls (the default) or the debug conversations of the draft' },
    { name: 'min-rounds', param: 'RoundsLeftRange', valueName: 'n', description: 'only conversations with at least n rounds (caller turns)' },
    { name: 'max-rounds', param: 'RoundsRightRange', valueName: 'n', description: 'only conversations with at most n rounds' },
    {
      name: 'result',
      param: 'Result',
      valueName: 'code',
      description:
        'only conversations that ended this way (the service’s EndReason code; the emulator’s: 1 EndDialogue, 2 TransferToAgent, ' +
        '3 TransferToIVR, 4 RedirectToPage, 5 HangUp; 0 any)',
    },
    ...TIME_RANGE_FLAGS,
  ],
  examples: [
    'vn stats conversations 3f6e…',
    'vn stats conversations 3f6e… --env debug --min-rounds 3   # the debug conversations of three rounds or more',
    'vn stats conversations 3f6e… --all -o json --query "Conversations[].ConversationId"',
  ],
  async run(ctx, { params, flags }) {
    const { RoundsLeftRange: min, RoundsRightRange: max } = params as { RoundsLeftRange?: number; RoundsRightRange?: number };
    if (min !== undefined && max !== undefined && Number(min) > Number(max)) throw new UsageError(`--min-rounds ${min} is more than --max-rounds ${max}`);
    const env = flags.env === undefined ? {} : { DebugConversation: flags.env === 'debug' ? 1 : 0 };
    return await ctx.api('ListConversations', { ...params, ...env, ...timeRangeParams(flags, ctx.now()) }, { all: flags.all === true });
  },
});
