import type { Database } from './database.js';

/** One conversation as DescribeStatisticalData counts it: its begin time, transfer, and how many of its bot turns were of each kind. */
export interface ConversationTally {
  begin_time: number;
  transferred_to_agent: number;
  user_turns: number;
  hits: number;
  valid: number;
}

/** Which bot-turn rules (conversation_turns.rule) count as an answer, a knowledge hit, a valid answer. */
export interface TallyRules {
  answer: readonly string[];
  hit: readonly string[];
  valid: readonly string[];
}

const inList = (rules: readonly string[]) => rules.map((r) => `'${r.replace(/'/g, "''")}'`).join(',');

/** The statistics queries over `conversations` and `conversation_turns` (the arithmetic is emulator/statistics.ts'). */
export class StatisticsQueries {
  constructor(private readonly db: Database) {}

  /** Live conversations (debug = 0) of the instance whose begin time lies in [from, to], each tallied. */
  tallies(instanceId: string, from: number, to: number, rules: TallyRules): ConversationTally[] {
    return this.db
      .prepare(
        `SELECT c.begin_time, c.transferred_to_agent,
                count(CASE WHEN t.rule IN (${inList(rules.answer)}) THEN 1 END) AS user_turns,
                count(CASE WHEN t.rule IN (${inList(rules.hit)}) THEN 1 END) AS hits,
                count(CASE WHEN t.rule IN (${inList(rules.valid)}) THEN 1 END) AS valid
           FROM conversations c
           LEFT JOIN conversation_turns t ON t.instance_id = c.instance_id AND t.conversation_id = c.conversation_id
          WHERE c.instance_id = ? AND c.debug = 0 AND c.begin_time BETWEEN ? AND ?
          GROUP BY c.conversation_id`,
      )
      .all(instanceId, from, to) as ConversationTally[];
  }
}
