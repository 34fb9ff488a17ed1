import { randomUUID } from 'node:crypto';
import { defaultNavigationConfig, defaultTtsConfig, MAX_CONCURRENCY } from '../defaults.js';
import { notFound, SERVICE_ERRORS, serviceError } from '../errors.js';
import type { InstanceRow } from '../store/index.js';
import type { ActionContext, HandlerTable, ItemOf } from './types.js';

/** Status values as the service spells them in responses (filters are upper case). */
const STATUS = { published: 'Published', drafted: 'Drafted', disabled: 'Disabled' } as const;

export function getInstance(ctx: Pick<ActionContext, 'store'>, id: string): InstanceRow {
  const row = ctx.store.instances.find(id);
  if (!row) throw notFound.instance(id);
  return row;
}

function view(row: InstanceRow): ItemOf<'ListInstances', 'Instances'> {
  return {
    InstanceId: row.instance_id,
    Name: row.name,
    Description: row.description,
    Concurrency: row.concurrency,
    Status: row.status,
    CreateTime: row.create_time,
    ModifyTime: row.modify_time,
    ModifyUserName: row.modify_user,
    ApplicableOperations: row.status === STATUS.disabled ? ['Enable', 'Delete', 'Modify'] : ['Disable', 'Modify'],
    NluServiceParamsJson: row.nlu_service_params_json ?? '',
    UnionInstanceId: row.union_instance_id ?? '',
    UnionSource: row.union_source ?? '',
    Numbers: JSON.parse(row.numbers_json) as string[],
  };
}

/** The account's quota (seed 7.3 error codes); Concurrency ≥ 1 is the model's rule. */
function checkConcurrency(n: number | undefined): void {
  if (n === undefined) return;
  if (n > MAX_CONCURRENCY) throw serviceError(SERVICE_ERRORS.concurrencyLimitExceeded, 'The specified Concurrency exceeds the upper limit.');
}

function checkNameFree(ctx: ActionContext, name: string, exceptId?: string): void {
  if (ctx.store.instances.nameTaken(name, exceptId)) throw serviceError(SERVICE_ERRORS.instanceNameDuplicated, 'The specified InstanceName already exists.');
}

export const handlers = {
  CreateInstance(ctx) {
    const p = ctx.params;
    const name = p.req('Name').trim();
    const concurrency = p.int('Concurrency');
    checkConcurrency(concurrency);
    checkNameFree(ctx, name);
    const id = randomUUID();
    ctx.store.instances.insert({
      instance_id: id,
      name,
      description: p.str('Description') ?? '',
      // required by CreateInstance (the model checked it)
      concurrency: concurrency as number,
      status: STATUS.published,
      create_time: ctx.now,
      modify_time: ctx.now,
      modify_user: ctx.accessKeyId,
      nlu_service_params_json: p.str('NluServiceParamsJson') ?? null,
      union_instance_id: p.str('UnionInstanceId') ?? null,
      union_source: p.str('UnionSource') ?? null,
    });
    ctx.store.configs.putNavigation(id, JSON.stringify(defaultNavigationConfig()));
    ctx.store.configs.putTts(id, JSON.stringify(defaultTtsConfig()));
    return { InstanceId: id };
  },

  DescribeInstance(ctx) {
    const { Numbers: _n, CreateTime: _c, ...rest } = view(getInstance(ctx, ctx.params.req('InstanceId')));
    return { ...rest, AbilityType: 'VOICE_NAVIGATION' };
  },

  ListInstances(ctx) {
    const p = ctx.params;
    const { pageNumber, pageSize, offset } = p.page(10);
    const { total, rows } = ctx.store.instances.list(
      {
        name: p.str('Name'),
        status: p.str('Status'),
        ids: p.json<string[]>('InstanceIdListJsonString'),
        unionInstanceId: p.str('UnionInstanceId'),
        unionSource: p.str('UnionSource'),
        number: p.str('Number'),
      },
      { limit: pageSize, offset },
    );
    return { TotalCount: total, PageNumber: pageNumber, PageSize: pageSize, Instances: rows.map(view) };
  },

  ModifyInstance(ctx) {
    const p = ctx.params;
    const row = getInstance(ctx, p.req('InstanceId'));
    const concurrency = p.int('Concurrency');
    checkConcurrency(concurrency);
    const name = p.str('Name')?.trim() || row.name;
    if (name !== row.name) checkNameFree(ctx, name, row.instance_id);
    ctx.store.instances.modify(row.instance_id, {
      concurrency: concurrency ?? row.concurrency,
      description: p.str('Description') ?? row.description,
      name,
      modify_time: ctx.now,
      modify_user: ctx.accessKeyId,
    });
    return {};
  },

  DeleteInstance(ctx) {
    const id = ctx.params.req('InstanceId');
    getInstance(ctx, id);
    ctx.store.instances.delete(id);
    return {};
  },

  EnableInstance(ctx) {
    const row = getInstance(ctx, ctx.params.req('InstanceId'));
    ctx.store.instances.setStatus(row.instance_id, STATUS.published, ctx.now);
    return { Status: 'true' };
  },

  DisableInstance(ctx) {
    const row = getInstance(ctx, ctx.params.req('InstanceId'));
    ctx.store.instances.setStatus(row.instance_id, STATUS.disabled, ctx.now);
    return { Status: 'true' };
  },
} satisfies Partial<HandlerTable>;
