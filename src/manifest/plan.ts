import type { ActionName } from '../api/catalog.js';
import { type Api, type InstanceSummary, type LiveInstance, listInstances, mapLimit, READ_CONCURRENCY, readInstance } from './live.js';
import { ConfigFileError, type DesiredInstance, type FileIssue, type Pos, where } from './load.js';
import { ASR_INSTANCE_LEVEL, type Config, type FieldDef, fieldsOf, SECTIONS, type SectionKey, sameValue, toFile, toWire, wire } from './model.js';
import { requestIssues } from './validate.js';

/** One field that differs, in file form (JSON texts as data). `from` is absent for a new instance. */
export interface Change {
  section: SectionKey;
  field: string;
  from?: unknown;
  to?: unknown;
}

export interface Call {
  action: ActionName;
  params: Record<string, unknown>;
}

export type PlanAction = 'create' | 'update' | 'unchanged';

export interface InstancePlan {
  desired: DesiredInstance;
  live?: LiveInstance;
  action: PlanAction;
  changes: Change[];
  /** The writes, in order. For a new instance only CreateInstance: the rest is worked out against what it starts with. */
  calls: Call[];
  notes: string[];
}

/**
 * The fields that differ between two configurations, section by section. `declared`: only what
 * `to` declares (a file manages the fields it names); `all`: every readable field of either side
 * (two live instances), names left out since they are the instances' identities.
 */
export function diffConfigs(from: Config | undefined, to: Config, mode: 'declared' | 'all'): Change[] {
  const changes: Change[] = [];
  for (const s of SECTIONS) {
    if (mode === 'all' && !s.readable) continue;
    const a = from?.sections[s.key];
    const b = to.sections[s.key];
    if (mode === 'declared' && (!b || !s.readable)) continue;
    for (const f of fieldsOf(s.key)) {
      if (mode === 'all' && s.key === 'instance' && f.wire === 'Name') continue;
      const inTo = b !== undefined && b[f.wire] !== undefined;
      const inFrom = a !== undefined && a[f.wire] !== undefined;
      if (mode === 'declared' ? !inTo : !inTo && !inFrom) continue;
      // an instance to be created gets the values the file sets; its empty ones are not news
      if (!from && !isSet(f.spec, b?.[f.wire])) continue;
      // the same test as callsFor's, so diff and apply never disagree (a missing value reads as empty)
      if (from && sameValue(f.spec, a?.[f.wire], b?.[f.wire])) continue;
      const change: Change = { section: s.key, field: f.key };
      if (from && inFrom) change.from = toFile(f.spec, a?.[f.wire]);
      // the file's values are as the file has them; live ones are wire values
      if (inTo) change.to = mode === 'declared' ? b?.[f.wire] : toFile(f.spec, b?.[f.wire]);
      changes.push(change);
    }
    if (s.key === 'instance' && to.enabled !== undefined && from?.enabled !== to.enabled) {
      changes.push({ section: 'instance', field: 'enabled', ...(from ? { from: from.enabled === true } : {}), to: to.enabled });
    }
  }
  return changes;
}

/** The sections a desired instance needs read from the service. */
export function wanted(d: DesiredInstance): SectionKey[] {
  return SECTIONS.filter((s) => s.readable && d.sections[s.key] !== undefined).map((s) => s.key);
}

/** Finds each desired instance (by its pinned id, else by name) and reads what it declares. */
export async function matchLive(api: Api, desired: DesiredInstance[]): Promise<(LiveInstance | undefined)[]> {
  const all = await listInstances(api);
  const byId = new Map(all.map((i) => [i.InstanceId, i]));
  const byName = new Map<string, InstanceSummary>();
  for (const i of all) if (!byName.has(i.Name)) byName.set(i.Name, i);
  const issues: FileIssue[] = [];
  const found = desired.map((d) => {
    if (d.id !== undefined) {
      const hit = byId.get(d.id);
      if (!hit)
        issues.push({
          file: d.file,
          ...(d.positions.get('id') ?? d.pos),
          message: `no instance has the pinned id ${d.id} (leave \`id\` out to find or create "${d.name}" by name)`,
        });
      return hit;
    }
    return byName.get(d.name);
  });
  // two entries for one instance (one pinned by id, one by the name it has) would each plan writes
  // to it from the same reading, the second undoing the first: refused before anything is sent
  const firstFor = new Map<string, DesiredInstance>();
  found.forEach((hit, i) => {
    if (!hit) return;
    const d = desired[i] as DesiredInstance;
    const first = firstFor.get(hit.InstanceId);
    if (!first) {
      firstFor.set(hit.InstanceId, d);
      return;
    }
    const how = (x: DesiredInstance) => (x.id !== undefined ? `pinned by id` : `by its name "${x.name}"`);
    issues.push({
      file: d.file,
      ...d.pos,
      message:
        `this entry (${how(d)}) and the one at ${where(first, first.pos)} (${how(first)}) are the same instance ` +
        `${hit.InstanceId} ("${hit.Name}"): declare each instance once`,
    });
  });
  if (issues.length) throw new ConfigFileError(issues);
  return mapLimit(found, READ_CONCURRENCY, async (s, i) => (s ? readInstance(api, s, wanted(desired[i] as DesiredInstance)) : undefined));
}

/** The plan for every desired instance; each request it holds has passed the validator. */
export function makePlan(desired: DesiredInstance[], live: (LiveInstance | undefined)[], opts: { associateChatbots?: boolean } = {}): InstancePlan[] {
  const plans = desired.map((d, i): InstancePlan => {
    const l = live[i];
    const notes: string[] = [];
    if (!l) {
      const params: Record<string, unknown> = { Name: d.name, ...wire('instance', d.sections.instance ?? {}) };
      const changes = [...diffConfigs(undefined, d, 'declared'), ...chatbotChanges(d)];
      const empty = emptyFieldCount(d);
      if (empty > 0) notes.push(`${empty} empty field${empty === 1 ? '' : 's'} not shown`);
      return {
        desired: d,
        action: 'create',
        changes,
        // the section writes are known before the instance exists (callsFor's `fresh`), so this
        // count is the one the apply sends; their parameters are completed after CreateInstance
        calls: [{ action: 'CreateInstance', params }, ...callsFor(d, NOT_YET_CREATED, { associateChatbot: true, fresh: true })],
        notes,
      };
    }
    const changes = diffConfigs(l, d, 'declared');
    const calls = callsFor(d, l, { associateChatbot: opts.associateChatbots === true });
    if (d.sections.chatbot) {
      if (opts.associateChatbots) changes.push(...chatbotChanges(d));
      else notes.push('chatbot: not compared — the API cannot read an association back (--associate-chatbots sends it)');
    }
    return { desired: d, live: l, action: calls.length ? 'update' : 'unchanged', changes, calls, notes };
  });
  checkCalls(plans);
  return plans;
}

function chatbotChanges(d: DesiredInstance): Change[] {
  const values = d.sections.chatbot ?? {};
  return fieldsOf('chatbot')
    .filter((f) => isSet(f.spec, values[f.wire]))
    .map((f) => ({ section: 'chatbot' as const, field: f.key, to: values[f.wire] }));
}

/** A value that sets something: not absent and not empty (the same test as sameValue's: a missing value reads as empty). */
function isSet(spec: FieldDef['spec'], value: unknown): boolean {
  return !sameValue(spec, undefined, value);
}

/** The fields a file gives as empty (an export writes every field): left out of a create plan. */
function emptyFieldCount(d: DesiredInstance): number {
  let n = 0;
  for (const s of SECTIONS) {
    const values = d.sections[s.key];
    if (values) for (const f of fieldsOf(s.key)) if (values[f.wire] !== undefined && !isSet(f.spec, values[f.wire])) n++;
  }
  return n;
}

/** What a plan knows of an instance it is about to create: nothing yet (its calls are completed after CreateInstance). */
const NOT_YET_CREATED: LiveInstance = { id: '', name: '', status: '', sections: {}, readOnly: {} };

/** The writes of every plan: what the plan announces and what the apply sends (executePlan sends these calls). */
export function writeCount(plans: readonly InstancePlan[]): number {
  return plans.reduce((n, p) => n + p.calls.length, 0);
}

/**
 * The fewest writes that bring `live` to `d`: one per section that differs (the instance's
 * name/description/concurrency in one ModifyInstance), the status last.
 *
 * `fresh`: `live` is an instance being created, whose starting values the plan cannot know. Which
 * writes are sent then depends on the file alone, so the plan's count is the apply's: one per
 * section in which the file sets a value (the instance's own fields went with CreateInstance), the
 * status when declared. Their parameters are still made against `live` (after CreateInstance, the
 * new instance as read): the values the file sets, and its empty ones where the instance has a value.
 */
export function callsFor(d: DesiredInstance, live: LiveInstance, opts: { associateChatbot: boolean; fresh?: boolean }): Call[] {
  const calls: Call[] = [];
  const id = live.id;
  const fresh = opts.fresh === true;
  const differs = (key: SectionKey) => {
    const want = d.sections[key];
    const have = live.sections[key] ?? {};
    if (!want) return [];
    return fieldsOf(key).filter(
      (f) => want[f.wire] !== undefined && (!sameValue(f.spec, have[f.wire], want[f.wire]) || (fresh && isSet(f.spec, want[f.wire]))),
    );
  };
  for (const s of SECTIONS) {
    const want = d.sections[s.key];
    if (!want) continue;
    if (s.key === 'chatbot') {
      if (opts.associateChatbot) calls.push({ action: s.action, params: { InstanceId: id, ...wire(s.key, want) } });
      continue;
    }
    if (fresh && (s.key === 'instance' || !fieldsOf(s.key).some((f) => isSet(f.spec, want[f.wire])))) continue;
    const changed = differs(s.key);
    if (changed.length === 0) continue;
    const target: Record<string, unknown> = s.key === 'asr' ? { ConfigLevel: ASR_INSTANCE_LEVEL, EntryId: id } : { InstanceId: id };
    if (s.send === 'changed') {
      calls.push({ action: s.action, params: { ...target, ...Object.fromEntries(changed.map((f) => [f.wire, toWire(f.spec, want[f.wire])])) } });
    } else {
      const have = live.sections[s.key] ?? {};
      const base = Object.fromEntries(
        fieldsOf(s.key)
          .filter((f) => have[f.wire] !== undefined)
          .map((f) => [f.wire, have[f.wire]]),
      );
      calls.push({ action: s.action, params: { ...target, ...base, ...wire(s.key, want) } });
    }
  }
  if (d.enabled !== undefined && (fresh || d.enabled !== live.enabled))
    calls.push({ action: d.enabled ? 'EnableInstance' : 'DisableInstance', params: { InstanceId: id } });
  return calls;
}

const TARGET_PARAMS = new Set(SECTIONS.flatMap((s) => s.target));

/** Every planned request through the validator before the first write; a problem is the file's. */
export function checkCalls(plans: InstancePlan[]): void {
  const issues: FileIssue[] = [];
  for (const p of plans) {
    for (const [n, c] of p.calls.entries()) {
      // a new instance's section writes are checked for the values the file gives; its id and the
      // values it starts with are filled in after CreateInstance (and checked again then)
      const later = p.action === 'create' && n > 0;
      for (const i of requestIssues(c.action, c.params)) {
        if (later && (i.kind === 'missing' || TARGET_PARAMS.has(i.param))) continue;
        const section = SECTIONS.find((s) => s.action === c.action)?.key ?? 'instance';
        const field = fieldsOf(section).find((f) => f.wire === i.param);
        const at: Pos = p.desired.positions.get(`${section}.${i.param}`) ?? p.desired.positions.get(section) ?? p.desired.pos;
        const label = field ? `\`${section === 'instance' ? field.key : `${section}.${field.key}`}\`` : i.param;
        const why =
          i.kind === 'missing'
            ? `${label} is required to ${c.action === 'CreateInstance' ? `create "${p.desired.name}" (no instance has that name)` : `send ${c.action}`}`
            : `${label} ${i.why}`;
        issues.push({ file: p.desired.file, ...at, message: why });
      }
    }
  }
  if (issues.length) throw new ConfigFileError(issues);
}
