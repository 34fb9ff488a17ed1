import { UsageError } from '../errors.js';
import { findEntry, type HistoryEntry, historyDir, type PlannedInstance, rollbackDocuments } from './history.js';
import { currentUser, type RecordMeta } from './record.js';

export interface ReleaseOptions {
  /** `apply`: a file; `history`: list the entries; `rollback`: the configuration from before an entry. */
  mode: 'apply' | 'history' | 'rollback';
  historyDir: string;
  /** --rollback's entry (undefined: the newest). */
  rollbackRef?: string;
  /** --test: the suites of the gate. */
  tests?: string[];
  /** --test's files, read and validated with the flags, before anything is read or sent (exit 2). */
  suites?: import('./gate.js').Suites;
  /** --chatbots: the gate's bots. */
  chatbots?: string;
  /** --min-coverage, parsed. */
  minCoverage?: import('../dialogue/suite/coverage-gate.js').MinCoverage;
  /** --impact-from: a JSON report whose coverage items give the plan's impact. */
  impactFrom?: string;
  /** --test-target: the staging instance the gate runs on instead of sandboxes. */
  testTarget?: string;
}

/** --test and --chatbots (apply and diff -f). */
export async function gateOptions(flags: Record<string, unknown>): Promise<Pick<ReleaseOptions, 'tests' | 'suites' | 'chatbots' | 'minCoverage'>> {
  const tests = flags.test === undefined ? [] : ([] as string[]).concat(flags.test as string | string[]);
  const chatbots = flags.chatbots as string | undefined;
  if (chatbots !== undefined && tests.length === 0) throw new UsageError('--chatbots is for the sandboxes of --test: give --test too');
  let minCoverage: ReleaseOptions['minCoverage'];
  if (flags.minCoverage !== undefined) {
    if (tests.length === 0) throw new UsageError('--min-coverage gates the suites of --test: give --test too');
    minCoverage = (await import('../dialogue/suite/coverage-gate.js')).parseMinCoverage(String(flags.minCoverage));
  }
  // the suites are read now, with the flags: an invalid test file is exit 2 before the plan's first read
  const suites = tests.length ? await (await import('./gate.js')).loadSuites(tests) : undefined;
  return {
    ...(tests.length ? { tests } : {}),
    ...(suites ? { suites } : {}),
    ...(chatbots !== undefined ? { chatbots } : {}),
    ...(minCoverage ? { minCoverage } : {}),
  };
}

/** The release flags of `vn apply`, checked together before anything is read or sent. */
export async function releaseOptions(ctx: { configDir: string; env: NodeJS.ProcessEnv }, flags: Record<string, unknown>): Promise<ReleaseOptions> {
  const history = flags.history === true;
  const rollback = flags.rollback !== undefined && flags.rollback !== false;
  const file = flags.file as string | undefined;
  if (history && rollback) throw new UsageError('give --history (list) or --rollback, not both');
  if ((history || rollback) && file !== undefined) throw new UsageError(`--${history ? 'history' : 'rollback'} takes no -f FILE`);
  if (!history && !rollback && file === undefined) throw new UsageError('give -f FILE (or --history, or --rollback [ENTRY])');
  const dir = historyDir(ctx.configDir, ctx.env, flags.historyDir as string | undefined);
  const gate = await gateOptions(flags);
  const impactFrom = flags.impactFrom as string | undefined;
  if (impactFrom !== undefined && gate.tests) throw new UsageError('give --impact-from REPORT or --test (whose run gives the impact), not both');
  const testTarget = flags.testTarget as string | undefined;
  if (testTarget !== undefined) {
    if (!gate.tests) throw new UsageError('--test-target runs the suites of --test: give --test too');
    if (gate.chatbots !== undefined) throw new UsageError('--test-target answers with the staging instance’s own chatbot: leave out --chatbots');
    if (flags.dryRun === true)
      throw new UsageError('--test-target writes to the staging instance, and --dry-run writes nothing: test in sandboxes (leave out --test-target)');
    Object.assign(gate, { testTarget });
  }
  if (history) {
    if (gate.tests || impactFrom !== undefined)
      throw new UsageError(`--history lists entries: ${gate.tests ? '--test' : '--impact-from'} is for an apply or a rollback`);
    return { mode: 'history', historyDir: dir };
  }
  if (rollback) {
    const ref = typeof flags.rollback === 'string' && flags.rollback !== '' ? flags.rollback : undefined;
    return { mode: 'rollback', historyDir: dir, ...(ref ? { rollbackRef: ref } : {}), ...gate, ...(impactFrom ? { impactFrom } : {}) };
  }
  return { mode: 'apply', historyDir: dir, ...gate, ...(impactFrom ? { impactFrom } : {}) };
}

/**
 * What `--rollback` applies, as a configuration file's text (JSON, which the loader reads like
 * YAML): the entry's earlier configuration, each instance pinned by id. An entry made on another
 * profile is refused: its instances are in that profile's account.
 */
export async function rollbackSource(
  ctx: { profile(): Promise<{ name: string }>; err(text: string): void },
  opts: ReleaseOptions,
): Promise<{ name: string; text: string; entry: HistoryEntry; notes: string[] }> {
  const entry = await findEntry(opts.historyDir, opts.rollbackRef);
  const profile = (await ctx.profile()).name;
  if (entry.profile !== profile) {
    throw new UsageError(`history entry ${entry.id} was applied on profile ${entry.profile}, not ${profile}: roll it back there (-p ${entry.profile})`);
  }
  const { documents, notes } = rollbackDocuments(entry);
  for (const n of notes) ctx.err(`note: ${n}`);
  return { name: `history entry ${entry.id} (before)`, text: JSON.stringify(documents, null, 2), entry, notes };
}

/** The history entry's who, where and what. */
export async function recordMeta(
  ctx: { profile(): Promise<{ name: string; region?: string }>; env: NodeJS.ProcessEnv; now: () => Date },
  opts: ReleaseOptions,
  what: { source: string; plan: PlannedInstance[]; rollbackOf?: string },
): Promise<RecordMeta> {
  const p = await ctx.profile();
  return {
    dir: opts.historyDir,
    now: ctx.now(),
    profile: p.name,
    region: p.region,
    user: currentUser(ctx.env),
    source: what.source,
    plan: what.plan,
    ...(what.rollbackOf ? { rollbackOf: what.rollbackOf } : {}),
  };
}
