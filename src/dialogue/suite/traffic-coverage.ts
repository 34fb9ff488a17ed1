import type { ChalkInstance } from 'chalk';
import { type CoverageReport, CoverageTracker } from './coverage.js';
import type { ConversationResult } from './result.js';
import { pathOf, Scrubber, type TrafficConversation } from './traffic-paths.js';

/**
 * `vn dialogue test --coverage --traffic FROM`: coverage weighted by how often real calls took
 * each path (traffic-paths.ts says what a path is). A traffic path is covered when some
 * conversation of the suite took the very same path (same turns, inputs and actions after
 * scrubbing); the share is of calls, not of paths. The navigation config's paths (coverage.ts's
 * ids: greeting, unrecognized.final, silence, …) are weighted the same way: the share of calls
 * that reached each, next to whether the suite reached it.
 */

export interface TrafficPathShare {
  id: string;
  label: string;
  conversations: number;
  /** Percent of the traffic's conversations, one decimal. */
  share: number;
}

export interface TrafficCoverage {
  instanceId: string;
  env: 'live' | 'debug';
  /** Epoch ms: the conversations that began at or after it. */
  from: number;
  conversations: number;
  paths: number;
  /** Conversations whose path the suite took. */
  coveredConversations: number;
  coveredPaths: number;
  /** Percent of the conversations, one decimal. */
  share: number;
  /** The traffic's paths the suite never took, most taken first (at most TOP). */
  uncovered: TrafficPathShare[];
  /** The configured navigation paths real calls reached: how many calls, and whether the suite reached it. */
  navigation: (TrafficPathShare & { suite: boolean })[];
}

/** Uncovered paths listed in a report. */
const TOP = 5;

const pct = (n: number, of: number) => (of ? Math.round((n / of) * 1000) / 10 : 0);

/** The traffic of one instance, as read before the run. */
export interface InstanceTraffic {
  instanceId: string;
  env: 'live' | 'debug';
  from: number;
  conversations: TrafficConversation[];
  /** DescribeNavigationConfig of the instance (what coverage.ts matches against). */
  navigation: Record<string, Record<string, unknown> | undefined>;
}

/** Collects the paths the suite's conversations took, then weighs each instance's traffic by them. */
export class TrafficCoverageCollector {
  private readonly suitePaths = new Map<string, Set<string>>();
  private readonly scrub: Scrubber;

  constructor(
    private readonly traffic: InstanceTraffic[],
    /** The instance each test file ran against (by the file's path). */
    private readonly instanceOf: (file: string) => string | undefined,
    scrubDigits: number,
  ) {
    this.scrub = new Scrubber(
      scrubDigits,
      traffic.flatMap((t) => t.conversations.flatMap((c) => (c.callingNumber ? [c.callingNumber] : []))),
    );
  }

  /** A conversation of the suite (its last attempt's transcript). */
  observe(r: ConversationResult): void {
    const instanceId = this.instanceOf(r.file);
    if (!instanceId || r.transcript.length === 0) return;
    let set = this.suitePaths.get(instanceId);
    if (!set) this.suitePaths.set(instanceId, (set = new Set()));
    set.add(
      pathOf(
        r.transcript.map((t) => ({ kind: t.kind, input: t.input, turn: t.answer })),
        this.scrub,
      ).id,
    );
  }

  /** Each instance's weighted coverage; `suite` is the run's own coverage (which navigation paths it reached). */
  report(suite: CoverageReport[] = []): TrafficCoverage[] {
    return this.traffic.map((t) => {
      const taken = this.suitePaths.get(t.instanceId) ?? new Set<string>();
      const byPath = new Map<string, TrafficPathShare>();
      const nav = new Map<string, { label: string; conversations: number }>();
      let total = 0;
      for (const c of t.conversations) {
        if (c.steps.length === 0) continue;
        total++;
        const p = pathOf(c.steps, this.scrub);
        const entry = byPath.get(p.id) ?? { id: p.id, label: p.label, conversations: 0, share: 0 };
        entry.conversations++;
        byPath.set(p.id, entry);
        // which configured navigation paths this call reached, as coverage.ts matches them for the suite
        const tracker = new CoverageTracker(t.instanceId, t.navigation);
        for (const s of c.steps) tracker.observe(s.kind, s.input, s.turn);
        for (const reached of tracker.report().paths) {
          if (!reached.configured || reached.hits === 0) continue;
          const n = nav.get(reached.id) ?? { label: reached.label, conversations: 0 };
          n.conversations++;
          nav.set(reached.id, n);
        }
      }
      const paths = [...byPath.values()].map((p) => ({ ...p, share: pct(p.conversations, total) }));
      const covered = paths.filter((p) => taken.has(p.id));
      const coveredConversations = covered.reduce((n, p) => n + p.conversations, 0);
      const reachedBySuite = new Set((suite.find((r) => r.instanceId === t.instanceId)?.paths ?? []).filter((p) => p.hits > 0).map((p) => p.id));
      return {
        instanceId: t.instanceId,
        env: t.env,
        from: t.from,
        conversations: total,
        paths: paths.length,
        coveredConversations,
        coveredPaths: covered.length,
        share: pct(coveredConversations, total),
        uncovered: paths
          .filter((p) => !taken.has(p.id))
          .sort((a, b) => b.conversations - a.conversations || (a.id < b.id ? -1 : 1))
          .slice(0, TOP),
        navigation: [...nav.entries()]
          .map(([id, n]) => ({ id, label: n.label, conversations: n.conversations, share: pct(n.conversations, total), suite: reachedBySuite.has(id) }))
          .sort((a, b) => b.conversations - a.conversations),
      };
    });
  }
}

/** The pretty report's lines for one instance's traffic-weighted coverage. */
export function trafficCoverageText(c: ChalkInstance, t: TrafficCoverage): string {
  const since = `${new Date(t.from).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const lines = [`\nCoverage by traffic of instance ${t.instanceId} (${t.conversations} ${t.env} conversations since ${since}):`];
  if (t.conversations === 0) return `${lines[0]}\n  no ended conversation to weigh by\n`;
  const top = t.uncovered[0];
  lines.push(
    `  the suite covers ${(t.share >= 90 ? c.green : c.red)(`${t.share}%`)} of the calls (${t.coveredConversations} of ${t.conversations}; ${t.coveredPaths} of ${t.paths} paths)` +
      (top ? `; the top uncovered path is ${top.id} (${top.share}%)` : ''),
  );
  for (const p of t.uncovered)
    lines.push(`  ${c.red('✗')} ${p.id} ${c.dim(`(${p.share}%, ${p.conversations} call${p.conversations === 1 ? '' : 's'})`)} ${p.label}`);
  if (t.navigation.length) {
    lines.push('  navigation config paths, by the share of calls that reached them:');
    for (const n of t.navigation)
      lines.push(`  ${n.suite ? c.green('✓') : c.red('✗')} ${n.label} ${c.dim(`${n.share}%`)}${n.suite ? '' : `: ${c.red('the suite never reaches it')}`}`);
  }
  return `${lines.join('\n')}\n`;
}
