import { type BotTurn, parsedParams } from '../../api/bot-turn.js';
import type { StepKind } from './format.js';

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
}

type Nav = Record<string, Record<string, unknown> | undefined>;

interface PathRule {
  id: string;
  label: string;
  configured: boolean;
  matches: (kind: StepKind, input: string | undefined, turn: BotTurn) => boolean;
}

/**
 * Which of an instance's configured paths (DescribeNavigationConfig) the answers reached, matched
 * by the prompts and final actions the configuration names, plus every action and transfer target.
 */
export class CoverageTracker {
  private readonly rules: PathRule[];
  private readonly hits = new Map<string, number>();
  private readonly actions = new Map<string, number>();
  private readonly targets = new Map<string, number>();
  private readonly configuredTargets: string[];

  constructor(
    readonly instanceId: string,
    nav: Nav,
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
    this.rules = [
      {
        id: 'greeting',
        label: 'greeting',
        configured: Boolean(g),
        matches: (k, _i, t) => k === 'begin' && (s(g, 'GreetingWords') === '' || has(t.TextResponse, s(g, 'GreetingWords'))),
      },
      { id: 'unrecognized', label: 'unrecognized prompt', configured: s(u, 'Prompt') !== '', matches: (_k, _i, t) => has(t.TextResponse, s(u, 'Prompt')) },
      {
        id: 'unrecognized.final',
        label: `unrecognized final action (${s(u, 'FinalAction') || 'none'})`,
        configured: Boolean(u),
        matches: (k, _i, t) => k !== 'silence' && unrecognizedFinal(t),
      },
      {
        id: 'silence',
        label: 'silence prompt',
        configured: s(si, 'Prompt') !== '',
        matches: (k, _i, t) => k === 'silence' && has(t.TextResponse, s(si, 'Prompt')),
      },
      {
        id: 'silence.final',
        label: `silence final action (${s(si, 'FinalAction') || 'none'})`,
        configured: Boolean(si),
        matches: (k, _i, t) => k === 'silence' && silenceFinal(t),
      },
      {
        id: 'repeating',
        label: 'repeating',
        configured: list(r, 'Utterances').length > 0,
        matches: (k, i) => k === 'say' && list(r, 'Utterances').some((x) => has(i, x)),
      },
      {
        id: 'askingBack',
        label: 'asking back',
        configured: a?.Enabled !== false && s(a, 'Prompt') !== '',
        matches: (_k, _i, t) => has(t.TextResponse, s(a, 'Prompt')),
      },
      {
        id: 'negativeFeedback',
        label: `negative feedback (${s(a, 'NegativeFeedbackAction') || 'none'})`,
        configured: a?.EnableNegativeFeedback === true,
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
  }

  observe(kind: StepKind, input: string | undefined, turn: BotTurn): void {
    for (const rule of this.rules) if (rule.matches(kind, input, turn)) this.hits.set(rule.id, (this.hits.get(rule.id) ?? 0) + 1);
    const action = typeof turn.Action === 'string' ? turn.Action : '';
    if (action) this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    const target = targetOf(action, parsedParams(turn));
    if (target) this.targets.set(target, (this.targets.get(target) ?? 0) + 1);
  }

  report(): CoverageReport {
    const seen = new Set(this.targets.keys());
    return {
      instanceId: this.instanceId,
      paths: this.rules.map((r) => ({ id: r.id, label: r.label, configured: r.configured, hits: this.hits.get(r.id) ?? 0 })),
      actions: Object.fromEntries(this.actions),
      targets: Object.fromEntries(this.targets),
      configuredTargets: this.configuredTargets,
      unseenTargets: this.configuredTargets.filter((t) => !seen.has(t)),
    };
  }
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

/** Coverage of several runs of the same instances (shards) as one: hits added up. */
export function mergeCoverage(reports: CoverageReport[]): CoverageReport[] {
  const byInstance = new Map<string, CoverageReport>();
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  };
  for (const r of reports) {
    const m = byInstance.get(r.instanceId);
    if (!m) {
      byInstance.set(r.instanceId, { ...r, paths: r.paths.map((p) => ({ ...p })), actions: { ...r.actions }, targets: { ...r.targets } });
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
  }
  for (const m of byInstance.values()) m.unseenTargets = (m.configuredTargets ?? []).filter((t) => !(t in m.targets));
  return [...byInstance.values()];
}
