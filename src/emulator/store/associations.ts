import { type Database, prepareAll, type Statement } from './database.js';

/** A row of `chatbot_associations`: the chatbot an instance answers with. */
export interface AssociationRow {
  instance_id: string;
  chatbot_instance_id: string;
  chatbot_name: string | null;
  nlu_service_type: string | null;
  nlu_service_params_json: string | null;
  union_source: string | null;
  create_time: number;
}

const SQL = {
  chatbotOf: 'SELECT chatbot_instance_id FROM chatbot_associations WHERE instance_id = ?',
  put: `INSERT OR REPLACE INTO chatbot_associations (instance_id, chatbot_instance_id, chatbot_name, nlu_service_type, nlu_service_params_json, union_source, create_time)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
};

export class Associations {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(db: Database) {
    this.st = prepareAll(db, SQL);
  }

  /** The id of the chatbot associated with the instance (undefined: none). */
  chatbotOf(instanceId: string): string | undefined {
    return (this.st.chatbotOf.get(instanceId) as { chatbot_instance_id: string } | undefined)?.chatbot_instance_id;
  }

  /** Associates (or re-associates) the instance with a chatbot. */
  put(row: AssociationRow): void {
    this.st.put.run(
      row.instance_id,
      row.chatbot_instance_id,
      row.chatbot_name,
      row.nlu_service_type,
      row.nlu_service_params_json,
      row.union_source,
      row.create_time,
    );
  }
}
