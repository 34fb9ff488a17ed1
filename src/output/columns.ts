import type { Column } from './render.js';

const yesNo = (v: unknown) => (v === true || v === 'true' ? 'yes' : v === false || v === 'false' ? 'no' : '');

/**
 * Default table columns per list field of the catalog (a command may pass its own). Fields not
 * listed here show every key of the rows.
 */
export const COLUMNS_BY_LIST_FIELD: Record<string, Column[]> = {
  Instances: [
    { key: 'InstanceId', header: 'ID' },
    { key: 'Name', header: 'NAME' },
    { key: 'Status', header: 'STATUS' },
    { key: 'Concurrency', header: 'CONCURRENCY' },
    { key: 'Description', header: 'DESCRIPTION' },
    { key: 'ModifyTime', header: 'MODIFIED' },
  ],
  Bots: [
    { key: 'InstanceId', header: 'CHATBOT ID' },
    { key: 'Name', header: 'NAME' },
    { key: 'LanguageCode', header: 'LANGUAGE' },
    { key: 'TimeZone', header: 'TIME ZONE' },
    { key: 'Introduction', header: 'INTRODUCTION' },
    { key: 'CreateTime', header: 'CREATED' },
  ],
  Conversations: [
    { key: 'ConversationId', header: 'CONVERSATION' },
    { key: 'CallingNumber', header: 'CALLING' },
    { key: 'BeginTime', header: 'BEGIN' },
    { key: 'EndTime', header: 'END' },
    { key: 'UserUtteranceCount', header: 'USER TURNS' },
    { key: 'EffectiveAnswerCount', header: 'ANSWERED' },
    { key: 'TransferredToAgent', header: 'TO AGENT', format: yesNo },
    { key: 'SkillGroupId', header: 'SKILL GROUP' },
  ],
  ConversationDetails: [
    { key: 'SequenceId', header: '#' },
    { key: 'CreateTime', header: 'TIME' },
    { key: 'Speaker', header: 'SPEAKER' },
    { key: 'Utterance', header: 'UTTERANCE' },
    { key: 'Action', header: 'ACTION' },
    { key: 'ActionParams', header: 'PARAMS' },
  ],
  StatisticalDataReports: [
    { key: 'StatisticalDate', header: 'PERIOD' },
    { key: 'TotalConversationNum', header: 'CONVERSATIONS' },
    { key: 'ResolvedQuestionNum', header: 'RESOLVED' },
    { key: 'KnowledgeHitRate', header: 'KNOWLEDGE HIT' },
    { key: 'DialoguePassRate', header: 'PASS' },
    { key: 'ResolutionRate', header: 'RESOLUTION' },
    { key: 'ValidAnswerRate', header: 'VALID ANSWER' },
  ],
  'DownloadTasks.List': [
    { key: 'TaskId', header: 'TASK' },
    { key: 'Title', header: 'TITLE' },
    { key: 'Status', header: 'STATUS' },
    { key: 'ExpireTime', header: 'EXPIRES' },
    {
      key: 'DownloadTaskFiles',
      header: 'FILES',
      format: (v) => (Array.isArray(v) ? v.map((f) => `${f.FileId} (${f.Status}, ${f.Progress}%)`).join(', ') : ''),
    },
  ],
};
