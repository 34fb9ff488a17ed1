import { defineCommand } from '../define.js';
import { CONTEXT_FLAG, ENV_FLAG, sendTurn } from './send-turn.js';

export default defineCommand({
  description: 'Sends one utterance and prints the bot’s answer. --env debug (the default) uses DebugDialogue; --env live uses Dialogue.',
  action: 'DebugDialogue',
  alsoSends: ['Dialogue'],
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
    { name: 'utterance', param: 'Utterance', description: 'what the caller said' },
  ],
  flags: [CONTEXT_FLAG('AdditionalContext'), ENV_FLAG],
  examples: ['vn dialogue say 3f6e… c28fc549-… 我想查余额', 'vn dialogue say 3f6e… c28fc549-… 转人工 --env live'],
  async run(ctx, { params, flags }) {
    return sendTurn(ctx, 'say', { params, flags, conversationId: String(params.ConversationId), text: String(params.Utterance) });
  },
});
