import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { sendTurn } from './send-turn.js';

export default defineCommand({
  description:
    'Ends a conversation (EndDialogue), as when the caller hangs up. The API has no Debug* variant of this action, so there ' +
    'is no --env: it works on conversations begun with either environment.',
  action: 'EndDialogue',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  flags: [
    {
      name: 'hang-up-params',
      param: 'HangUpParams',
      valueName: 'json',
      description: 'a JSON object about the hang-up, e.g. {"hangUpDirection":"client","hasLastPlaybackCompleted":true}',
    },
  ],
  examples: ['vn dialogue end 3f6e… c28fc549-…'],
  async run(ctx, { params, flags }) {
    const p = flags.hangUpParams;
    if (p !== undefined && (p === null || typeof p !== 'object' || Array.isArray(p))) throw new UsageError('--hang-up-params must be a JSON object');
    const out = await sendTurn(ctx, 'end', { params, flags: {}, conversationId: String(params.ConversationId) });
    return { ...out, view: { message: `ended conversation ${params.ConversationId}` } };
  },
});
