import { RuntimeFailure, UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    'Shows one conversation (DescribeConversation). With --as-test [FILE] it writes the conversation’s recorded turns ' +
    '(ListConversationDetails) as a `vn dialogue test` file instead — to FILE, or to stdout — which passes when run ' +
    'against the same configuration.',
  action: 'DescribeConversation',
  alsoSends: ['ListConversationDetails'],
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  flags: [
    {
      name: 'as-test',
      optionalValue: true,
      valueName: 'file',
      complete: 'file',
      description: 'write the recorded turns as a dialogue test file (stdout without FILE)',
    },
    { name: 'force', type: 'bool', description: 'with --as-test FILE: replace FILE when it exists' },
  ],
  examples: [
    'vn stats conversation 3f6e… 15608cce-36be-43d5-9361-178cbe64127b',
    'vn stats conversation 3f6e… 15608cce-… --as-test regression.test.yaml && vn dialogue test regression.test.yaml',
  ],
  async run(ctx, { params, flags }) {
    const asTest = flags.asTest as string | boolean | undefined;
    if (asTest === undefined || asTest === false) return ctx.api('DescribeConversation', params);
    const file = typeof asTest === 'string' ? asTest : undefined;
    if (file !== undefined && file.trim() === '') throw new UsageError('--as-test FILE must not be empty');
    // without FILE the test itself is printed, as YAML: there is no JSON answer for --query to filter
    if (!file && ctx.globals.query !== undefined)
      throw new UsageError('--query does not apply to --as-test: it prints the test file as YAML (with --as-test FILE, --query filters the summary)');
    if (file) {
      // everything about FILE is checked before the first read: exit 2 means nothing was sent
      const { stat } = await import('node:fs/promises');
      const { dirname } = await import('node:path');
      const target = await stat(file).catch(() => undefined);
      if (target?.isDirectory()) throw new UsageError(`--as-test ${file} is a directory`);
      if (target && flags.force !== true) throw new UsageError(`${file} exists: --force replaces it`);
      const parent = await stat(dirname(file)).catch(() => undefined);
      if (!parent?.isDirectory()) throw new UsageError(`--as-test ${file}: the directory ${dirname(file)} does not exist`);
    }
    const client = await ctx.client();
    const conversation = (await client.call('DescribeConversation', params)).data as { CallingNumber?: unknown };
    const details = (await client.call('ListConversationDetails', params)).data as { ConversationDetails?: unknown };
    const { conversationToTest } = await import('../../dialogue/suite/from-conversation.js');
    const recorder = conversationToTest(Array.isArray(details.ConversationDetails) ? details.ConversationDetails : [], {
      instanceId: String(params.InstanceId),
      conversationId: String(params.ConversationId),
      callingNumber: conversation.CallingNumber,
      env: 'debug',
      now: ctx.now(),
      onCut: (turn, keyed) =>
        ctx.err(`warning: turn ${turn} keyed ${JSON.stringify(keyed)}, which a test cannot send (digits, * or #): the test stops before it`),
      onLeftOut: (n) => ctx.err(`warning: ${n} row${n > 1 ? 's' : ''} of ListConversationDetails ${n > 1 ? 'are' : 'is'} not an object: left out of the test`),
    });
    // not bad input (the reads were sent and answered): the record holds nothing to replay
    if (!recorder) throw new RuntimeFailure(`conversation ${String(params.ConversationId)} has no recorded answer to make a test of`);
    if (!file) {
      ctx.out(recorder.toYaml(await import('yaml')).trimEnd());
      return undefined;
    }
    await recorder.save(file);
    return { data: { File: file, ConversationId: params.ConversationId }, view: { message: `wrote ${file} — run it with: vn dialogue test ${file}` } };
  },
});
