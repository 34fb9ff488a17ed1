import { type Database, prepareAll, type Statement } from './database.js';

/** A row of `conversations` (the engine's state in state_json). */
export interface ConversationRow {
  instance_id: string;
  conversation_id: string;
  debug: number;
  sandbox: number;
  calling_number: string;
  called_number: string;
  begin_time: number;
  end_time: number | null;
  status: string;
  transferred_to_agent: number;
  skill_group_id: string;
  user_utterance_count: number;
  effective_answer_count: number;
  end_reason: number | null;
  state_json: string;
  /** The sequence number of its last turn (0 before the first). */
  last_sequence: number;
}

/** A row of `conversation_turns`. */
export interface TurnRow {
  id: number;
  instance_id: string;
  conversation_id: string;
  sequence: number;
  speaker: string;
  utterance: string;
  action: string | null;
  action_params: string | null;
  /** Which rule produced a bot turn (the column comment in migrations.ts); null for a caller's turn. */
  rule: string | null;
  create_time: number;
}

export type NewTurn = Omit<TurnRow, 'id'>;

export type NewConversation = Pick<
  ConversationRow,
  'instance_id' | 'conversation_id' | 'debug' | 'sandbox' | 'calling_number' | 'called_number' | 'begin_time' | 'state_json' | 'last_sequence'
>;

/**
 * What a dialogue turn reads, in one statement: the instance (always there when the row is), its
 * conversation (null columns when there is none), the instance's chatbot association and
 * navigation config, and the conversation's last turn number.
 */
export interface TurnContext {
  instance_id: string;
  conversation_id: string | null;
  debug: number | null;
  calling_number: string | null;
  called_number: string | null;
  status: string | null;
  state_json: string | null;
  associated_chatbot: string | null;
  /** The navigation config's text; null when there is none, or when it is the text the caller said it knows. */
  config_json: string | null;
  /** 1 when the stored config is the text the caller knows (config_json is then null: not read out again). */
  config_known: number | null;
  last_sequence: number | null;
}

/** How a turn changes its conversation; `end` when the turn ends it. */
export interface TurnChange {
  stateJson: string;
  /** 1 when the caller said or keyed something, 0 for a silence. */
  userTurns: number;
  /** 1 when the answer counts as effective. */
  effective: number;
  calling: string;
  called: string;
  /** The sequence number of the turn's last row (kept on the conversation for the next turn). */
  lastSequence: number;
  end?: { time: number; reason: number; transferredToAgent: number; skillGroupId: string };
}

/** What a conversation search filters on; an action leaves out the filters it does not have. */
export interface ConversationSearch {
  /** 1: debug conversations, 0: live ones. */
  debug: number;
  /** "true"/"false" in any case (the model's rule). */
  sandbox?: string;
  /** Part of the calling number; each * stands for one digit. */
  callingNumber?: string;
  /** Part of the conversation id or either number. */
  query?: string;
  beginFrom?: number;
  beginTo?: number;
  roundsFrom?: number;
  roundsTo?: number;
  /** EndReason (the SDK's 1..11 enum); 0 means any. */
  result?: number;
  abTestId?: string;
}

const TURN_COLUMNS = 'instance_id, conversation_id, sequence, speaker, utterance, action, action_params, rule, create_time';

const SQL = {
  find: 'SELECT * FROM conversations WHERE instance_id = ? AND conversation_id = ?',
  exists: 'SELECT 1 FROM conversations WHERE instance_id = ? AND conversation_id = ?',
  activeLive: "SELECT count(*) AS n FROM conversations WHERE instance_id = ? AND debug = 0 AND status = 'active'",
  begin: `INSERT INTO conversations (instance_id, conversation_id, debug, sandbox, calling_number, called_number, begin_time, status, state_json, last_sequence)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
  // one statement instead of five (instance, conversation, association, config, last sequence): bench/emulator.
  // The config's text (a kilobyte or more) is compared here with the one the caller knows, and read
  // out only when it differs: turning it into a JavaScript string on every turn cost more than the rest of the row.
  turnContext: `SELECT i.instance_id AS instance_id, c.conversation_id AS conversation_id, c.debug AS debug, c.calling_number AS calling_number,
      c.called_number AS called_number, c.status AS status, c.state_json AS state_json,
      (SELECT chatbot_instance_id FROM chatbot_associations WHERE instance_id = i.instance_id) AS associated_chatbot,
      CASE WHEN n.config_json = @known THEN NULL ELSE n.config_json END AS config_json,
      n.config_json = @known AS config_known,
      c.last_sequence AS last_sequence
    FROM instances i LEFT JOIN conversations c ON c.instance_id = i.instance_id AND c.conversation_id = @conversation
      LEFT JOIN navigation_configs n ON n.instance_id = i.instance_id
    WHERE i.instance_id = @instance`,
  appendTurn: `INSERT INTO conversation_turns (${TURN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  appendTurnPair: `INSERT INTO conversation_turns (${TURN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  afterTurn: `UPDATE conversations SET state_json = ?, user_utterance_count = user_utterance_count + ?, effective_answer_count = effective_answer_count + ?,
       calling_number = ?, called_number = ?, last_sequence = ?
     WHERE instance_id = ? AND conversation_id = ?`,
  endingTurn: `UPDATE conversations SET state_json = ?, user_utterance_count = user_utterance_count + ?, effective_answer_count = effective_answer_count + ?,
       calling_number = ?, called_number = ?, last_sequence = ?, status = 'ended', end_time = ?, end_reason = ?, transferred_to_agent = ?, skill_group_id = ?
     WHERE instance_id = ? AND conversation_id = ?`,
  // ending an ended conversation (after a transfer, the gateway still hangs up) keeps its first end
  end: `UPDATE conversations SET state_json = ?,
       end_time = CASE WHEN status = 'active' THEN ? ELSE end_time END,
       end_reason = CASE WHEN status = 'active' THEN ? ELSE end_reason END,
       status = 'ended'
     WHERE instance_id = ? AND conversation_id = ?`,
  turns: 'SELECT * FROM conversation_turns WHERE instance_id = ? AND conversation_id = ? ORDER BY sequence, id',
  // the inspector's (inspect/routes.ts): the newest conversations of every instance, or one by its id
  recent: 'SELECT * FROM conversations ORDER BY begin_time DESC, instance_id, conversation_id LIMIT ?',
  withId: 'SELECT * FROM conversations WHERE conversation_id = ? ORDER BY begin_time DESC, instance_id LIMIT ?',
};

const likeContains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The `conversations` aggregate with its `conversation_turns`. */
export class Conversations {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(private readonly db: Database) {
    this.st = prepareAll(db, SQL);
  }

  find(instanceId: string, conversationId: string): ConversationRow | undefined {
    return this.st.find.get(instanceId, conversationId) as ConversationRow | undefined;
  }

  exists(instanceId: string, conversationId: string): boolean {
    return this.st.exists.get(instanceId, conversationId) !== undefined;
  }

  /** How many live conversations of the instance are active (its concurrency in use). */
  activeLive(instanceId: string): number {
    return (this.st.activeLive.get(instanceId) as { n: number }).n;
  }

  /** A new active conversation. */
  begin(c: NewConversation): void {
    this.st.begin.run(c.instance_id, c.conversation_id, c.debug, c.sandbox, c.calling_number, c.called_number, c.begin_time, c.state_json, c.last_sequence);
  }

  /**
   * Everything a turn reads (TurnContext); undefined when the instance does not exist. `knownConfig`
   * is a navigation config text the caller has: when the stored one is the same, it is not read out
   * (config_known is 1, config_json null).
   */
  turnContext(instanceId: string, conversationId: string | null, knownConfig: string | null = null): TurnContext | undefined {
    return this.st.turnContext.get({ instance: instanceId, conversation: conversationId, known: knownConfig }) as TurnContext | undefined;
  }

  appendTurn(t: NewTurn): void {
    this.st.appendTurn.run(t.instance_id, t.conversation_id, t.sequence, t.speaker, t.utterance, t.action, t.action_params, t.rule, t.create_time);
  }

  /** Two turns in one statement (a caller's turn and its answer); the first gets the lower id. */
  appendTurnPair(a: NewTurn, b: NewTurn): void {
    this.st.appendTurnPair.run(
      a.instance_id,
      a.conversation_id,
      a.sequence,
      a.speaker,
      a.utterance,
      a.action,
      a.action_params,
      a.rule,
      a.create_time,
      b.instance_id,
      b.conversation_id,
      b.sequence,
      b.speaker,
      b.utterance,
      b.action,
      b.action_params,
      b.rule,
      b.create_time,
    );
  }

  /** Records what a turn did to its conversation (its state, counters, numbers, and its end when it ended it). */
  afterTurn(instanceId: string, conversationId: string, c: TurnChange): void {
    if (c.end) {
      this.st.endingTurn.run(
        c.stateJson,
        c.userTurns,
        c.effective,
        c.calling,
        c.called,
        c.lastSequence,
        c.end.time,
        c.end.reason,
        c.end.transferredToAgent,
        c.end.skillGroupId,
        instanceId,
        conversationId,
      );
    } else {
      this.st.afterTurn.run(c.stateJson, c.userTurns, c.effective, c.calling, c.called, c.lastSequence, instanceId, conversationId);
    }
  }

  /** Ends the conversation (EndDialogue); one already ended keeps its first end time and reason. */
  end(instanceId: string, conversationId: string, stateJson: string, now: number, reason: number): void {
    this.st.end.run(stateJson, now, reason, instanceId, conversationId);
  }

  /** The conversation's turns in order (sequence, then id: a caller's turn before its answer). */
  turns(instanceId: string, conversationId: string): TurnRow[] {
    return this.st.turns.all(instanceId, conversationId) as TurnRow[];
  }

  /** The newest conversations of every instance (the inspector's timeline), or those with one id. */
  recent(limit: number, conversationId?: string): ConversationRow[] {
    return (conversationId === undefined ? this.st.recent.all(limit) : this.st.withId.all(conversationId, limit)) as ConversationRow[];
  }

  /** The instance's conversations that match, newest first (one page when `page` is given). */
  search(instanceId: string, s: ConversationSearch, page?: { limit: number; offset: number }): ConversationRow[] {
    const { clause, args } = searchFilter(instanceId, s);
    const limit = page ? ' LIMIT ? OFFSET ?' : '';
    return this.db
      .prepare(`SELECT * FROM conversations ${clause} ORDER BY begin_time DESC, conversation_id${limit}`)
      .all(...args, ...(page ? [page.limit, page.offset] : [])) as ConversationRow[];
  }

  count(instanceId: string, s: ConversationSearch): number {
    const { clause, args } = searchFilter(instanceId, s);
    return (this.db.prepare(`SELECT count(*) AS n FROM conversations ${clause}`).get(...args) as { n: number }).n;
  }
}

/** The WHERE clause for a conversation search of one instance. */
function searchFilter(instanceId: string, s: ConversationSearch): { clause: string; args: unknown[] } {
  const where = ['instance_id = ?', 'debug = ?'];
  const args: unknown[] = [instanceId, s.debug];
  if (s.sandbox) {
    where.push('sandbox = ?');
    args.push(s.sandbox.toLowerCase() === 'true' ? 1 : 0);
  }
  if (s.callingNumber) {
    // the SDK's example is a masked number ("138106*****"): each * stands for one digit
    where.push("calling_number LIKE ? ESCAPE '\\'");
    args.push(likeContains(s.callingNumber).replace(/\*/g, '_'));
  }
  if (s.query) {
    where.push("(conversation_id LIKE ? ESCAPE '\\' OR calling_number LIKE ? ESCAPE '\\' OR called_number LIKE ? ESCAPE '\\')");
    const pattern = likeContains(s.query);
    args.push(pattern, pattern, pattern);
  }
  for (const [v, sql] of [
    [s.beginFrom, 'begin_time >= ?'],
    [s.beginTo, 'begin_time <= ?'],
    [s.roundsFrom, 'user_utterance_count >= ?'],
    [s.roundsTo, 'user_utterance_count <= ?'],
  ] as const) {
    if (v !== undefined) {
      where.push(sql);
      args.push(v);
    }
  }
  // Result filters on EndReason; 0, the SDK's example, means any
  if (s.result) {
    where.push('end_reason = ?');
    args.push(s.result);
  }
  // the emulator runs no A/B tests, so no conversation belongs to one
  if (s.abTestId) where.push('0');
  return { clause: `WHERE ${where.join(' AND ')}`, args };
}
