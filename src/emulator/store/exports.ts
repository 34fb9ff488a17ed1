import { type Database, prepareAll, type Statement } from './database.js';

/** A row of `export_tasks`: the CSV is made when the task is created and kept in `content`. */
export interface TaskRow {
  task_id: string;
  instance_id: string;
  kind: string;
  title: string;
  params_json: string;
  status: string;
  create_time: number;
  ready_time: number;
  expire_time: number;
  file_id: string;
  file_name: string;
  content: Buffer | null;
}

const SQL = {
  insert: `INSERT INTO export_tasks (task_id, instance_id, kind, title, params_json, status, create_time, ready_time, expire_time, file_id, file_name, content)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  find: 'SELECT * FROM export_tasks WHERE task_id = ?',
  findFile: 'SELECT * FROM export_tasks WHERE task_id = ? AND file_name = ?',
  count: 'SELECT count(*) AS n FROM export_tasks',
  page: 'SELECT * FROM export_tasks ORDER BY create_time DESC, task_id LIMIT ? OFFSET ?',
};

/** The `export_tasks` aggregate. */
export class ExportTasks {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(db: Database) {
    this.st = prepareAll(db, SQL);
  }

  insert(t: TaskRow): void {
    this.st.insert.run(
      t.task_id,
      t.instance_id,
      t.kind,
      t.title,
      t.params_json,
      t.status,
      t.create_time,
      t.ready_time,
      t.expire_time,
      t.file_id,
      t.file_name,
      t.content,
    );
  }

  find(taskId: string): TaskRow | undefined {
    return this.st.find.get(taskId) as TaskRow | undefined;
  }

  /** The task whose file has this name. */
  findFile(taskId: string, fileName: string): TaskRow | undefined {
    return this.st.findFile.get(taskId, fileName) as TaskRow | undefined;
  }

  /** One page of every task of the account, newest first, and how many there are. */
  list(page: { limit: number; offset: number }): { total: number; rows: TaskRow[] } {
    const total = (this.st.count.get() as { n: number }).n;
    return { total, rows: this.st.page.all(page.limit, page.offset) as TaskRow[] };
  }
}
