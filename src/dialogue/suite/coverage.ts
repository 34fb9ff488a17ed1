import { type BotTurn, parsedParams } from '../../api/bot-turn.js';
import { matchIntent } from '../../emulator/chatbots/match.js';
import type { Chatbot } from '../../emulator/chatbots/model.js';
import type { StepKind } from './format.js';
import type { Attempt, ConversationResult } from './result.js';

/*
 * Coverage items: the API other features build on (traffic weighting, change impact).
 *
 * A coverage item is one thing a suite can reach on one instance, of one kind:
 *   - `paths`: a configured path of the navigation config (id `greeting`, `unrecognized`,
 *     `unrecognized.final`, `silence`, `silence.final`, `repeating`, `askingBack`,
 *     `negativeFeedback`, `complaining`), only those the config enables;
 *   - `intents`: an intent of the chatbot's model (id: the intent's name);
 *   - `dtmf`: a DTMF menu entry of the model (id: its digits);
 *   - `transfers`: an entry that transfers (TransferToAgent, TransferToIVR, RedirectToPage) paired
 *     with its target (id `intent:贷款咨询 → skillGroupId loanSkillGroup`, `dtmf:0 → …`,
 *     `silence.final → …` for the navigation config's final actions): reached when a turn
 *     credited to that entry carried that target.
 * Each item has a human `label`, `sources` (the navigation config fields, as DescribeNavigationConfig
 * names them — `SilenceTimeoutConfig.FinalAction` — or the chatbot model's entry,
 * `chatbot:<botId>.intents[<name>]` / `chatbot:<botId>.dtmf[<digits>]`, that it comes from: what a
 * change of that field puts at risk; in the configuration-as-code file the same field is the section
 * whose `navigationPart` it is, manifest/model.ts's SECTIONS, and `fileKey(field)`:
 * `silenceTimeout.finalAction`), `hits` (turns that reached it, retried attempts included) and
 * `reachedBy` (the tests that reached it: file and conversation name; every --repeat run and retry
 * of a conversation is the same test).
 *
 * How a turn is credited (no extra request, so it works against the service too, given a model;
 * the emulator's context records `lastIntent` as well, but reading it costs a
 * DescribeConversationContext per turn and the service documents no such key):
 *   - when the turn's context was read anyway (a `context:` or `intent:` expectation) and it has
 *     `lastRule`, it decides: `knowledge` credits the intent `lastIntent` names, `dtmf` the entry
 *     of `lastIntent` `dtmf:<digits>`, any other rule no entry;
 *   - a `dtmf` turn reached the entry of its digits when the answer is that entry's (text starts
 *     with the entry's answer, same action and params);
 *   - a `say` turn reached the intent whose answer it is (text starts with the intent's answer:
 *     the emulator appends the asking-back prompt; same action and params); two intents with the
 *     same answer are told apart by the model's own matcher on what was said;
 *   - what cannot be seen: without a model (the service's bots cannot be read) there are no
 *     intent or DTMF items, and `notSeen` says so; an intent reached only through a greeting or
 *     silence IntentTrigger is not credited (the caller did not ask for it), nor is a turn whose
 *     answer the bot composed differently from the model's text.
 *
 * Use `coverageItems(model, results)` for a run's results held in memory, or
 * `CoverageTracker.observeConversation` for a streamed run (the runner), and `report().items`;
 * turns that are not a suite's (a real conversation's, to weight items by traffic) go to
 * `CoverageTracker.observe(kind, input, answer, test?)` one at a time, with the same crediting.
 * `coverageTotals(reports)` gives the share per kind and overall.
 * `vn dialogue merge` unions the items of each shard (`mergeCoverage`): reachedBy and hits are
 * the union and sum, never an average.
 */

export type CoverageKind = 'paths' | 'intents' | 'dtmf' | 'transfers';
export const COVERAGE_KINDS: readonly CoverageKind[] = ['paths', 'intents', 'dtmf', 'transfers'];

/** A test as coverage names it. */
export interface TestRef {
  file: string;
  name: string;
}

export interface CoverageItem {
  kind: CoverageKind;
  /** Unique within its kind and instance. */
  id: string;
  label: string;
  /** The configuration fields or model entries the item comes from. */
  sources: string[];
  hits: number;
  reachedBy: TestRef[];
}

/** The chatbot model coverage reads an instance's intents and DTMF menu from. */
export interface ChatbotModel {
  /** The bots it holds (an emulator's catalog); the one an instance uses is the one its answers match best, the first on a tie. */
  bots: Chatbot[];
  /** Where it came from: a file path, or "built-in" (the demo bot). */
  source: string;
}

/** What coverage is measured against, for one instance. */
export interface CoverageModel {
  instanceId: string;
  /** DescribeNavigationConfig's body. */
  navigationConfig: Record<string, unknown>;
  chatbots?: ChatbotModel;
}

/**
 * The coverage items of a run's results on one instance (see the comment above): every item of
 * each kind the model knows, reached or not, with the tests that reached it.
 */
export function coverageItems(model: CoverageModel, results: Iterable<ConversationResult>): CoverageItem[] {
  const t = new CoverageTracker(model.instanceId, model.navigationConfig as Nav, model.chatbots);
  for (const r of results) t.observeConversation(r);
  return t.report().items ?? [];
}

/** A configured path of the navigation config, and whether the suite reached it. */
export interface CoveredPath {
  id: string;
  label: string;
  configured: boolean;
  hits: number;
}

export interface CoverageReport {
  instanceId: string;
  paths: CoveredPath[];
  /** Action → how many answers carried it. */
  actions: Record<string, number>;
  /** "skillGroupId fallbackSkillGroup", "IVR {...}", "page {...}" → answers. */
  targets: Record<string, number>;
  /** Transfer targets the configuration names. */
  configuredTargets: string[];
  /** Transfer targets the configuration names that no answer carried. */
  unseenTargets: string[];
  /** Every coverage item, each kind (absent in reports of vn before items were added). */
  items?: CoverageItem[];
  /** The bot the intents and DTMF entries were read from; absent when vn had no model of it. */
  chatbot?: { id: string; name: string; source: string };
  /** What this coverage cannot see, one sentence each (a kind without items says why here). */
  notSeen?: string[];
}

type Nav = Record<string, Record<string, unknown> | undefined>;

interface PathRule {
  id: string;
  label: string;
  configured: boolean;
  /** The navigation config fields the path reads. */
  sources: string[];
  /** The final action's target when it transfers. */
  target?: string;
  matches: (kind: StepKind, input: string | undefined, turn: BotTurn) => boolean;
}

/** One item's tally: its turns and the tests (by `file\0name`) that reached it. */
interface Tally {
  item: Omit<CoverageItem, 'hits' | 'reachedBy'>;
  hits: number;
  tests: Map<string, TestRef>;
}

/** An entry of a bot's model that a turn can be credited to. */
interface Entry {
  kind: 'intents' | 'dtmf';
  id: string;
  answer: string;
  action: string;
  params: unknown;
  target?: string;
}

/** The tallies of one bot of the model. */
interface BotTallies {
  bot: Chatbot;
  tallies: Map<string, Tally>;
}

/**
 * Which of an instance's configured paths (DescribeNavigationConfig) the answers reached, matched
 * by the prompts and final actions the configuration names, plus every action and transfer target;
 * with a chatbot model, the intents, DTMF entries and their transfer targets too (coverage items).
 */
export class CoverageTracker {
  private readonly rules: PathRule[];
  private readonly hits = new Map<string, number>();
  private readonly actions = new Map<string, number>();
  private readonly targets = new Map<string, number>();
  private readonly configuredTargets: string[];
  /** The items that come from the navigation config (paths, and their transfers). */
  private readonly navTallies = new Map<string, Tally>();
  private readonly bots: BotTallies[];

  constructor(
    readonly instanceId: string,
    nav: Nav,
    private readonly model?: ChatbotModel,
  ) {
    const s = (o: Record<string, unknown> | undefined, k: string) => (typeof o?.[k] === 'string' ? (o[k] as string) : '');
    const list = (o: Record<string, unknown> | undefined, k: string) => (Array.isArray(o?.[k]) ? (o[k] as unknown[]).map(String) : []);
    const has = (text: unknown, part: string) => part !== '' && typeof text === 'string' && text.includes(part);
    const g = nav.GreetingConfig;
    const u = nav.UnrecognizingConfig;
    const si = nav.SilenceTimeoutConfig;
    const r = nav.RepeatingConfig;
    const a = nav.AskingBackConfig;
    const c = nav.ComplainingConfig;
    const finalOf = (o: Record<string, unknown> | undefined, prompt: string, action: string, params: string) => {
      const want = s(o, action);
      const wantParams = parseJson(s(o, params));
      return (turn: BotTurn) =>
        has(turn.TextResponse, s(o, prompt)) ||
        (s(o, prompt) === '' && want !== '' && turn.Action === want && JSON.stringify(parsedParams(turn) ?? {}) === JSON.stringify(wantParams ?? {}));
    };
    // what the bot did, not what the caller said: the prompt was spoken, or the configured action (and params) came back
    const did = (turn: BotTurn, action: string, params: string) =>
      action !== '' && turn.Action === action && JSON.stringify(parsedParams(turn) ?? {}) === JSON.stringify(parseJson(params) ?? {});
    const unrecognizedFinal = finalOf(u, 'FinalPrompt', 'FinalAction', 'FinalActionParams');
    const silenceFinal = finalOf(si, 'FinalPrompt', 'FinalAction', 'FinalActionParams');
    const fields = (section: string, ...names: string[]) => names.map((n) => `${section}.${n}`);
    const targetIn = (o: Record<string, unknown> | undefined, action: string, params: string) => targetOf(s(o, action), parseJson(s(o, params)));
    this.rules = [
      {
        id: 'greeting',
        label: 'greeting',
        configured: Boolean(g),
        sources: fields('GreetingConfig', 'GreetingWords', 'IntentTrigger', 'SourceType'),
        matches: (k, _i, t) => k === 'begin' && (s(g, 'GreetingWords') === '' || has(t.TextResponse, s(g, 'GreetingWords'))),
      },
      {
        id: 'unrecognized',
        label: 'unrecognized prompt',
        configured: s(u, 'Prompt') !== '',
        sources: fields('UnrecognizingConfig', 'Prompt', 'Threshold'),
        matches: (_k, _i, t) => has(t.TextResponse, s(u, 'Prompt')),
      },
      {
        id: 'unrecognized.final',
        label: `unrecognized final action (${s(u, 'FinalAction') || 'none'})`,
        configured: Boolean(u),
        sources: fields('UnrecognizingConfig', 'Threshold', 'FinalPrompt', 'FinalAction', 'FinalActionParams'),
        target: targetIn(u, 'FinalAction', 'FinalActionParams'),
        matches: (k, _i, t) => k !== 'silence' && unrecognizedFinal(t),
      },
      {
        id: 'silence',
        label: 'silence prompt',
        configured: s(si, 'Prompt') !== '',
        sources: fields('SilenceTimeoutConfig', 'Prompt', 'Threshold', 'IntentTrigger', 'SourceType'),
        matches: (k, _i, t) => k === 'silence' && has(t.TextResponse, s(si, 'Prompt')),
      },
      {
        id: 'silence.final',
        label: `silence final action (${s(si, 'FinalAction') || 'none'})`,
        configured: Boolean(si),
        sources: fields('SilenceTimeoutConfig', 'Threshold', 'FinalPrompt', 'FinalAction', 'FinalActionParams'),
        target: targetIn(si, 'FinalAction', 'FinalActionParams'),
        matches: (k, _i, t) => k === 'silence' && silenceFinal(t),
      },
      {
        id: 'repeating',
        label: 'repeating',
        configured: list(r, 'Utterances').length > 0,
        sources: fields('RepeatingConfig', 'Utterances'),
        matches: (k, i) => k === 'say' && list(r, 'Utterances').some((x) => has(i, x)),
      },
      {
        id: 'askingBack',
        label: 'asking back',
        configured: a?.Enabled !== false && s(a, 'Prompt') !== '',
        sources: fields('AskingBackConfig', 'Enabled', 'Prompt'),
        matches: (_k, _i, t) => has(t.TextResponse, s(a, 'Prompt')),
      },
      {
        id: 'negativeFeedback',
        label: `negative feedback (${s(a, 'NegativeFeedbackAction') || 'none'})`,
        configured: a?.EnableNegativeFeedback === true,
        sources: fields(
          'AskingBackConfig',
          'EnableNegativeFeedback',
          'NegativeFeedbackUtterances',
          'NegativeFeedbackPrompt',
          'NegativeFeedbackAction',
          'NegativeFeedbackActionParams',
        ),
        target: targetIn(a, 'NegativeFeedbackAction', 'NegativeFeedbackActionParams'),
        matches: (k, i, t) =>
          has(t.TextResponse, s(a, 'NegativeFeedbackPrompt')) ||
          (k === 'say' &&
            list(a, 'NegativeFeedbackUtterances').some((x) => x === i?.trim()) &&
            did(t, s(a, 'NegativeFeedbackAction'), s(a, 'NegativeFeedbackActionParams'))),
      },
      {
        id: 'complaining',
        label: `complaining (${s(c, 'FinalAction') || 'none'})`,
        configured: list(c, 'Utterances').length > 0,
        sources: fields('ComplainingConfig', 'Utterances', 'Prompt', 'FinalAction', 'FinalActionParams'),
        target: targetIn(c, 'FinalAction', 'FinalActionParams'),
        matches: (k, i, t) =>
          has(t.TextResponse, s(c, 'Prompt')) ||
          (k === 'say' && list(c, 'Utterances').some((x) => has(i, x)) && did(t, s(c, 'FinalAction'), s(c, 'FinalActionParams'))),
      },
    ];
    this.configuredTargets = [
      [s(u, 'FinalAction'), s(u, 'FinalActionParams')],
      [s(si, 'FinalAction'), s(si, 'FinalActionParams')],
      [s(a, 'NegativeFeedbackAction'), s(a, 'NegativeFeedbackActionParams')],
      [s(c, 'FinalAction'), s(c, 'FinalActionParams')],
    ]
      .map(([action, params]) => targetOf(action ?? '', parseJson(params ?? '')))
      .filter((t): t is string => t !== undefined)
      .filter((t, i, all) => all.indexOf(t) === i);
    for (const rule of this.rules) {
      if (!rule.configured) continue;
      addTally(this.navTallies, { kind: 'paths', id: rule.id, label: rule.label, sources: rule.sources });
      if (rule.target) addTally(this.navTallies, transferItem(rule.id, rule.label, rule.target, rule.sources));
    }
    this.bots = (model?.bots ?? []).map((bot) => {
      const tallies = new Map<string, Tally>();
      for (const e of entriesOf(bot)) {
        const source = `chatbot:${bot.id}.${e.kind === 'intents' ? 'intents' : 'dtmf'}[${e.id}]`;
        const label = e.kind === 'intents' ? `intent ${e.id} (${e.action})` : `DTMF ${e.id} (${e.action})`;
        addTally(tallies, { kind: e.kind, id: e.id, label, sources: [source] });
        if (e.target) addTally(tallies, transferItem(`${e.kind === 'intents' ? 'intent' : 'dtmf'}:${e.id}`, label, e.target, [source]));
      }
      return { bot, tallies };
    });
  }

  /** Every turn of a conversation's result, its earlier attempts (--retries) included, credited to its test. */
  observeConversation(result: Pick<ConversationResult, 'file' | 'name' | 'transcript' | 'retries'>): void {
    const test: TestRef = { file: String(result.file), name: String(result.name) };
    const attempts: Pick<Attempt, 'transcript'>[] = [...(Array.isArray(result.retries) ? result.retries : []), result];
    for (const a of attempts)
      for (const t of Array.isArray(a.transcript) ? a.transcript : []) this.observe(t.kind, t.input, t.answer, test, (t as { context?: unknown }).context);
  }

  /**
   * One turn: what was sent (kind and input) and the bot's answer; `test` is who reached what it
   * reached; `context` the conversation's context after the turn, when it was read.
   */
  observe(kind: StepKind, input: string | undefined, turn: BotTurn, test?: TestRef, context?: unknown): void {
    const action = typeof turn.Action === 'string' ? turn.Action : '';
    const target = targetOf(action, parsedParams(turn));
    for (const rule of this.rules) {
      if (!rule.matches(kind, input, turn)) continue;
      this.hits.set(rule.id, (this.hits.get(rule.id) ?? 0) + 1);
      hit(this.navTallies, `paths\0${rule.id}`, test);
      if (rule.target && target === rule.target) hit(this.navTallies, `transfers\0${transferId(rule.id, rule.target)}`, test);
    }
    if (action) this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    if (target) this.targets.set(target, (this.targets.get(target) ?? 0) + 1);
    for (const b of this.bots) {
      const e = creditedEntry(b.bot, kind, input, turn, context);
      if (!e) continue;
      hit(b.tallies, `${e.kind}\0${e.id}`, test);
      if (e.target && target === e.target) hit(b.tallies, `transfers\0${transferId(`${e.kind === 'intents' ? 'intent' : 'dtmf'}:${e.id}`, e.target)}`, test);
    }
  }

  report(): CoverageReport {
    const seen = new Set(this.targets.keys());
    // the bot an instance uses cannot be read from the API: the one whose entries the answers reached most (the first on a tie, as the emulator's default)
    let chosen: BotTallies | undefined;
    let best = -1;
    for (const b of this.bots) {
      const reached = [...b.tallies.values()].filter((t) => t.hits > 0).length;
      if (reached > best) [chosen, best] = [b, reached];
    }
    const items = [...this.navTallies.values(), ...(chosen ? chosen.tallies.values() : [])].map(toItem);
    const kindOrder = (k: CoverageKind) => COVERAGE_KINDS.indexOf(k);
    items.sort((x, y) => kindOrder(x.kind) - kindOrder(y.kind));
    return {
      instanceId: this.instanceId,
      paths: this.rules.map((r) => ({ id: r.id, label: r.label, configured: r.configured, hits: this.hits.get(r.id) ?? 0 })),
      actions: Object.fromEntries(this.actions),
      targets: Object.fromEntries(this.targets),
      configuredTargets: this.configuredTargets,
      unseenTargets: this.configuredTargets.filter((t) => !seen.has(t)),
      items,
      ...(chosen ? { chatbot: { id: chosen.bot.id, name: chosen.bot.name, source: this.model?.source ?? '' } } : {}),
      notSeen: chosen
        ? []
        : [
            'intents: the service does not let vn read a bot’s intents (give --chatbots FILE with a model of the bot)',
            'dtmf: the service does not let vn read a bot’s DTMF menu (give --chatbots FILE with a model of the bot)',
            'transfers: only those of the navigation config’s final actions; those of the bot’s intents and DTMF entries need its model',
          ],
    };
  }
}

function addTally(into: Map<string, Tally>, item: Tally['item']): void {
  into.set(`${item.kind}\0${item.id}`, { item, hits: 0, tests: new Map() });
}

function hit(tallies: Map<string, Tally>, key: string, test: TestRef | undefined): void {
  const t = tallies.get(key);
  if (!t) return;
  t.hits++;
  if (test) t.tests.set(`${test.file}\0${test.name}`, test);
}

function toItem(t: Tally): CoverageItem {
  return { ...t.item, hits: t.hits, reachedBy: [...t.tests.values()] };
}

function transferId(entry: string, target: string): string {
  return `${entry} → ${target}`;
}

function transferItem(entry: string, label: string, target: string, sources: string[]): Tally['item'] {
  return { kind: 'transfers', id: transferId(entry, target), label: `${label} → ${target}`, sources };
}

/** A bot's intents and DTMF entries, as coverage credits turns to them. */
const entryCache = new WeakMap<Chatbot, Entry[]>();
function entriesOf(bot: Chatbot): Entry[] {
  let out = entryCache.get(bot);
  if (!out) {
    const entry = (kind: Entry['kind'], id: string, e: { answer: string; action: string; params: string }): Entry => {
      const params = parseJson(e.params);
      const target = targetOf(e.action, params);
      return { kind, id, answer: e.answer, action: e.action, params, ...(target ? { target } : {}) };
    };
    out = [...bot.intents.map((i) => entry('intents', i.name, i)), ...bot.dtmf.map((d) => entry('dtmf', d.digits, d))];
    entryCache.set(bot, out);
  }
  return out;
}

/** The answer is this entry's: its text first (something may follow: the asking-back prompt), the same action and params. */
function answerIs(e: Entry, turn: BotTurn): boolean {
  const text = typeof turn.TextResponse === 'string' ? turn.TextResponse : '';
  const params = (x: unknown) => JSON.stringify(x && typeof x === 'object' && Object.keys(x).length > 0 ? x : {});
  return text.startsWith(e.answer) && turn.Action === e.action && params(parsedParams(turn)) === params(e.params);
}

/** The model's entry a turn reached, if any (the crediting rules are in the comment at the top). */
function creditedEntry(bot: Chatbot, kind: StepKind, input: string | undefined, turn: BotTurn, context?: unknown): Entry | undefined {
  const entries = entriesOf(bot);
  const ctx = context && typeof context === 'object' ? (context as Record<string, unknown>) : undefined;
  if (typeof ctx?.lastRule === 'string' && typeof ctx.lastIntent === 'string') {
    const named = ctx.lastIntent;
    if (ctx.lastRule === 'knowledge' && kind === 'say') return entries.find((x) => x.kind === 'intents' && x.id === named);
    if (ctx.lastRule === 'dtmf' && kind === 'dtmf') return entries.find((x) => x.kind === 'dtmf' && `dtmf:${x.id}` === named);
    return undefined;
  }
  if (kind === 'dtmf') {
    const digits = (input ?? '').replace(/\s+/g, '');
    const e = entries.find((x) => x.kind === 'dtmf' && x.id === digits);
    return e && answerIs(e, turn) ? e : undefined;
  }
  if (kind !== 'say') return undefined;
  const candidates = entries.filter((x) => x.kind === 'intents' && answerIs(x, turn));
  if (candidates.length <= 1) return candidates[0];
  const matched = input === undefined ? undefined : matchIntent(bot, input)?.intent.name;
  return candidates.find((x) => x.id === matched) ?? candidates[0];
}

/** The transfer target an action names: a skill group, an IVR route, a page. */
function targetOf(action: string, params: unknown): string | undefined {
  const p = params && typeof params === 'object' && Object.keys(params).length > 0 ? (params as Record<string, unknown>) : undefined;
  if (action === 'TransferToAgent') return p?.skillGroupId !== undefined ? `skillGroupId ${String(p.skillGroupId)}` : 'agent (no skillGroupId)';
  if (action === 'TransferToIVR') return `IVR ${p ? JSON.stringify(p) : '(no params)'}`;
  if (action === 'RedirectToPage') return `page ${p ? JSON.stringify(p) : '(no params)'}`;
  return undefined;
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Coverage of several runs of the same instances (shards) as one: path hits added up, and each
 * item the union of what the shards reached (its tests, its turns), never an average.
 */
export function mergeCoverage(reports: CoverageReport[]): CoverageReport[] {
  const byInstance = new Map<string, CoverageReport>();
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  };
  const copyItem = (i: CoverageItem): CoverageItem => ({ ...i, sources: [...(i.sources ?? [])], reachedBy: [...(i.reachedBy ?? [])] });
  for (const r of reports) {
    const m = byInstance.get(r.instanceId);
    if (!m) {
      byInstance.set(r.instanceId, {
        ...r,
        paths: r.paths.map((p) => ({ ...p })),
        actions: { ...r.actions },
        targets: { ...r.targets },
        ...(r.items ? { items: r.items.map(copyItem) } : {}),
        ...(r.notSeen ? { notSeen: [...r.notSeen] } : {}),
      });
      continue;
    }
    for (const p of r.paths) {
      const q = m.paths.find((x) => x.id === p.id);
      if (q) q.hits += p.hits;
      else m.paths.push({ ...p });
    }
    add(m.actions, r.actions);
    add(m.targets, r.targets);
    m.configuredTargets = [...new Set([...m.configuredTargets, ...(r.configuredTargets ?? [])])];
    if (r.items) {
      m.items ??= [];
      for (const i of r.items) {
        const q = m.items.find((x) => x.kind === i.kind && x.id === i.id);
        if (!q) {
          m.items.push(copyItem(i));
          continue;
        }
        q.hits += i.hits;
        for (const t of i.reachedBy ?? []) if (!q.reachedBy.some((x) => x.file === t.file && x.name === t.name)) q.reachedBy.push({ ...t });
      }
    }
    // a shard that had the model saw what one without it could not
    if (!m.chatbot && r.chatbot) m.chatbot = { ...r.chatbot };
    if (m.notSeen && r.notSeen) m.notSeen = m.notSeen.filter((n) => r.notSeen?.includes(n));
  }
  for (const m of byInstance.values()) {
    m.unseenTargets = (m.configuredTargets ?? []).filter((t) => !(t in m.targets));
    m.items?.sort((x, y) => COVERAGE_KINDS.indexOf(x.kind) - COVERAGE_KINDS.indexOf(y.kind));
  }
  return [...byInstance.values()];
}

/** Reached and total items of one kind, or of all (overall); `percent` is undefined when there is no item to reach. */
export interface CoverageTotal {
  reached: number;
  total: number;
  percent?: number;
}

/**
 * The share of items reached, per kind and overall, over every instance's coverage. A kind with no
 * item (no model: no intents) has total 0 and no percent.
 */
export function coverageTotals(reports: CoverageReport[]): Record<CoverageKind | 'overall', CoverageTotal> {
  const out = {} as Record<CoverageKind | 'overall', CoverageTotal>;
  for (const k of [...COVERAGE_KINDS, 'overall'] as const) out[k] = { reached: 0, total: 0 };
  for (const r of reports) {
    for (const i of r.items ?? []) {
      for (const k of [i.kind, 'overall'] as const) {
        out[k].total++;
        if (i.hits > 0) out[k].reached++;
      }
    }
  }
  for (const t of Object.values(out)) if (t.total > 0) t.percent = Math.round((t.reached / t.total) * 1000) / 10;
  return out;
}
