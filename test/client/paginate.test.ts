import { describe, expect, it } from 'vitest';
import { ACTION_SPECS } from '../../src/api/catalog.js';
import { pageOf } from '../../src/client/paginate.js';
import { render } from '../../src/output/render.js';

describe("pageOf (the page an answer is, read from the model's paginator)", () => {
  it('reads a top-level list and its total', () => {
    const p = ACTION_SPECS.ListInstances.paginator;
    expect(p).toBeDefined();
    const body = { TotalCount: 7, PageNumber: 2, PageSize: 3, Instances: [{}, {}, {}] };
    expect(pageOf(p!, body)).toEqual({ number: 2, size: 3, total: 7 });
  });

  it('reads a list inside an envelope (ListDownloadTasks) where the total sits beside it', () => {
    const p = ACTION_SPECS.ListDownloadTasks.paginator!;
    const body = { Code: 'OK', TotalCount: 99, DownloadTasks: { List: [{}, {}], PageNumber: 1, PageSize: 2, TotalCount: 5 } };
    expect(pageOf(p, body)).toEqual({ number: 1, size: 2, total: 5 });
  });

  it('says nothing of an answer without a total, and counts the items when the size is not echoed', () => {
    const p = ACTION_SPECS.ListInstances.paginator!;
    expect(pageOf(p, { Instances: [{}] })).toBeUndefined();
    expect(pageOf(p, { TotalCount: 4, Instances: [{}, {}] })).toEqual({ number: 1, size: 2, total: 4 });
  });
});

describe('the page footer', () => {
  async function table(view: Parameters<typeof render>[0]['view']): Promise<string> {
    let text = '';
    const data = { Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }], TotalCount: 9 };
    await render({ data, view }, { format: 'table' }, { write: (s) => (text += s), isTTY: false, color: false });
    return text;
  }

  it("is drawn from the view's page, not guessed from the answer's field names", async () => {
    expect(await table({ listField: 'Instances', page: { number: 1, size: 2, total: 9 } })).toContain('page 1 of 5 · 2 shown of 9 (--all for every page)');
    expect(await table({ listField: 'Instances', page: { number: 1, size: 2, total: 2 } })).toContain('2 in all');
    // a list that is not paged (no page in its view) has no footer, whatever fields it carries
    expect(await table({ listField: 'Instances' })).not.toMatch(/in all|shown of/);
  });
});
