import type { CoverageItem, CoverageReport, TestRef } from '../dialogue/suite/coverage.js';
import { UsageError } from '../errors.js';
import { fieldsOf, sectionDef } from '../manifest/model.js';
import type { Change } from '../manifest/plan.js';

/**
 * The impact of a plan (docs/config-as-code.md, "Impact"): for each changed field, the tests that
 * exercise it and the coverage paths it sits on. It reads the coverage items of a run
 * (src/dialogue/suite/coverage.ts: each item names the configuration fields it comes from, its
 * `sources`, and the tests that reached it) — the last run's JSON report (`--impact-from`) or the
 * gate's run on the current configuration (`--test`).
 */

export interface FieldImpact {
  /** The tests that reached an item this field feeds (each once, file and conversation name). */
  tests: TestRef[];
  /** The labels of the navigation paths among those items. */
  paths: string[];
  /** Every item the field feeds, reached or not (`kind:id`). */
  items: string[];
}

/** The coverage sources a change touches: `SilenceTimeoutConfig.Threshold`, or the chatbot's entries for a chatbot change. */
export function sourcesOf(c: Change): { exact?: string; prefix?: string } {
  if (c.section === 'chatbot') return { prefix: 'chatbot:' };
  const def = sectionDef(c.section);
  const f = fieldsOf(c.section).find((x) => x.key === c.field);
  if (!def.navigationPart || !f) return {};
  return { exact: `${def.navigationPart}.${f.wire}` };
}

/** One change's impact on the items of the instance's coverage; undefined when no item reads the field. */
export function impactOf(c: Change, items: readonly CoverageItem[]): FieldImpact | undefined {
  const { exact, prefix } = sourcesOf(c);
  if (!exact && !prefix) return undefined;
  const hit = items.filter((i) => (i.sources ?? []).some((s) => s === exact || (prefix !== undefined && s.startsWith(prefix))));
  if (hit.length === 0) return undefined;
  const tests = new Map<string, TestRef>();
  for (const i of hit) for (const t of i.reachedBy ?? []) tests.set(`${t.file}\0${t.name}`, { file: t.file, name: t.name });
  return {
    tests: [...tests.values()].sort((a, b) => (a.file === b.file ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.file < b.file ? -1 : 1)),
    paths: [...new Set(hit.filter((i) => i.kind === 'paths').map((i) => i.label))],
    items: hit.map((i) => `${i.kind}:${i.id}`),
  };
}

/**
 * The coverage items of each planned instance (by live id): a report's instance of the same id, or
 * — a run on a copy, such as staging or the gate's sandbox — the report's only instance when the
 * plan has only one instance.
 */
export function itemsFor(reports: readonly CoverageReport[], instanceIds: readonly string[]): Map<string, CoverageItem[]> {
  const out = new Map<string, CoverageItem[]>();
  for (const id of instanceIds) {
    const r = reports.find((x) => x.instanceId === id) ?? (reports.length === 1 && instanceIds.length === 1 ? reports[0] : undefined);
    if (r?.items) out.set(id, r.items);
  }
  return out;
}

interface PlanLike {
  instanceId?: string;
  changes: (Change & { impact?: FieldImpact })[];
}

/** Writes each change's impact into the plan's data (in place); returns how many changes some test exercises. */
export function annotatePlan(instances: PlanLike[], reports: readonly CoverageReport[]): number {
  const byId = itemsFor(
    reports,
    instances.filter((i) => i.instanceId).map((i) => i.instanceId as string),
  );
  let n = 0;
  for (const inst of instances) {
    const items = inst.instanceId ? byId.get(inst.instanceId) : undefined;
    if (!items) continue;
    for (const c of inst.changes) {
      // a field no item reads is shown as exercised by no test: the change is untested
      c.impact = impactOf(c, items) ?? { tests: [], paths: [], items: [] };
      if (c.impact.tests.length) n++;
    }
  }
  return n;
}

/** `--impact-from FILE`: the coverage of a JSON report of `vn dialogue test --coverage` (checked as `vn dialogue merge` checks one). */
export async function readImpactReport(path: string): Promise<CoverageReport[]> {
  const { readFile } = await import('node:fs/promises');
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(
      `--impact-from ${path}: ${err.code === 'ENOENT' ? 'no such file' : err instanceof SyntaxError ? `not JSON (${err.message})` : err.message}`,
    );
  }
  const { reportProblems } = await import('../dialogue/suite/report-schema.js');
  const problems = reportProblems(doc, 3);
  if (problems.length) throw new UsageError(`--impact-from ${path}: ${problems.join('; ')}`);
  const coverage = (doc as { summary: { coverage?: CoverageReport[] } }).summary.coverage ?? [];
  if (!coverage.some((c) => Array.isArray(c.items)))
    throw new UsageError(`--impact-from ${path}: the report has no coverage items (run vn dialogue test --coverage --reporter json=FILE)`);
  return coverage;
}
