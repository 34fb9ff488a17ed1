import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { CONTEXT_FLAG, ENV_FLAG, sendTurn } from './send-turn.js';

export default defineCommand({
  description:
    'Sends digits the caller pressed (0-9, * and #) and prints the bot’s answer. --env debug (the default) uses DebugCollectedNumber; --env live uses CollectedNumber.',
  action: 'DebugCollectedNumber',
  alsoSends: ['CollectedNumber'],
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
    { name: 'digits', param: 'Number', description: 'the keys pressed, e.g. 1 or 1234#' },
  ],
  // CollectedNumber takes AdditionalContext (SDK); DebugCollectedNumber takes none, so --context needs --env live
  flags: [
    {
      ...CONTEXT_FLAG('AdditionalContext'),
      param: undefined,
      type: 'json',
      description: 'AdditionalContext, a JSON object (with --env live only: DebugCollectedNumber takes none)',
    },
    ENV_FLAG,
  ],
  examples: ['vn dialogue dtmf 3f6e… c28fc549-… 1'],
  async run(ctx, { params, flags }) {
    if (!/^[0-9*#]+$/.test(String(params.Number))) throw new UsageError(`<digits> may hold only 0-9, * and #, got "${String(params.Number)}"`);
    return sendTurn(ctx, 'dtmf', { params, flags, conversationId: String(params.ConversationId), text: String(params.Number) });
  },
});
