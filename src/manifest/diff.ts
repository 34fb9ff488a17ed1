import { type Api, type InstanceSummary, readInstance } from './live.js';
import type { ConfigFile } from './load.js';
import { type Change, diffConfigs, matchLive } from './plan.js';

export interface DiffEntry {
  name: string;
  instanceId?: string;
  otherName?: string;
  otherInstanceId?: string;
  /** `missing`: the file's instance does not exist (apply would create it). */
  state: 'match' | 'differs' | 'missing';
  changes: Change[];
  notes: string[];
}

export interface DiffResult {
  match: boolean;
  /** What the `-` side is, and the `+` side. */
  from: string;
  to: string;
  instances: DiffEntry[];
}

/** The file against the live instances: `from` the live values, `to` the file's. */
export async function diffFile(api: Api, config: ConfigFile, liveLabel: string): Promise<DiffResult> {
  const live = await matchLive(api, config.instances);
  const instances = config.instances.map((d, i): DiffEntry => {
    const l = live[i];
    const notes = d.sections.chatbot ? ['chatbot: not compared — the API cannot read an association back'] : [];
    if (!l) return { name: d.name, state: 'missing', changes: diffConfigs(undefined, d, 'declared'), notes };
    const changes = diffConfigs(l, d, 'declared');
    return { name: l.name, instanceId: l.id, otherName: d.name, state: changes.length ? 'differs' : 'match', changes, notes };
  });
  return { match: instances.every((e) => e.state === 'match'), from: liveLabel, to: config.path, instances };
}

export interface Side {
  api: Api;
  id: string;
  label: string;
}

/** Two live instances (on one profile or two): every readable field but the names. */
export async function diffInstances(a: Side, b: Side): Promise<DiffResult> {
  const read = async (s: Side) => {
    const summary = (await s.api.call('DescribeInstance', { InstanceId: s.id })) as unknown as InstanceSummary;
    return readInstance(s.api, { ...summary, InstanceId: s.id });
  };
  const [la, lb] = await Promise.all([read(a), read(b)]);
  const changes = diffConfigs(la, lb, 'all');
  const entry: DiffEntry = {
    name: la.name,
    instanceId: la.id,
    otherName: lb.name,
    otherInstanceId: lb.id,
    state: changes.length ? 'differs' : 'match',
    changes,
    notes: ['names are the instances’ identities and are not compared; chatbot associations cannot be read back'],
  };
  return { match: changes.length === 0, from: a.label, to: b.label, instances: [entry] };
}
