import { randomUUID } from 'node:crypto';
import { DEFAULT_CALLING_NUMBER } from '../../dialogue/suite/format.js';
import { UsageError } from '../../errors.js';
import { FORMATS } from '../../output/formats/index.js';
import { defineCommand } from '../define.js';
import { CONTEXT_FLAG, ENV_FLAG, sendTurn } from './send-turn.js';

export default defineCommand({
  description:
    'Starts a conversation as if a call came in from --calling-number, and prints the bot’s greeting. Without ' +
    '--conversation-id a new UUID is used; it is printed (and is ConversationId in -o json) so the next commands can use it. ' +
    '--env debug (the default) uses DebugBeginDialogue on the draft; --env live uses BeginDialogue.',
  action: 'DebugBeginDialogue',
  alsoSends: ['BeginDialogue'],
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    {
      name: 'calling-number',
      param: 'CallingNumber',
      default: DEFAULT_CALLING_NUMBER,
      valueName: 'number',
      description: 'the caller’s number (the same default as dialogue chat)',
    },
    { name: 'called-number', param: 'CalledNumber', valueName: 'number', description: 'the number that was dialled' },
    { name: 'conversation-id', param: 'ConversationId', required: false, valueName: 'id', description: 'id for the conversation (default: a new UUID)' },
    CONTEXT_FLAG('InitialContext'),
    ENV_FLAG,
  ],
  examples: [
    'vn dialogue begin 3f6e…',
    'vn dialogue begin 3f6e… --calling-number 13912345678',
    'id=$(vn dialogue begin 3f6e… --calling-number 13800000000 -o tsv --query ConversationId)',
  ],
  async run(ctx, { params, flags }) {
    if (String(params.CallingNumber).trim() === '') throw new UsageError('--calling-number must not be empty');
    if (params.ConversationId !== undefined && String(params.ConversationId).trim() === '') throw new UsageError('--conversation-id must not be empty');
    const generated = params.ConversationId === undefined;
    const conversationId = generated ? randomUUID() : String(params.ConversationId);
    const out = await sendTurn(ctx, 'begin', { params, flags, conversationId });
    const format = await ctx.outputFormat();
    // the XML body is passed through as the service sent it, so the id goes to stderr there
    if (FORMATS[format].wire) {
      if (generated) ctx.err(`conversation ${conversationId}`);
      return out;
    }
    return { data: { ConversationId: conversationId, ...(out.data as Record<string, unknown>) }, view: out.view };
  },
});
