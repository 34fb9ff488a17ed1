import { DEFAULT_CALLING_NUMBER } from '../../dialogue/suite/format.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    'Starts a conversation (DebugBeginDialogue, or BeginDialogue with --env live), prints the greeting, then sends each line ' +
    'you type and prints the answer: text, action, params, interruptible and latency. /help lists the slash commands ' +
    '(/dtmf, /silence, /context, /restart, /end, /save, /quit); --verbose adds the matched intent or rule and the context changes. Without a terminal it reads one utterance a line from stdin ' +
    'and prints JSON lines. Ctrl-C cancels a turn in flight (a spinner shows while one is slow) or clears the line; at an empty ' +
    'prompt a second Ctrl-C, or Ctrl-D, ends the conversation with EndDialogue and leaves.',
  args: [{ name: 'instance-id', description: 'the instance to talk to' }],
  flags: [
    {
      name: 'env',
      choices: ['debug', 'live'],
      default: 'debug',
      valueName: 'env',
      description: 'debug: the draft (Debug* actions); live: the published instance',
    },
    { name: 'calling-number', valueName: 'number', description: `the caller's number (default ${DEFAULT_CALLING_NUMBER})` },
    { name: 'called-number', valueName: 'number', description: 'the number that was called' },
    { name: 'context', type: 'json', valueName: 'json', description: 'InitialContext of the conversation, a JSON object, e.g. {"vip":true}' },
    { name: 'record', valueName: 'file', complete: 'file', description: 'keep the session in this test file, rewritten after every turn' },
    { name: 'force', type: 'bool', description: 'let /save and --record replace an existing file' },
    {
      name: 'verbose',
      type: 'bool',
      description: 'after each answer, the matched intent or rule and the context changes (DescribeConversationContext), dimmed',
    },
  ],
  examples: [
    'vn --profile local dialogue chat <instance-id>',
    'vn dialogue chat <instance-id> --record session.test.yaml',
    'printf "我想查余额\\n/dtmf 1\\n" | vn dialogue chat <instance-id>   # JSON lines',
  ],
  async run(ctx, { args, flags }) {
    const context = flags.context;
    if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) {
      throw new UsageError('--context must be a JSON object, e.g. {"vip":true}');
    }
    const record = flags.record as string | undefined;
    if (record && flags.force !== true) {
      const { stat } = await import('node:fs/promises');
      if (
        await stat(record).then(
          () => true,
          () => false,
        )
      )
        throw new UsageError(`--record ${record}: the file exists; --force replaces it`);
    }
    const { runChat } = await import('../../dialogue/chat.js');
    await runChat(ctx, {
      instanceId: args.instanceId as string,
      env: flags.env as 'debug' | 'live',
      callingNumber: (flags.callingNumber as string | undefined) ?? DEFAULT_CALLING_NUMBER,
      calledNumber: flags.calledNumber as string | undefined,
      context: context as Record<string, unknown> | undefined,
      recordFile: record,
      force: flags.force === true,
      verbose: flags.verbose === true,
    });
    return undefined;
  },
});
