import { formatCell } from '../../output/format-value.js';
import type { Column } from '../../output/render.js';

/** The first of several spellings that holds a value (the seed and the SDK name some fields differently). */
function pick(row: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) {
    const v = row[k];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function duration(row: Record<string, unknown>): string {
  const begin = Number(pick(row, 'BeginTime', 'StartTime'));
  const end = Number(row.EndTime);
  if (!Number.isFinite(begin) || !Number.isFinite(end) || begin <= 0 || end < begin) return '';
  const s = Math.round((end - begin) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

function yesNo(v: unknown): string {
  if (v === undefined) return '';
  return v === true || v === 'true' ? 'yes' : 'no';
}

/**
 * Columns for QueryConversations and ListConversations. ListConversations items carry the SDK's
 * names (StartTime, Rounds, HasToAgent, SkillGroup) where the seed has BeginTime, UserUtteranceCount,
 * TransferredToAgent, SkillGroupId (see the spec's discrepancies), so each column reads either.
 */
export const CONVERSATION_COLUMNS: Column[] = [
  { key: 'ConversationId', header: 'CONVERSATION' },
  { key: 'CallingNumber', header: 'CALLING' },
  { key: 'BeginTime', header: 'BEGAN', format: (_v, row) => formatCell('BeginTime', pick(row, 'BeginTime', 'StartTime')) },
  { key: 'EndTime', header: 'DURATION', format: (_v, row) => duration(row) },
  { key: 'UserUtteranceCount', header: 'UTTERANCES', format: (_v, row) => formatCell('UserUtteranceCount', pick(row, 'UserUtteranceCount', 'Rounds')) },
  { key: 'EffectiveAnswerCount', header: 'ANSWERED' },
  { key: 'TransferredToAgent', header: 'TO AGENT', format: (_v, row) => yesNo(pick(row, 'TransferredToAgent', 'HasToAgent')) },
  { key: 'SkillGroupId', header: 'SKILL GROUP', format: (_v, row) => formatCell('SkillGroupId', pick(row, 'SkillGroupId', 'SkillGroup')) },
];
