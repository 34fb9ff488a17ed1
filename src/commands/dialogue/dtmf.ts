import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { type DialogueEnv, ENV_FLAG, sendTurn } from './turn-output.js';

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
  flags: [ENV_FLAG],
  examples: ['vn dialogue dtmf 3f6e… c28fc549-… 1'],
  async run(ctx, { params, flags }) {
    if (!/^[0-9*#]+$/.test(String(params.Number))) throw new UsageError(`<digits> may hold only 0-9, * and #, got "${String(params.Number)}"`);
    return sendTurn(ctx, (flags.env as DialogueEnv) === 'live' ? 'CollectedNumber' : 'DebugCollectedNumber', params);
  },
});
