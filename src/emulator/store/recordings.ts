import { type Database, prepareAll, type Statement } from './database.js';

/** A row of `recordings`: a recording SaveRecording registered for a conversation. */
export interface RecordingRow {
  instance_id: string;
  conversation_id: string;
  file_name: string;
  file_path: string;
  duration: string;
  start_time: number;
  type: string;
  voice_slice_json: string | null;
  create_time: number;
}

const SQL = {
  find: 'SELECT * FROM recordings WHERE instance_id = ? AND conversation_id = ?',
  save: `INSERT INTO recordings (instance_id, conversation_id, file_name, file_path, duration, start_time, type, voice_slice_json, create_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (instance_id, conversation_id) DO UPDATE SET file_name = excluded.file_name, file_path = excluded.file_path, duration = excluded.duration,
       start_time = excluded.start_time, type = excluded.type, voice_slice_json = excluded.voice_slice_json, create_time = excluded.create_time`,
};

/** The `recordings` aggregate: one saved recording per conversation. */
export class Recordings {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(db: Database) {
    this.st = prepareAll(db, SQL);
  }

  find(instanceId: string, conversationId: string): RecordingRow | undefined {
    return this.st.find.get(instanceId, conversationId) as RecordingRow | undefined;
  }

  /** Saves the conversation's recording, replacing one saved before. */
  save(r: RecordingRow): void {
    this.st.save.run(r.instance_id, r.conversation_id, r.file_name, r.file_path, r.duration, r.start_time, r.type, r.voice_slice_json, r.create_time);
  }
}
