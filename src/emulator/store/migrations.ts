/**
 * Versioned migrations: each runs once, in order, inside a transaction; `PRAGMA user_version`
 * records how far a file has come. Append new versions; never edit a released one.
 */
export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE instances (
  instance_id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  concurrency INTEGER NOT NULL,
  status TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  modify_time INTEGER NOT NULL,
  modify_user TEXT NOT NULL DEFAULT '',
  nlu_service_params_json TEXT,
  union_instance_id TEXT,
  union_source TEXT,
  numbers_json TEXT NOT NULL DEFAULT '[]'
);
-- the whole DescribeNavigationConfig body (minus RequestId) as JSON
CREATE TABLE navigation_configs (instance_id TEXT PRIMARY KEY, config_json TEXT NOT NULL);
-- the whole DescribeTTSConfig body (minus RequestId) as JSON
CREATE TABLE tts_configs (instance_id TEXT PRIMARY KEY, config_json TEXT NOT NULL);
CREATE TABLE asr_configs (config_level INTEGER NOT NULL, entry_id TEXT NOT NULL, config_json TEXT NOT NULL, PRIMARY KEY (config_level, entry_id));
CREATE TABLE chatbot_associations (
  instance_id TEXT PRIMARY KEY,
  chatbot_instance_id TEXT NOT NULL,
  chatbot_name TEXT,
  nlu_service_type TEXT,
  nlu_service_params_json TEXT,
  union_source TEXT,
  create_time INTEGER NOT NULL
);
CREATE TABLE conversations (
  instance_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  debug INTEGER NOT NULL DEFAULT 0,
  sandbox INTEGER NOT NULL DEFAULT 0,
  calling_number TEXT NOT NULL DEFAULT '',
  called_number TEXT NOT NULL DEFAULT '',
  begin_time INTEGER NOT NULL,
  end_time INTEGER,
  status TEXT NOT NULL DEFAULT 'active',
  transferred_to_agent INTEGER NOT NULL DEFAULT 0,
  skill_group_id TEXT NOT NULL DEFAULT '',
  user_utterance_count INTEGER NOT NULL DEFAULT 0,
  effective_answer_count INTEGER NOT NULL DEFAULT 0,
  end_reason INTEGER,
  -- engine state (counters, last bot response, context) as JSON
  state_json TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (instance_id, conversation_id)
);
CREATE INDEX conversations_by_time ON conversations (instance_id, debug, begin_time);
CREATE TABLE conversation_turns (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  speaker TEXT NOT NULL,
  utterance TEXT NOT NULL DEFAULT '',
  action TEXT,
  action_params TEXT,
  -- which rule produced a bot turn: greeting, knowledge, dtmf, unrecognized, unrecognized-final, silence, silence-final, repeat, negative-feedback, complaining, end
  rule TEXT,
  create_time INTEGER NOT NULL
);
CREATE INDEX turns_by_conversation ON conversation_turns (instance_id, conversation_id, sequence);
CREATE TABLE export_tasks (
  task_id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  params_json TEXT NOT NULL,
  status TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  ready_time INTEGER NOT NULL,
  expire_time INTEGER NOT NULL,
  file_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content BLOB
);
CREATE TABLE recordings (
  instance_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  file_path TEXT NOT NULL,
  duration TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  type TEXT NOT NULL,
  voice_slice_json TEXT,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (instance_id, conversation_id)
);
-- replay protection shared by every process that opens the file
CREATE TABLE nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
  },
  {
    // nonces keyed by the nonce itself (no rowid table beside its index): a recorded nonce writes
    // one B-tree page instead of two, and a look-up searches one tree (bench/emulator)
    version: 2,
    sql: `
CREATE TABLE nonces_by_key (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO nonces_by_key (nonce, seen_at) SELECT nonce, seen_at FROM nonces;
DROP TABLE nonces;
ALTER TABLE nonces_by_key RENAME TO nonces;
`,
  },
  {
    // files uploaded through the form GenerateUploadUrl hands out (emulator/uploads.ts)
    version: 3,
    sql: `
CREATE TABLE uploads (
  object_key TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL DEFAULT '',
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  content BLOB NOT NULL,
  create_time INTEGER NOT NULL
);
`,
  },
  {
    // temporary keys the emulated STS issued (AssumeRole, AssumeRoleWithOIDC, the metadata
    // service), shared by every process that opens the file: a key issued by one is accepted by all
    version: 4,
    sql: `
CREATE TABLE sts_keys (
  access_key_id TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  security_token TEXT NOT NULL UNIQUE,
  role_arn TEXT NOT NULL,
  session_name TEXT NOT NULL,
  -- 'full' or 'readonly': the role's access, narrowed by a session policy
  policy TEXT NOT NULL,
  -- who assumed it: an access key id, an OIDC provider ARN, or 'ecs-metadata'
  source TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  expire_time INTEGER NOT NULL
);
CREATE INDEX sts_keys_by_expiry ON sts_keys (expire_time);
`,
  },
  {
    // the number of a conversation's last turn kept on the conversation: a turn reads it with the
    // conversation and writes it in the one UPDATE it makes anyway, instead of a max() over its
    // turns (bench/emulator, issue #25)
    version: 5,
    sql: `
ALTER TABLE conversations ADD COLUMN last_sequence INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET last_sequence = coalesce(
  (SELECT max(sequence) FROM conversation_turns t WHERE t.instance_id = conversations.instance_id AND t.conversation_id = conversations.conversation_id), 0);
`,
  },
];
