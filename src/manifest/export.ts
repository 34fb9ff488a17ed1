import { type Api, type InstanceSummary, listInstances, mapLimit, READ_CONCURRENCY, readInstance, toDocument } from './live.js';

/** Reads instances (given ids in their order, or every one sorted by name) in file form. */
export async function exportInstances(api: Api, which: string[] | 'all'): Promise<Record<string, unknown>[]> {
  let summaries: InstanceSummary[];
  if (which === 'all') {
    summaries = (await listInstances(api)).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  } else {
    summaries = [];
    for (const id of which) summaries.push({ ...((await api.call('DescribeInstance', { InstanceId: id })) as unknown as InstanceSummary), InstanceId: id });
  }
  const live = await mapLimit(summaries, READ_CONCURRENCY, (s) => readInstance(api, s, undefined, { readOnlyParts: true }));
  return live.map(toDocument);
}

const READ_ONLY_NOTE = ' read-only: exported for information, never applied (ids, times and what no action changes)';
const CHATBOT_NOTE = ' chatbot: not exported — the API cannot read an association back; add `chatbot: {chatbotInstanceId: …}` to set one';

/** YAML (one document per instance) or JSON (one object, or a list when there are several). */
export async function formatExport(docs: Record<string, unknown>[], format: 'yaml' | 'json'): Promise<string> {
  if (format === 'json') return `${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`;
  const yaml = await import('yaml');
  return docs
    .map((d) => {
      const doc = new yaml.Document(d);
      const map = doc.contents as import('yaml').YAMLMap;
      for (const pair of map.items) {
        const key = pair.key as import('yaml').Scalar;
        if (key.value === 'readOnly') key.commentBefore = READ_ONLY_NOTE;
        if (key.value === 'tts') key.commentBefore = CHATBOT_NOTE;
      }
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
