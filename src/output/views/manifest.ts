import { Chalk } from 'chalk';
import { changeLines, valueText } from '../changes.js';
import type { RenderTarget, ViewFormat } from '../types.js';

/** The shapes `vn diff` and `vn apply` return (src/commands/diff.ts, src/commands/apply.ts). */
interface Change {
  section: string;
  field: string;
  from?: unknown;
  to?: unknown;
  /** `vn apply --test / --impact-from`: the tests that exercise the field and the coverage paths it sits on (src/release/impact.ts). */
  impact?: { tests: { file: string; name: string }[]; paths: string[] };
}

interface DiffEntry {
  name: string;
  instanceId?: string;
  otherName?: string;
  otherInstanceId?: string;
  state: 'match' | 'differs' | 'missing';
  changes: Change[];
  notes?: string[];
}

export interface DiffData {
  match: boolean;
  from: string;
  to: string;
  instances: DiffEntry[];
}

interface PlanEntry {
  name: string;
  instanceId?: string;
  action: 'create' | 'update' | 'unchanged';
  changes: Change[];
  calls: string[];
  notes?: string[];
}

export interface PlanData {
  file: string;
  instances: PlanEntry[];
  writes: number;
}

type Paint = InstanceType<typeof Chalk>;

/**
 * `vn diff` as text: per instance a ---/+++ header, per section a @@ line, the field on each side
 * as -/+ lines (red and green on a terminal, plain when piped).
 */
export function renderDiff(data: DiffData, paint: Paint): string {
  const out: string[] = [];
  for (const e of data.instances) {
    const id = e.instanceId ? ` (${e.instanceId})` : '';
    if (e.state === 'match') {
      out.push(`${paint.green('=')} ${e.name}${id}: no differences`);
    } else {
      const other = e.otherName ?? e.name;
      const otherId = e.otherInstanceId ? ` (${e.otherInstanceId})` : '';
      out.push(paint.bold(`--- ${data.from}: ${e.state === 'missing' ? '(no such instance)' : `${e.name}${id}`}`));
      out.push(paint.bold(`+++ ${data.to}: ${other}${otherId}`));
      let section = '';
      for (const c of e.changes) {
        if (c.section !== section) {
          section = c.section;
          out.push(paint.cyan(`@@ ${section} @@`));
        }
        if (c.from !== undefined) out.push(paint.red(`-${c.field}: ${valueText(c.from)}`));
        if (c.to !== undefined) out.push(paint.green(`+${c.field}: ${valueText(c.to)}`));
      }
    }
    for (const n of e.notes ?? []) out.push(paint.dim(`  note: ${n}`));
  }
  const differ = data.instances.filter((e) => e.state !== 'match').length;
  out.push(
    data.match
      ? 'no differences'
      : `${differ} of ${data.instances.length} instance${data.instances.length === 1 ? '' : 's'} ${differ === 1 ? 'differs' : 'differ'}`,
  );
  return `${out.join('\n')}\n`;
}

/** A field's impact in words: `4 tests, path "silence final action"`. */
function impactText(i: NonNullable<Change['impact']>): string {
  const n = i.tests.length;
  const paths = i.paths.length ? `, path${i.paths.length === 1 ? '' : 's'} ${i.paths.map((p) => `"${p}"`).join(', ')}` : '';
  return `${n} test${n === 1 ? '' : 's'}${paths}`;
}

/** The tests by name, the first few (the data has them all). */
function testNames(tests: { name: string }[]): string {
  const shown = tests.slice(0, 5).map((t) => `"${t.name}"`);
  return `${shown.join(', ')}${tests.length > 5 ? ` and ${tests.length - 5} more` : ''}`;
}

const MARK: Record<PlanEntry['action'], [string, keyof Paint]> = {
  create: ['+', 'green'],
  update: ['~', 'yellow'],
  unchanged: ['=', 'dim'],
};

/** `vn apply`'s plan as text: per instance create / update / unchanged, each changed field, the writes. */
export function renderPlan(data: PlanData, paint: Paint): string {
  const out: string[] = [];
  for (const e of data.instances) {
    const [mark, colour] = MARK[e.action];
    const tint = paint[colour] as (s: string) => string;
    const id = e.instanceId ? ` (${e.instanceId})` : '';
    const calls = e.action === 'unchanged' ? '' : ` — ${e.calls.join(', ')}`;
    out.push(`${tint(`${mark} ${e.action}`)} ${paint.bold(e.name)}${id}${paint.dim(calls)}`);
    // each field on its line, with what the plan knows of its impact (--test, --impact-from): `…: 4 tests, path "…"`
    for (const c of e.changes) {
      const [line] = changeLines([c], { created: e.action === 'create' });
      out.push(`    ${line}${c.impact ? paint.dim(`: ${impactText(c.impact)}`) : ''}`);
      if (c.impact?.tests.length) out.push(paint.dim(`        tests: ${testNames(c.impact.tests)}`));
    }
    for (const n of e.notes ?? []) out.push(paint.dim(`    note: ${n}`));
  }
  const count = (a: PlanEntry['action']) => data.instances.filter((e) => e.action === a).length;
  out.push(
    `Plan: ${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged; ${data.writes} write${data.writes === 1 ? '' : 's'}.`,
  );
  return `${out.join('\n')}\n`;
}

function painter(target: RenderTarget): Paint {
  return new Chalk({ level: target.color ? 1 : 0 });
}

/** The diff as text in the default format; -o json / --query get the data. */
export function diffView(data: unknown, format: ViewFormat, target: RenderTarget): boolean {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  target.write(renderDiff(data as DiffData, painter(target)));
  return true;
}

export function planView(data: unknown, format: ViewFormat, target: RenderTarget): boolean {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  target.write(renderPlan(data as PlanData, painter(target)));
  return true;
}
