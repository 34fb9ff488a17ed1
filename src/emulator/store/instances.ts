import { type Database, prepareAll, type Statement } from './database.js';

/** A row of `instances`. */
export interface InstanceRow {
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

export type NewInstance = Omit<InstanceRow, 'numbers_json'>;

/** What ListInstances filters on; each filter left out matches every instance. */
export interface InstanceFilter {
  /** Part of the name (LIKE, its wildcards escaped). */
  name?: string;
  /** Any case. */
  status?: string;
  /** Only these ids (an empty list matches none). */
  ids?: string[];
  unionInstanceId?: string;
  unionSource?: string;
  /** One of the instance's numbers. */
  number?: string;
}

/** Every table whose rows belong to one instance (by instance_id): DeleteInstance removes them with it. */
const OWNED_TABLES = ['navigation_configs', 'tts_configs', 'chatbot_associations', 'conversation_turns', 'conversations', 'recordings', 'export_tasks'];

const SQL = {
  find: 'SELECT * FROM instances WHERE instance_id = ?',
  nameOwner: 'SELECT instance_id FROM instances WHERE name = ? AND instance_id IS NOT ?',
  insert: `INSERT INTO instances (instance_id, name, description, concurrency, status, create_time, modify_time, modify_user, nlu_service_params_json, union_instance_id, union_source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  modify: 'UPDATE instances SET concurrency = ?, description = ?, name = ?, modify_time = ?, modify_user = ? WHERE instance_id = ?',
  setStatus: 'UPDATE instances SET status = ?, modify_time = ? WHERE instance_id = ?',
  deleteAsr: 'DELETE FROM asr_configs WHERE config_level = 2 AND entry_id = ?',
  delete: 'DELETE FROM instances WHERE instance_id = ?',
};

/** The `instances` aggregate. */
export class Instances {
  private readonly st: Record<keyof typeof SQL, Statement>;
  private readonly deleteOwned: Statement[];

  constructor(private readonly db: Database) {
    this.st = prepareAll(db, SQL);
    this.deleteOwned = Object.values(prepareAll(db, Object.fromEntries(OWNED_TABLES.map((t) => [t, `DELETE FROM ${t} WHERE instance_id = ?`]))));
  }

  find(instanceId: string): InstanceRow | undefined {
    return this.st.find.get(instanceId) as InstanceRow | undefined;
  }

  /** Whether another instance (not `exceptId`) has this name. */
  nameTaken(name: string, exceptId?: string): boolean {
    return this.st.nameOwner.get(name, exceptId ?? null) !== undefined;
  }

  insert(row: NewInstance): void {
    this.st.insert.run(
      row.instance_id,
      row.name,
      row.description,
      row.concurrency,
      row.status,
      row.create_time,
      row.modify_time,
      row.modify_user,
      row.nlu_service_params_json,
      row.union_instance_id,
      row.union_source,
    );
  }

  modify(instanceId: string, change: Pick<InstanceRow, 'concurrency' | 'description' | 'name' | 'modify_time' | 'modify_user'>): void {
    this.st.modify.run(change.concurrency, change.description, change.name, change.modify_time, change.modify_user, instanceId);
  }

  setStatus(instanceId: string, status: string, now: number): void {
    this.st.setStatus.run(status, now, instanceId);
  }

  /** The instance and everything that belongs to it (configs, association, conversations, recordings, exports). */
  delete(instanceId: string): void {
    for (const st of this.deleteOwned) st.run(instanceId);
    this.st.deleteAsr.run(instanceId);
    this.st.delete.run(instanceId);
  }

  /** One page of the instances that match, newest first, and how many match in all. */
  list(filter: InstanceFilter, page: { limit: number; offset: number }): { total: number; rows: InstanceRow[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.name) {
      where.push("name LIKE ? ESCAPE '\\'");
      args.push(`%${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (filter.status) {
      where.push('upper(status) = upper(?)');
      args.push(filter.status);
    }
    if (filter.ids !== undefined) {
      where.push(`instance_id IN (${filter.ids.map(() => '?').join(',') || "''"})`);
      args.push(...filter.ids.map(String));
    }
    for (const [v, col] of [
      [filter.unionInstanceId, 'union_instance_id'],
      [filter.unionSource, 'union_source'],
    ] as const) {
      if (v) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    }
    if (filter.number) {
      where.push('numbers_json LIKE ?');
      args.push(`%"${filter.number}"%`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM instances ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM instances ${clause} ORDER BY create_time DESC, instance_id LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as InstanceRow[];
    return { total, rows };
  }
}
