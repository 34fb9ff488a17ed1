import { type Database, prepareAll, type Statement } from './database.js';

/** A row of `uploads`: a file posted through a GenerateUploadUrl form. */
export interface UploadRow {
  object_key: string;
  /** The instance its key names (recordings/<id>/…), '' for none. */
  instance_id: string;
  content_type: string;
  size: number;
  content: Buffer;
  create_time: number;
}

export type StoredUpload = Pick<UploadRow, 'object_key' | 'content_type' | 'size' | 'content'>;

const SQL = {
  put: `INSERT INTO uploads (object_key, instance_id, content_type, size, content, create_time) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (object_key) DO UPDATE SET content_type = excluded.content_type, size = excluded.size, content = excluded.content, create_time = excluded.create_time`,
  get: 'SELECT object_key, content_type, size, content FROM uploads WHERE object_key = ?',
};

/** The `uploads` aggregate (the emulated bucket's objects). */
export class Uploads {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(db: Database) {
    this.st = prepareAll(db, SQL);
  }

  /** Stores an object, replacing one of the same key. */
  put(u: UploadRow): void {
    this.st.put.run(u.object_key, u.instance_id, u.content_type, u.size, u.content, u.create_time);
  }

  get(objectKey: string): StoredUpload | undefined {
    return this.st.get.get(objectKey) as StoredUpload | undefined;
  }
}
