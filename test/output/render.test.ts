import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyQuery, checkQuery, type OutputFormat, render } from '../../src/output/render.js';

async function rendered(data: unknown, format: OutputFormat, opts: { query?: string; isTTY?: boolean; columns?: number; listField?: string } = {}) {
  let text = '';
  await render(
    { data, view: { listField: opts.listField } },
    { format, query: opts.query },
    { write: (s) => (text += s), isTTY: opts.isTTY ?? false, color: false, columns: opts.columns },
  );
  return text;
}

const instances = {
  RequestId: 'R1',
  TotalCount: 2,
  PageNumber: 1,
  PageSize: 10,
  Instances: [
    {
      InstanceId: 'i-1',
      Name: '客服热线',
      Status: 'Published',
      Concurrency: 3,
      Description: 'main',
      ModifyTime: 1,
      ApplicableOperations: ['Disable', 'Modify'],
    },
    { InstanceId: 'i-2', Name: 'two', Status: 'Drafted', Concurrency: 5, Description: '', ModifyTime: 2, ApplicableOperations: [] },
  ],
};

describe('--query', () => {
  it('accepts the legacy backtick literals the AWS CLI accepts (JEP-12), as strings', async () => {
    await expect(checkQuery('Instances[?Status==`Published`].InstanceId')).resolves.toBeUndefined();
    expect(await applyQuery(instances, 'Instances[?Status==`Published`].InstanceId')).toEqual(['i-1']);
    // JSON literals keep their JSON meaning
    expect(await applyQuery(instances, 'Instances[?Concurrency==`5`].InstanceId')).toEqual(['i-2']);
    expect(await applyQuery(instances, 'Instances[?Status==`"Drafted"`].InstanceId')).toEqual(['i-2']);
  });

  it('a mixed list (a scalar and a list) is one VALUE column, not characters', async () => {
    const text = await rendered(instances.Instances[0], 'table', { query: '[Status,ApplicableOperations]' });
    expect(text).toBe('VALUE\nPublished\nDisable, Modify\n');
  });

  it('a list of lists is rows without a header', async () => {
    const text = await rendered(instances, 'table', { query: 'Instances[].[InstanceId,Name,Concurrency]' });
    expect(text.split('\n')[0]).toMatch(/^i-1\s+客服热线\s+3$/);
    expect(text.split('\n')[1]).toMatch(/^i-2\s+two\s+5$/);
  });
});

describe('json and yaml', () => {
  it('piped JSON is one compact line, with or without --query; a terminal gets it pretty', async () => {
    expect(await rendered(instances, 'json')).toBe(`${JSON.stringify(instances)}\n`);
    expect(await rendered(instances, 'json', { query: 'Instances[0]' })).toBe(`${JSON.stringify(instances.Instances[0])}\n`);
    expect(await rendered(instances, 'json', { isTTY: true })).toBe(`${JSON.stringify(instances, null, 2)}\n`);
  });

  it('-o yaml parses as YAML and equals the JSON', async () => {
    const yaml = await rendered(instances, 'yaml');
    expect(parse(yaml)).toEqual(JSON.parse(await rendered(instances, 'json')));
    expect(parse(await rendered(instances, 'yaml', { query: 'Instances[].Name' }))).toEqual(['客服热线', 'two']);
  });
});

describe('tsv and wide', () => {
  it('tsv columns are the table columns, in the same order', async () => {
    const table = await rendered(instances, 'table', { listField: 'Instances' });
    const tsv = await rendered(instances, 'tsv', { listField: 'Instances' });
    expect(table.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+CONCURRENCY\s+DESCRIPTION\s+MODIFIED$/);
    expect((tsv.split('\n')[0] as string).split('\t').slice(0, 5)).toEqual(['i-1', '客服热线', 'Published', '3', 'main']);
  });

  it('wide adds every other field of the rows and cuts nothing', async () => {
    const wide = await rendered(instances, 'wide', { listField: 'Instances', columns: 40 });
    expect(wide.split('\n')[0]).toMatch(/MODIFIED\s+ApplicableOperations$/);
    expect(wide).toContain('Disable, Modify');
  });
});
