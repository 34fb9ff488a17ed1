import { describe, expect, it } from 'vitest';
import { ACTION_SPECS, allActions } from '../../src/api/catalog.js';
import { validateParams } from '../../src/api/validate.js';

describe('catalog', () => {
  it('holds every action of the spec with a group, method and parameters', () => {
    expect(allActions().length).toBe(41);
    for (const a of allActions()) {
      expect(a.group).toBeTruthy();
      expect(['GET', 'POST']).toContain(a.method);
    }
    expect(ACTION_SPECS.ListInstances.paginator !== undefined).toBe(true);
    expect(ACTION_SPECS.ListDownloadTasks.listField).toBe('DownloadTasks.List');
    expect(ACTION_SPECS.DescribeInstance.listField).toBeUndefined();
  });
});

describe('validateParams', () => {
  const create = ACTION_SPECS.CreateInstance;
  it('accepts a complete, well-typed set', () => {
    expect(validateParams(create, { Name: 'a', Concurrency: 3 })).toEqual([]);
  });
  it('reports missing, unknown and ill-typed parameters', () => {
    const issues = validateParams(create, { Concurrency: '3.5', Bogus: 1 });
    expect(issues.map((i) => i.kind).sort()).toEqual(['invalid', 'missing', 'unknown']);
  });
  it('allows unknown parameters when forced', () => {
    expect(validateParams(create, { Name: 'a', Concurrency: 1, Extra: 'x' }, { allowUnknown: true })).toEqual([]);
  });
  it('checks JSON-string parameters, booleans and page bounds', () => {
    const list = ACTION_SPECS.ListInstances;
    expect(validateParams(list, { PageNumber: 1, PageSize: 0 })[0]?.reason).toMatch(/PageSize must be an integer from 1 to 100, got 0/);
    expect(validateParams(list, { PageNumber: 1, PageSize: 5, InstanceIdListJsonString: '[1,' })[0]?.reason).toMatch(/valid JSON/);
    const rec = ACTION_SPECS.DescribeRecording;
    expect(validateParams(rec, { InstanceId: 'i', ConversationId: 'c', NeedVoiceSliceRecording: 'yes' })[0]?.reason).toMatch(/true or false/);
  });
  it('accepts repeat-list arrays flattened as Name.N', () => {
    const exp = ACTION_SPECS.ExportConversationDetails;
    expect(validateParams(exp, { InstanceId: 'i', 'Options.1': 'a', 'Options.2': 'b' })).toEqual([]);
  });
});
