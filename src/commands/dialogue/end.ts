import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { SAME_ACTION_ENV_FLAG, sendTurn } from './send-turn.js';

export default defineCommand({
  description:
    'Ends a conversation (EndDialogue), as when the caller hangs up. The API has no Debug* variant of this action: it works ' +
    'on conversations begun with either environment, and --env changes nothing (it is taken as by the other dialogue commands).',
  action: 'EndDialogue',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  flags: [
    SAME_ACTION_ENV_FLAG('EndDialogue'),
    {
      name: 'hang-up-params',
      param: 'HangUpParams',
      valueName: 'json',
      description: 'a JSON object about the hang-up, e.g. {"hangUpDirection":"client","hasLastPlaybackCompleted":true}',
    },
  ],
  examples: ['vn dialogue end 3f6e… c28fc549-…', 'vn dialogue end 3f6e… c28fc549-… --env live'],
  async run(ctx, { params, flags }) {
    const p = flags.hangUpParams;
    if (p !== undefined && (p === null || typeof p !== 'object' || Array.isArray(p))) throw new UsageError('--hang-up-params must be a JSON object');
    const out = await sendTurn(ctx, 'end', { params, flags: {}, conversationId: String(params.ConversationId) });
    return { ...out, view: { message: `ended conversation ${params.ConversationId}` } };
  },
});
