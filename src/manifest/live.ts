import type { ActionName } from '../api/catalog.js';
import {
  API_VERSION,
  ASR_INSTANCE_LEVEL,
  type Config,
  fieldsOf,
  fileKey,
  KIND,
  NESTED_SECTIONS,
  READ_ONLY_PARTS,
  type SectionKey,
  type Sections,
  toFile,
} from './model.js';

/** How the manifest code reaches the service: the command passes ctx.call (validated, signed, retried). */
export interface Api {
  /** One call; resolves to the response body. */
  call(action: ActionName, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** A paginated list action, every page followed. */
  callAll(action: ActionName, params: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** An instance as ListInstances / DescribeInstance show it. */
export interface InstanceSummary {
  InstanceId: string;
  Name: string;
  Description?: string;
  Concurrency?: number;
  Status?: string;
  ModifyTime?: number;
}

/** The live configuration of one instance, as far as it was read. */
export interface LiveInstance extends Config {
  id: string;
  name: string;
  status: string;
  modifyTime?: number;
  /** The navigation config's read-only parts (wire shape). */
  readOnly: Record<string, unknown>;
}

export const PUBLISHED = 'Published';

export async function listInstances(api: Api): Promise<InstanceSummary[]> {
  const res = await api.callAll('ListInstances', {});
  return (res.Instances as InstanceSummary[] | undefined) ?? [];
}

/** Reads the sections asked for (every readable one by default) of an instance. */
export async function readInstance(
  api: Api,
  summary: InstanceSummary,
  want: readonly SectionKey[] = allReadable(),
  opts: { readOnlyParts?: boolean } = {},
): Promise<LiveInstance> {
  const id = summary.InstanceId;
  const sections: Sections = {
    instance: pick('instance', summary as unknown as Record<string, unknown>),
  };
  const live: LiveInstance = {
    id,
    name: summary.Name,
    status: String(summary.Status ?? ''),
    modifyTime: summary.ModifyTime,
    enabled: summary.Status === PUBLISHED,
    sections,
    readOnly: {},
  };
  const reads: Promise<void>[] = [];
  if (want.includes('tts')) {
    reads.push(
      api.call('DescribeTTSConfig', { InstanceId: id }).then((r) => {
        sections.tts = pick('tts', r);
      }),
    );
  }
  const nav = NESTED_SECTIONS.filter((s) => s.navigationPart && want.includes(s.key));
  if (nav.length > 0 || opts.readOnlyParts) {
    reads.push(
      api.call('DescribeNavigationConfig', { InstanceId: id }).then((r) => {
        for (const s of nav) sections[s.key] = pick(s.key, (r[s.navigationPart as string] as Record<string, unknown>) ?? {});
        for (const [key, part] of Object.entries(READ_ONLY_PARTS)) if (r[part] !== undefined) live.readOnly[key] = r[part];
      }),
    );
  }
  if (want.includes('asr')) {
    reads.push(
      api.call('GetAsrConfig', { ConfigLevel: ASR_INSTANCE_LEVEL, EntryId: id }).then((r) => {
        sections.asr = pick('asr', (r.Data as Record<string, unknown>) ?? {});
      }),
    );
  }
  await Promise.all(reads);
  return live;
}

export function allReadable(): SectionKey[] {
  return ['instance', ...NESTED_SECTIONS.filter((s) => s.readable).map((s) => s.key)];
}

/** The fields of a section out of a response, by wire name (fields the response lacks are left out). */
function pick(key: SectionKey, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(key)) if (body[f.wire] !== undefined) out[f.wire] = body[f.wire];
  return out;
}

/** The file form of an instance: what `vn instance export` writes (and `vn apply` takes back). */
export function toDocument(live: LiveInstance): Record<string, unknown> {
  const doc: Record<string, unknown> = { apiVersion: API_VERSION, kind: KIND, name: live.name };
  const inst = live.sections.instance ?? {};
  for (const f of fieldsOf('instance')) {
    if (f.key === 'name' || inst[f.wire] === undefined) continue;
    doc[f.key] = toFile(f.spec, inst[f.wire]);
  }
  doc.enabled = live.enabled === true;
  for (const s of NESTED_SECTIONS) {
    const values = live.sections[s.key];
    if (!values) continue;
    const out: Record<string, unknown> = {};
    for (const f of fieldsOf(s.key)) if (values[f.wire] !== undefined) out[f.key] = toFile(f.spec, values[f.wire]);
    doc[s.key] = out;
  }
  const info: Record<string, unknown> = { instanceId: live.id, status: live.status };
  if (live.modifyTime !== undefined) info.modifyTime = live.modifyTime;
  for (const [key, value] of Object.entries(live.readOnly)) info[key] = lowerKeys(value);
  doc.readOnly = info;
  return doc;
}

function lowerKeys(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [fileKey(k), x]));
}

/** Instances read at a time: a whole account is read quickly without a burst of hundreds of requests. */
export const READ_CONCURRENCY = 8;

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
