import { DEFAULT_SCRUB_DIGITS } from '../../dialogue/suite/traffic-paths.js';
import { DEFAULT_TRAFFIC_LIMIT } from '../../dialogue/suite/traffic-read.js';
import { UsageError } from '../../errors.js';
import { defineCommand, type FlagParams } from '../define.js';
import type { HandlerContext } from '../handler-context.js';
import { TIME_RANGE_FLAGS, timeRangeParams } from '../time.js';

export default defineCommand({
  action: 'ListConversations',
  description:
    'Lists the conversations of an instance, newest first: live calls by default, the draft’s debug conversations ' +
    '(dialogue chat, dialogue test, --env debug) with --env debug. --min-rounds/--max-rounds and --result filter on the ' +
    'service’s side (ListConversations’ RoundsLeftRange, RoundsRightRange and Result). With --as-tests DIR it reads ' +
    'the ended conversations (ListConversationDetails each) and writes one `vn dialogue test` file per path they took, ' +
    'with how many took it, calling numbers and long digit strings scrubbed (docs/testing.md, Tests from traffic).',
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
    {
      name: 'as-tests',
      valueName: 'dir',
      complete: 'file',
      description: 'write one dialogue test file per path the conversations took into DIR (created), the count of each in its header',
    },
    {
      name: 'limit',
      type: 'int',
      valueName: 'n',
      description: `with --as-tests: read at most n ended conversations, newest first (default ${DEFAULT_TRAFFIC_LIMIT})`,
    },
    {
      name: 'scrub-digits',
      type: 'int',
      valueName: 'n',
      description: `with --as-tests: digit strings of more than n digits become 0s (default ${DEFAULT_SCRUB_DIGITS}); calling numbers always do`,
    },
    { name: 'force', type: 'bool', description: 'with --as-tests: replace the files of earlier paths in DIR' },
  ],
  examples: [
    'vn stats conversations 3f6e…',
    'vn stats conversations 3f6e… --env debug --min-rounds 3   # the debug conversations of three rounds or more',
    'vn stats conversations 3f6e… --all -o json --query "Conversations[].ConversationId"',
    'vn stats conversations 3f6e… --as-tests tests/traffic --from -7d && vn dialogue test tests/traffic   # a test per path of last week',
  ],
  async run(ctx, { params, flags }) {
    const { RoundsLeftRange: min, RoundsRightRange: max } = params as { RoundsLeftRange?: number; RoundsRightRange?: number };
    if (min !== undefined && max !== undefined && Number(min) > Number(max)) throw new UsageError(`--min-rounds ${min} is more than --max-rounds ${max}`);
    if (flags.asTests !== undefined) return await asTests(ctx, params, flags);
    for (const f of ['limit', 'scrubDigits', 'force'] as const)
      if (flags[f] !== undefined && flags[f] !== false) throw new UsageError(`--${kebab(f)} goes with --as-tests DIR`);
    const env = flags.env === undefined ? {} : { DebugConversation: flags.env === 'debug' ? 1 : 0 };
    return await ctx.api('ListConversations', { ...params, ...env, ...timeRangeParams(flags, ctx.now()) }, { all: flags.all === true });
  },
});

/** Paths listed in the table view's message, most taken first. */
const SHOWN_PATHS = 10;

const kebab = (camel: string) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * `--as-tests DIR`: the ended conversations (newest first, up to --limit) grouped by path, one test
 * file per path (traffic-paths.ts). Everything that can be refused is refused before the first read:
 * a bad number, a DIR that is a file, a DIR already holding path files without --force.
 */
async function asTests(ctx: HandlerContext, params: FlagParams, flags: Record<string, unknown>) {
  const dir = String(flags.asTests);
  if (dir.trim() === '') throw new UsageError('--as-tests DIR must not be empty');
  const limit = flags.limit === undefined ? DEFAULT_TRAFFIC_LIMIT : (flags.limit as number);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError('--limit must be 1 or more');
  const scrubDigits = flags.scrubDigits === undefined ? DEFAULT_SCRUB_DIGITS : (flags.scrubDigits as number);
  if (!Number.isSafeInteger(scrubDigits) || scrubDigits < 1) throw new UsageError('--scrub-digits must be 1 or more');
  if (flags.pageNumber !== undefined && flags.pageNumber !== 1) throw new UsageError('--page-number does not go with --as-tests (--limit bounds what is read)');
  const { mkdir, readdir, stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const existing = await stat(dir).then(
    (s) => s,
    () => undefined,
  );
  if (existing && !existing.isDirectory()) throw new UsageError(`--as-tests ${dir} is not a directory`);
  const earlier = existing ? (await readdir(dir)).filter((f) => /^path-[0-9a-f]{8}\.test\.yaml$/.test(f)) : [];
  if (earlier.length && flags.force !== true)
    throw new UsageError(
      `${dir} already holds ${earlier.length} path file${earlier.length > 1 ? 's' : ''} (${earlier[0]}…): --force replaces those of the same path`,
    );
  const time = timeRangeParams(flags, ctx.now());
  const { InstanceId, PageNumber: _page, PageSize: _size, ...filters } = params as Record<string, unknown>;
  const instanceId = String(InstanceId);
  const env = flags.env === 'debug' ? 'debug' : 'live';

  const { readTraffic } = await import('../../dialogue/suite/traffic-read.js');
  const { replayable } = await import('../../dialogue/suite/from-conversation.js');
  const { groupByPath, pathFileName, pathTestYaml, Scrubber } = await import('../../dialogue/suite/traffic-paths.js');
  const traffic = await readTraffic(await ctx.client(), { instanceId, env, filters: { ...filters, ...time }, limit });
  if (traffic.leftOutRows)
    ctx.err(`warning: ${traffic.leftOutRows} row${traffic.leftOutRows > 1 ? 's' : ''} of ListConversationDetails were not objects: left out`);
  if (traffic.inProgress) ctx.err(`${traffic.inProgress} conversation${traffic.inProgress > 1 ? 's' : ''} still in progress left out`);
  if (traffic.truncated) ctx.err(`more ended conversations matched than --limit ${limit}: the newest ${limit} were read`);
  const scrub = new Scrubber(
    scrubDigits,
    traffic.conversations.flatMap((c) => (c.callingNumber ? [c.callingNumber] : [])),
  );
  const sendable = traffic.conversations.filter((c) => c.steps.every(replayable));
  const cut = traffic.conversations.length - sendable.length;
  if (cut) ctx.err(`${cut} conversation${cut > 1 ? 's' : ''} that keyed what a test cannot send (no digits, or not 0-9 * #) left out`);
  const groups = groupByPath(sendable, scrub);
  const total = groups.reduce((n, g) => n + g.count, 0);
  const empty = sendable.length - total;
  if (empty) ctx.err(`${empty} conversation${empty > 1 ? 's' : ''} without a recorded answer left out`);
  const yaml = await import('yaml');
  const { writeFileAtomic } = await import('../../atomic-file.js');
  await mkdir(dir, { recursive: true });
  const src = { instanceId, env, total, scrubDigits, now: ctx.now(), from: time.BeginTimeLeftRange, to: time.BeginTimeRightRange } as const;
  const files = [];
  for (const g of groups) {
    const file = join(dir, pathFileName(g.id));
    await writeFileAtomic(file, pathTestYaml(yaml, g, src));
    files.push({ File: file, PathId: g.id, Conversations: g.count, Share: total ? Math.round((g.count / total) * 1000) / 10 : 0, Path: g.label });
  }
  const message =
    total === 0
      ? `no ended conversation with a recorded answer matched: nothing written to ${dir}`
      : [
          `wrote ${files.length} test file${files.length > 1 ? 's' : ''} to ${dir}: ${total} conversation${total > 1 ? 's' : ''} in ${files.length} path${files.length > 1 ? 's' : ''} — run them with: vn dialogue test ${dir}`,
          ...files.slice(0, SHOWN_PATHS).map((f) => `  ${`${f.Share}%`.padStart(6)} ${String(f.Conversations).padStart(5)}  ${f.PathId}  ${f.Path}`),
          ...(files.length > SHOWN_PATHS ? [`  … ${files.length - SHOWN_PATHS} more (-o json lists them all)`] : []),
        ].join('\n');
  return { data: { Directory: dir, Conversations: total, Paths: files.length, Files: files }, view: { message } };
}
