import { formatCell } from './format-value.js';
import type { Column } from './types.js';

const yesNo = (v: unknown) => (v === true || v === 'true' ? 'yes' : v === false || v === 'false' ? 'no' : '');

interface TaskFile {
  FileId?: string;
  Status?: string;
  Progress?: number;
}

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

/** What a rate means in a period without conversations: nothing to measure, shown "—", not 0.00%. */
export const NO_RATE = '—';

/** A rate cell of a statistics period: "—" when the period had no conversations. */
export function rateOfPeriod(v: unknown, row: Record<string, unknown>): string {
  if (Number(row.TotalConversationNum ?? 0) === 0) return NO_RATE;
  return formatCell('', v);
}

/**
 * Default table columns per list field of the catalog (a command may pass its own). Fields not
 * listed here show every key of the rows.
 */
export const COLUMNS_BY_LIST_FIELD: Record<string, Column[]> = {
  Instances: [
    { key: 'InstanceId', header: 'ID' },
    { key: 'Name', header: 'NAME', flex: true, name: true },
    { key: 'Status', header: 'STATUS' },
    { key: 'Concurrency', header: 'CONCURRENCY' },
    { key: 'Description', header: 'DESCRIPTION', flex: true },
    { key: 'ModifyTime', header: 'MODIFIED', optional: true },
  ],
  Bots: [
    { key: 'InstanceId', header: 'CHATBOT ID' },
    { key: 'Name', header: 'NAME', flex: true, name: true },
    { key: 'LanguageCode', header: 'LANGUAGE' },
    { key: 'TimeZone', header: 'TIME ZONE', optional: true },
    { key: 'Introduction', header: 'INTRODUCTION', flex: true },
    { key: 'CreateTime', header: 'CREATED', optional: true },
  ],
  // QueryConversations (seed names) and ListConversations (the SDK's: StartTime, Rounds, HasToAgent,
  // SkillGroup — see the spec's discrepancies): each column reads either spelling
  Conversations: [
    { key: 'ConversationId', header: 'CONVERSATION' },
    { key: 'CallingNumber', header: 'CALLING' },
    { key: 'BeginTime', header: 'BEGAN', format: (_v, row) => formatCell('BeginTime', pick(row, 'BeginTime', 'StartTime')) },
    { key: 'EndTime', header: 'DURATION', format: (_v, row) => duration(row) },
    { key: 'UserUtteranceCount', header: 'UTTERANCES', format: (_v, row) => formatCell('UserUtteranceCount', pick(row, 'UserUtteranceCount', 'Rounds')) },
    { key: 'EffectiveAnswerCount', header: 'ANSWERED' },
    { key: 'TransferredToAgent', header: 'TO AGENT', format: (_v, row) => yesNo(pick(row, 'TransferredToAgent', 'HasToAgent')) },
    { key: 'SkillGroupId', header: 'SKILL GROUP', format: (_v, row) => formatCell('SkillGroupId', pick(row, 'SkillGroupId', 'SkillGroup')) },
  ],
  ConversationDetails: [
    { key: 'SequenceId', header: '#' },
    { key: 'CreateTime', header: 'TIME' },
    { key: 'Speaker', header: 'SPEAKER' },
    { key: 'Utterance', header: 'UTTERANCE', flex: true },
    { key: 'Action', header: 'ACTION' },
    { key: 'ActionParams', header: 'PARAMS', flex: true },
  ],
  // the order of the `stats summary` table, which shows these same columns
  StatisticalDataReports: [
    // the service's periods are UTC days and hours: a UTC day has no local equivalent, so it is labelled, not converted
    { key: 'StatisticalDate', header: 'PERIOD (UTC)' },
    { key: 'TotalConversationNum', header: 'CONVERSATIONS' },
    { key: 'ResolvedQuestionNum', header: 'RESOLVED' },
    { key: 'KnowledgeHitRate', header: 'KNOWLEDGE HIT', format: rateOfPeriod },
    { key: 'ValidAnswerRate', header: 'VALID ANSWER', format: rateOfPeriod },
    { key: 'ResolutionRate', header: 'RESOLUTION', format: rateOfPeriod },
    { key: 'DialoguePassRate', header: 'DIALOGUE PASS', format: rateOfPeriod },
  ],
  'DownloadTasks.List': [
    { key: 'TaskId', header: 'TASK' },
    { key: 'Title', header: 'TITLE', flex: true, name: true },
    { key: 'Status', header: 'STATUS' },
    { key: 'ExpireTime', header: 'EXPIRES' },
    {
      key: 'DownloadTaskFiles',
      header: 'FILES (ID STATUS PROGRESS)',
      format: (v) =>
        Array.isArray(v)
          ? (v as TaskFile[]).map((f) => `${f.FileId ?? ''} ${f.Status ?? ''}${f.Progress !== undefined ? ` ${f.Progress}%` : ''}`.trim()).join(', ')
          : '',
    },
  ],
};
