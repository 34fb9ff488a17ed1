import { randomUUID } from 'node:crypto';
import { defaultNavigationConfig, defaultTtsConfig, MAX_CONCURRENCY } from '../defaults.js';
import { notFound, SERVICE_ERRORS, serviceError } from '../errors.js';
import type { ActionContext, HandlerTable, ItemOf } from './types.js';

interface InstanceRow {
  instance_id: string;
  name: string;
  description: string;
  concurrency: number;
  status: string;
  create_time: number;
  modify_time: number;
  modify_user: string;
  nlu_service_params_json: string | null;
  union_instance_id: string | null;
  union_source: string | null;
  numbers_json: string;
}

/** Status values as the service spells them in responses (filters are upper case). */
const STATUS = { published: 'Published', drafted: 'Drafted', disabled: 'Disabled' } as const;

export function getInstance(ctx: Pick<ActionContext, 'db'>, id: string): InstanceRow {
  const row = ctx.db.prepare('SELECT * FROM instances WHERE instance_id = ?').get(id) as InstanceRow | undefined;
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
  const dup = ctx.db.prepare('SELECT instance_id FROM instances WHERE name = ? AND instance_id IS NOT ?').get(name, exceptId ?? null);
  if (dup) throw serviceError(SERVICE_ERRORS.instanceNameDuplicated, 'The specified InstanceName already exists.');
}

export const handlers = {
  CreateInstance(ctx) {
    const p = ctx.params;
    const name = p.req('Name').trim();
    const concurrency = p.int('Concurrency');
    checkConcurrency(concurrency);
    checkNameFree(ctx, name);
    const id = randomUUID();
    ctx.db
      .prepare(
        `INSERT INTO instances (instance_id, name, description, concurrency, status, create_time, modify_time, modify_user, nlu_service_params_json, union_instance_id, union_source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        name,
        p.str('Description') ?? '',
        concurrency,
        STATUS.published,
        ctx.now,
        ctx.now,
        ctx.accessKeyId,
        p.str('NluServiceParamsJson') ?? null,
        p.str('UnionInstanceId') ?? null,
        p.str('UnionSource') ?? null,
      );
    ctx.db.prepare('INSERT INTO navigation_configs (instance_id, config_json) VALUES (?, ?)').run(id, JSON.stringify(defaultNavigationConfig()));
    ctx.db.prepare('INSERT INTO tts_configs (instance_id, config_json) VALUES (?, ?)').run(id, JSON.stringify(defaultTtsConfig()));
    return { InstanceId: id };
  },

  DescribeInstance(ctx) {
    const { Numbers: _n, CreateTime: _c, ...rest } = view(getInstance(ctx, ctx.params.req('InstanceId')));
    return { ...rest, AbilityType: 'VOICE_NAVIGATION' };
  },

  ListInstances(ctx) {
    const p = ctx.params;
    const { pageNumber, pageSize, offset } = p.page(10);
    const where: string[] = [];
    const args: unknown[] = [];
    const name = p.str('Name');
    if (name) {
      where.push("name LIKE ? ESCAPE '\\'");
      args.push(`%${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const status = p.str('Status');
    if (status) {
      where.push('upper(status) = upper(?)');
      args.push(status);
    }
    const ids = p.json<string[]>('InstanceIdListJsonString');
    if (ids !== undefined) {
      where.push(`instance_id IN (${ids.map(() => '?').join(',') || "''"})`);
      args.push(...ids.map(String));
    }
    for (const [param, col] of [
      ['UnionInstanceId', 'union_instance_id'],
      ['UnionSource', 'union_source'],
    ] as const) {
      const v = p.str(param);
      if (v) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    }
    const number = p.str('Number');
    if (number) {
      where.push('numbers_json LIKE ?');
      args.push(`%"${number}"%`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (ctx.db.prepare(`SELECT count(*) AS n FROM instances ${clause}`).get(...args) as { n: number }).n;
    const rows = ctx.db
      .prepare(`SELECT * FROM instances ${clause} ORDER BY create_time DESC, instance_id LIMIT ? OFFSET ?`)
      .all(...args, pageSize, offset) as InstanceRow[];
    return { TotalCount: total, PageNumber: pageNumber, PageSize: pageSize, Instances: rows.map(view) };
  },

  ModifyInstance(ctx) {
    const p = ctx.params;
    const row = getInstance(ctx, p.req('InstanceId'));
    const concurrency = p.int('Concurrency');
    checkConcurrency(concurrency);
    const name = p.str('Name')?.trim() || row.name;
    if (name !== row.name) checkNameFree(ctx, name, row.instance_id);
    ctx.db
      .prepare('UPDATE instances SET concurrency = ?, description = ?, name = ?, modify_time = ?, modify_user = ? WHERE instance_id = ?')
      .run(concurrency ?? row.concurrency, p.str('Description') ?? row.description, name, ctx.now, ctx.accessKeyId, row.instance_id);
    return {};
  },

  DeleteInstance(ctx) {
    const id = ctx.params.req('InstanceId');
    getInstance(ctx, id);
    for (const table of ['navigation_configs', 'tts_configs', 'chatbot_associations', 'conversation_turns', 'conversations', 'recordings', 'export_tasks']) {
      ctx.db.prepare(`DELETE FROM ${table} WHERE instance_id = ?`).run(id);
    }
    ctx.db.prepare('DELETE FROM asr_configs WHERE config_level = 2 AND entry_id = ?').run(id);
    ctx.db.prepare('DELETE FROM instances WHERE instance_id = ?').run(id);
    return {};
  },

  EnableInstance(ctx) {
    const row = getInstance(ctx, ctx.params.req('InstanceId'));
    ctx.db.prepare('UPDATE instances SET status = ?, modify_time = ? WHERE instance_id = ?').run(STATUS.published, ctx.now, row.instance_id);
    return { Status: 'true' };
  },

  DisableInstance(ctx) {
    const row = getInstance(ctx, ctx.params.req('InstanceId'));
    ctx.db.prepare('UPDATE instances SET status = ?, modify_time = ? WHERE instance_id = ?').run(STATUS.disabled, ctx.now, row.instance_id);
    return { Status: 'true' };
  },
} satisfies Partial<HandlerTable>;
