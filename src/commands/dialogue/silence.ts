import { defineCommand } from '../define.js';
import { CONTEXT_FLAG, SAME_ACTION_ENV_FLAG, sendTurn } from './send-turn.js';

export default defineCommand({
  description:
    'Tells the bot the caller was silent for the configured timeout (SilenceTimeout) and prints its answer. The API has no ' +
    'Debug* variant of this action: it works on conversations begun with either environment, and --env changes nothing.',
  action: 'SilenceTimeout',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  // seed: 11.4 SilenceTimeout — its context parameter is InitialContext, not AdditionalContext
  flags: [CONTEXT_FLAG('InitialContext'), SAME_ACTION_ENV_FLAG('SilenceTimeout')],
  examples: ['vn dialogue silence 3f6e… c28fc549-…'],
  async run(ctx, { params, flags }) {
    return sendTurn(ctx, 'silence', { params, flags, conversationId: String(params.ConversationId) });
  },
});
