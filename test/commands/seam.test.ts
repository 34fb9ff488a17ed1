import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUPS, TOP_VERBS } from '../../src/commands/registry.js';
import { action, apiError, HttpMock, json, type Matcher, type Responder, route, status } from '../helpers/httpmock.js';
import { runVn } from '../helpers/run.js';

/**
 * Every command, run in process on the HTTP seam (test/helpers/httpmock.ts): no process spawned,
 * no emulator. Each case registers the answers its requests need, and checks the requests sent
 * (action and key parameters, in order), the output and the exit code; httpmock.verify() then
 * fails on an answer never asked for or a request nobody expected.
 *
 * Commands that never call the API are exempt (EXEMPT below): `configure *` (the profile store;
 * test/config), `completion` (prints a script; test/completion), `emulator start` (serves the API;
 * test/emulator) and `dialogue merge` (merges report files; test/dialogue).
 */

const dir = mkdtempSync(join(tmpdir(), 'vn-seam-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK-SEAM',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'seam-secret-value-1',
  VN_ENDPOINT: 'https://vn.test',
  VN_CONFIG_DIR: join(dir, 'config'),
  VN_RETRY_BASE_MS: '0',
};

const I = '3f6e0c55-0b5c-4b8e-9a53-5d3f2c1e8a01';
const C = 'conv-1';

type Stub = [Matcher, Responder, { times?: number }?];

interface Case {
  /** The command as the registry names it (`instance list`), so the coverage check below can find it. */
  command: string;
  argv: string[];
  stubs: Stub[];
  /** [action, parameters that must be there with these values], in the order sent. */
  sent: [string, Record<string, string | RegExp>?][];
  code?: number;
  stdout?: RegExp | ((out: string) => void);
  stderr?: RegExp;
  stdin?: string;
  /** The requests go out side by side: compare them as a set. */
  unordered?: boolean;
}

const turn = (text: string, extra: Record<string, unknown> = {}) => json({ TextResponse: text, Action: 'Broadcast', Interruptible: true, ...extra });
const navConfig = json({
  GreetingConfig: { GreetingWords: 'hello', IntentTrigger: '', SourceType: 'chatbotIntent' },
  SilenceTimeoutConfig: {
    Prompt: 'still there?',
    Timeout: 5,
    Threshold: 3,
    FinalPrompt: 'bye',
    FinalAction: 'HangUp',
    FinalActionParams: '{}',
    IntentTrigger: '',
    SourceType: 'chatbotIntent',
  },
  UnrecognizingConfig: { Prompt: 'again?', Threshold: 3, FinalPrompt: 'bye', FinalAction: 'HangUp', FinalActionParams: '{}' },
});
const instance = { InstanceId: I, Name: 'hotline', Description: 'main', Concurrency: 5, Status: 'PUBLISHED', ModifyTime: 1700000000000, ModifyUserName: 'x' };

/** What the manifest commands read of the live instance (the file below names it by name). */
function liveReads(): Stub[] {
  // the file has a tts section only: only that section is read
  return [
    [action('ListInstances', { PageNumber: '1' }), json({ Instances: [instance], TotalCount: 1, PageNumber: 1, PageSize: 50 })],
    [action('DescribeTTSConfig', { InstanceId: I }), json({ Voice: 'xiaoyun', SpeechRate: 0, Volume: 50, PitchRate: 0 })],
  ];
}

const SNAPSHOT = { format: 'vn-emulator-snapshot', formatVersion: 1, schemaVersion: 1, vnVersion: 'x', createdAt: '2026-01-01T00:00:00.000Z', tables: {} };

const CASES: Case[] = [
  // —— instance ——
  {
    command: 'instance list',
    argv: ['instance', 'list', '-o', 'json', '--name', 'hot'],
    stubs: [
      [action('ListInstances', { Name: 'hot', PageNumber: '1', PageSize: '10' }), json({ Instances: [instance], TotalCount: 1, PageNumber: 1, PageSize: 10 })],
    ],
    sent: [['ListInstances', { Name: 'hot' }]],
    stdout: (o) => expect(JSON.parse(o).Instances[0].InstanceId).toBe(I),
  },
  {
    command: 'instance list',
    argv: ['instance', 'list', '--all', '--page-size', '2', '-o', 'json', '--query', 'Instances[].InstanceId'],
    stubs: [
      [
        action('ListInstances', { PageNumber: '1' }),
        json({ Instances: [instance, { ...instance, InstanceId: 'inst-2' }], TotalCount: 3, PageNumber: 1, PageSize: 2 }),
      ],
      [action('ListInstances', { PageNumber: '2' }), json({ Instances: [{ ...instance, InstanceId: 'inst-3' }], TotalCount: 3, PageNumber: 2, PageSize: 2 })],
    ],
    sent: [
      ['ListInstances', { PageNumber: '1', PageSize: '2' }],
      ['ListInstances', { PageNumber: '2', PageSize: '2' }],
    ],
    stdout: new RegExp(`^\\["${I}","inst-2","inst-3"\\]\\n$`),
  },
  {
    command: 'instance describe',
    argv: ['instance', 'describe', I, '-o', 'json'],
    stubs: [[action('DescribeInstance', { InstanceId: I }), json(instance)]],
    sent: [['DescribeInstance', { InstanceId: I }]],
    stdout: /"Name":"hotline"/,
  },
  {
    command: 'instance describe',
    argv: ['instance', 'describe', I],
    stubs: [[action('DescribeInstance'), apiError('Forbidden.NotAuthorized', 'not yours', 403)]],
    sent: [['DescribeInstance']],
    code: 1,
    stderr: /Forbidden\.NotAuthorized.*not yours.*REQ-ERR/,
  },
  {
    command: 'instance create',
    argv: ['instance', 'create', '--name', '客服', '--concurrency', '10', '-o', 'table'],
    stubs: [[action('CreateInstance', { Name: '客服', Concurrency: '10' }), json({ InstanceId: 'new-1' })]],
    sent: [['CreateInstance', { Name: '客服', Concurrency: '10' }]],
    stdout: /created instance new-1/,
  },
  {
    command: 'instance modify',
    argv: ['instance', 'modify', I, '--concurrency', '20', '-o', 'table'],
    stubs: [
      [action('DescribeInstance', { InstanceId: I }), json(instance)],
      [action('ModifyInstance', { InstanceId: I, Concurrency: '20', Name: 'hotline', Description: 'main' }), json({ Instance: instance })],
    ],
    sent: [['DescribeInstance'], ['ModifyInstance', { Concurrency: '20', Name: 'hotline' }]],
    stdout: new RegExp(`modified instance ${I}`),
  },
  {
    command: 'instance delete',
    argv: ['instance', 'delete', I, '--yes', '-o', 'table'],
    stubs: [[action('DeleteInstance', { InstanceId: I }), json({})]],
    sent: [['DeleteInstance', { InstanceId: I }]],
    stdout: new RegExp(`deleted instance ${I}`),
  },
  {
    command: 'instance delete',
    argv: ['instance', 'delete', I],
    stubs: [],
    sent: [],
    code: 2,
    stderr: /--yes/,
  },
  {
    command: 'instance enable',
    argv: ['instance', 'enable', I, '-o', 'table'],
    stubs: [[action('EnableInstance', { InstanceId: I }), json({})]],
    sent: [['EnableInstance']],
    stdout: new RegExp(`enabled instance ${I}`),
  },
  {
    command: 'instance disable',
    argv: ['instance', 'disable', I, '-o', 'table'],
    stubs: [[action('DisableInstance', { InstanceId: I }), json({})]],
    sent: [['DisableInstance']],
    stdout: new RegExp(`disabled instance ${I}`),
  },
  {
    command: 'instance associate-chatbot',
    argv: ['instance', 'associate-chatbot', I, '--chatbot-id', 'bot-1', '--chatbot-name', 'Bot', '-o', 'table'],
    stubs: [[action('AssociateChatbotInstance', { InstanceId: I, ChatbotInstanceId: 'bot-1', ChatbotName: 'Bot' }), json({})]],
    sent: [['AssociateChatbotInstance', { ChatbotInstanceId: 'bot-1' }]],
    stdout: new RegExp(`associated chatbot bot-1 with instance ${I}`),
  },
  {
    command: 'instance chatbots',
    argv: ['instance', 'chatbots', '-o', 'tsv', '--query', 'Bots[].InstanceId'],
    stubs: [[action('ListChatbotInstances', { PageNumber: '1', PageSize: '10' }), json({ Bots: [{ InstanceId: 'bot-1', Name: 'Bot' }], TotalCount: 1 })]],
    sent: [['ListChatbotInstances']],
    stdout: /^bot-1\n$/,
  },
  {
    command: 'instance concurrency',
    argv: ['instance', 'concurrency', I, '-o', 'json'],
    stubs: [[action('GetRealTimeConcurrency', { InstanceId: I }), json({ RealTimeConcurrency: 2, MaxConcurrency: 5, Timestamp: 1700000000000 })]],
    sent: [['GetRealTimeConcurrency']],
    stdout: /"MaxConcurrency":5/,
  },
  {
    command: 'instance export',
    argv: ['instance', 'export', I, '-o', 'json'],
    stubs: [
      [action('DescribeInstance', { InstanceId: I }), json(instance)],
      [action('DescribeTTSConfig', { InstanceId: I }), json({ Voice: 'xiaoyun', SpeechRate: 0, Volume: 50, PitchRate: 0 })],
      [action('DescribeNavigationConfig', { InstanceId: I }), navConfig],
      [action('GetAsrConfig', { EntryId: I }), json({ Success: true, Code: 'OK', Data: { AsrEngine: 'ali' } })],
    ],
    sent: [['DescribeInstance'], ['DescribeTTSConfig'], ['DescribeNavigationConfig'], ['GetAsrConfig']],
    stdout: /"hotline"/,
  },
  // —— tts ——
  {
    command: 'tts get',
    argv: ['tts', 'get', I, '-o', 'json'],
    stubs: [[action('DescribeTTSConfig', { InstanceId: I }), json({ Voice: 'xiaoyun', SpeechRate: 0, Volume: 50 })]],
    sent: [['DescribeTTSConfig']],
    stdout: /"Voice":"xiaoyun"/,
  },
  {
    command: 'tts set',
    argv: ['tts', 'set', I, '--voice', 'aixia', '--volume', '80', '-o', 'table'],
    stubs: [
      [action('DescribeTTSConfig', { InstanceId: I }), json({ Voice: 'xiaoyun', SpeechRate: 0, Volume: 50 })],
      [action('ModifyTTSConfig', { InstanceId: I, Voice: 'aixia', Volume: '80' }), json({})],
    ],
    sent: [['DescribeTTSConfig'], ['ModifyTTSConfig', { Voice: 'aixia' }]],
    stdout: new RegExp(`changed the TTS config of instance ${I}`),
    stderr: /^tts\.voice xiaoyun → aixia\ntts\.volume 50 → 80\n$/,
  },
  {
    command: 'tts set',
    argv: ['tts', 'set', I],
    stubs: [],
    sent: [],
    code: 2,
    stderr: /nothing to change/,
  },
  {
    command: 'tts audition',
    argv: ['tts', 'audition', I, '--text', '您好', '--voice', 'aixia'],
    stubs: [
      [action('DescribeTTSConfig'), json({ Voice: 'xiaoyun', SpeechRate: 10, Volume: 50 })],
      [
        action('AuditTTSVoice', { InstanceId: I, Text: '您好', Voice: 'aixia', SpeechRate: '10', Volume: '50' }),
        json({ AuditionUrl: 'https://oss.test/a.wav' }),
      ],
    ],
    sent: [['DescribeTTSConfig'], ['AuditTTSVoice', { Voice: 'aixia' }]],
    stdout: /https:\/\/oss\.test\/a\.wav/,
  },
  // —— ivr ——
  {
    command: 'ivr get',
    argv: ['ivr', 'get', I, '-o', 'json', '--query', 'GreetingConfig.GreetingWords'],
    stubs: [[action('DescribeNavigationConfig', { InstanceId: I }), navConfig]],
    sent: [['DescribeNavigationConfig']],
    stdout: /^"hello"\n$/,
  },
  {
    command: 'ivr set-greeting',
    argv: ['ivr', 'set-greeting', I, '--words', '欢迎', '-o', 'table'],
    stubs: [
      [action('DescribeNavigationConfig'), navConfig],
      [action('ModifyGreetingConfig', { InstanceId: I, GreetingWords: '欢迎', SourceType: 'chatbotIntent' }), json({})],
    ],
    sent: [['DescribeNavigationConfig'], ['ModifyGreetingConfig']],
    stdout: new RegExp(`changed the greeting of instance ${I}`),
  },
  {
    command: 'ivr set-silence-timeout',
    argv: ['ivr', 'set-silence-timeout', I, '--timeout', '8', '-o', 'table'],
    stubs: [
      [action('DescribeNavigationConfig'), navConfig],
      [action('ModifySilenceTimeoutConfig', { InstanceId: I, Timeout: '8', Prompt: 'still there?', Threshold: '3', FinalAction: 'HangUp' }), json({})],
    ],
    sent: [['DescribeNavigationConfig'], ['ModifySilenceTimeoutConfig', { Timeout: '8' }]],
    stdout: new RegExp(`changed the silence-timeout config of instance ${I}`),
  },
  {
    command: 'ivr set-unrecognizing',
    argv: ['ivr', 'set-unrecognizing', I, '--prompt', '请再说一遍', '-o', 'table'],
    stubs: [
      [action('DescribeNavigationConfig'), navConfig],
      [action('ModifyUnrecognizingConfig', { InstanceId: I, Prompt: '请再说一遍', Threshold: '3', FinalPrompt: 'bye' }), json({})],
    ],
    sent: [['DescribeNavigationConfig'], ['ModifyUnrecognizingConfig']],
    stdout: new RegExp(I),
  },
  {
    command: 'ivr asr get',
    argv: ['ivr', 'asr', 'get', I, '-o', 'json'],
    stubs: [[action('GetAsrConfig', { ConfigLevel: '2', EntryId: I }), json({ Success: true, Code: 'OK', Data: { AsrEngine: 'ali' } })]],
    sent: [['GetAsrConfig', { ConfigLevel: '2' }]],
    stdout: /"AsrEngine":"ali"/,
  },
  {
    command: 'ivr asr set',
    argv: ['ivr', 'asr', 'set', '--engine', 'ali', '-o', 'table'],
    stubs: [[action('ModifyAsrConfig', { Engine: 'ali' }), json({ Success: true, Code: 'OK' })]],
    sent: [['ModifyAsrConfig', { Engine: 'ali' }]],
    stdout: /changed the ASR config of the system default/,
  },
  // —— dialogue ——
  {
    command: 'dialogue begin',
    argv: ['dialogue', 'begin', I, '--conversation-id', C, '-o', 'json'],
    stubs: [[action('DebugBeginDialogue', { InstanceId: I, ConversationId: C, CallingNumber: /.+/ }), turn('欢迎致电')]],
    sent: [['DebugBeginDialogue', { ConversationId: C }]],
    stdout: /欢迎致电/,
  },
  {
    command: 'dialogue begin',
    argv: ['dialogue', 'begin', I, '--conversation-id', C, '--env', 'live', '-o', 'json'],
    stubs: [[action('BeginDialogue', { InstanceId: I, ConversationId: C }), turn('live hello')]],
    sent: [['BeginDialogue']],
    stdout: /live hello/,
  },
  {
    command: 'dialogue say',
    argv: ['dialogue', 'say', I, C, '我想查余额', '-o', 'json'],
    stubs: [[action('DebugDialogue', { InstanceId: I, ConversationId: C, Utterance: '我想查余额' }), turn('您的余额')]],
    sent: [['DebugDialogue', { Utterance: '我想查余额' }]],
    stdout: /您的余额/,
  },
  {
    command: 'dialogue dtmf',
    argv: ['dialogue', 'dtmf', I, C, '1#', '-o', 'json'],
    stubs: [[action('DebugCollectedNumber', { InstanceId: I, ConversationId: C, Number: '1#' }), turn('您选择了1')]],
    sent: [['DebugCollectedNumber', { Number: '1#' }]],
    stdout: /您选择了1/,
  },
  {
    command: 'dialogue dtmf',
    argv: ['dialogue', 'dtmf', I, C, '12a'],
    stubs: [],
    sent: [],
    code: 2,
    stderr: /<digits> must be keypad digits \(0-9, \*, #\), got "12a"/,
  },
  {
    command: 'dialogue silence',
    argv: ['dialogue', 'silence', I, C, '-o', 'json'],
    stubs: [[action('SilenceTimeout', { InstanceId: I, ConversationId: C }), turn('您还在吗')]],
    sent: [['SilenceTimeout']],
    stdout: /您还在吗/,
  },
  {
    command: 'dialogue end',
    argv: ['dialogue', 'end', I, C, '-o', 'table'],
    stubs: [[action('EndDialogue', { InstanceId: I, ConversationId: C }), json({})]],
    sent: [['EndDialogue']],
    stdout: /ended conversation conv-1/,
  },
  {
    command: 'dialogue context',
    argv: ['dialogue', 'context', I, C, '-o', 'json'],
    stubs: [[action('DescribeConversationContext', { InstanceId: I, ConversationId: C }), json({ ConversationContext: '{"vip":true}' })]],
    sent: [['DescribeConversationContext']],
    stdout: /vip/,
  },
  {
    command: 'dialogue chat',
    argv: ['dialogue', 'chat', I],
    stdin: '我想查余额\n',
    stubs: [
      [action('DebugBeginDialogue', { InstanceId: I }), turn('欢迎')],
      [action('DebugDialogue', { Utterance: '我想查余额' }), turn('余额100')],
      [action('EndDialogue'), json({})],
    ],
    sent: [['DebugBeginDialogue'], ['DebugDialogue'], ['EndDialogue']],
    stdout: (o) => {
      const lines = o.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(o).toContain('欢迎');
      expect(o).toContain('余额100');
    },
  },
  // —— stats ——
  {
    command: 'stats summary',
    argv: ['stats', 'summary', I, '--time-unit', 'hour', '--from', '2024-03-01T00:00Z', '--to', '2024-03-01T02:00Z', '-o', 'json'],
    stubs: [
      [action('DescribeStatisticalData', { InstanceId: I, TimeUnit: 'Hour', BeginTimeLeftRange: '1709251200000' }), json({ ConversationStatistics: [] })],
    ],
    sent: [['DescribeStatisticalData', { TimeUnit: 'Hour', BeginTimeRightRange: '1709258400000' }]],
    stdout: /ConversationStatistics/,
  },
  {
    command: 'top',
    argv: ['top', I, '--once', '--max-transfer-rate', '0.2'],
    stubs: [
      [action('ListInstances', { PageNumber: '1' }), json({ Instances: [instance], TotalCount: 1, PageNumber: 1, PageSize: 100 })],
      [action('GetRealTimeConcurrency', { InstanceId: I }), json({ RealTimeConcurrency: 2, MaxConcurrency: 5, Timestamp: 1700000000000 })],
      [
        action('DescribeStatisticalData', { InstanceId: I, TimeUnit: 'Hour' }),
        json({ ConversationTotalNum: 4, TotalDialoguePassRate: '75.00%', TotalValidAnswerRate: '90.00%', StatisticalDataReports: [] }),
      ],
      [
        action('ListConversations', { InstanceId: I, PageNumber: '1' }),
        json({
          Conversations: [
            { ConversationId: 'a', StartTime: Date.now() - 60_000, EndTime: Date.now(), HasToAgent: true, EndReason: 2, Rounds: 2 },
            { ConversationId: 'b', StartTime: Date.now() - 60_000, EndTime: Date.now(), HasToAgent: false, EndReason: 5, Rounds: 3 },
          ],
          TotalCount: 2,
          PageNumber: 1,
          PageSize: 100,
        }),
      ],
    ],
    sent: [['ListInstances'], ['GetRealTimeConcurrency'], ['DescribeStatisticalData'], ['ListConversations']],
    unordered: true,
    code: 12,
    stdout: /concurrency 2\/5 · conversations 4 · transfer 25\.00% · hang-up 50\.00% · unrecognized 10\.00%/,
    stderr: /transfer 25\.00% is over --max-transfer-rate 20\.00%/,
  },
  {
    command: 'stats query',
    argv: ['stats', 'query', I, '--calling-number', '13800000000', '-o', 'json'],
    stubs: [[action('QueryConversations', { InstanceId: I, CallingNumber: '13800000000' }), json({ Conversations: [{ ConversationId: C }], TotalCount: 1 })]],
    sent: [['QueryConversations', { CallingNumber: '13800000000' }]],
    stdout: /conv-1/,
  },
  {
    command: 'stats conversations',
    argv: ['stats', 'conversations', I, '-o', 'json'],
    stubs: [[action('ListConversations', { InstanceId: I, PageNumber: '1' }), json({ Conversations: [{ ConversationId: C }], TotalCount: 1 })]],
    sent: [['ListConversations']],
    stdout: /conv-1/,
  },
  {
    command: 'stats conversation',
    argv: ['stats', 'conversation', I, C, '-o', 'json'],
    stubs: [[action('DescribeConversation', { InstanceId: I, ConversationId: C }), json({ ConversationId: C, CallingNumber: '138' })]],
    sent: [['DescribeConversation']],
    stdout: /"CallingNumber":"138"/,
  },
  {
    command: 'stats transcript',
    argv: ['stats', 'transcript', I, C, '-o', 'json'],
    stubs: [[action('ListConversationDetails', { InstanceId: I, ConversationId: C }), json({ ConversationDetails: [{ Speaker: 'Robot', Utterance: 'hi' }] })]],
    sent: [['ListConversationDetails']],
    stdout: /"Utterance":"hi"/,
  },
  // —— export ——
  {
    command: 'export conversations',
    argv: ['export', 'conversations', I, '-o', 'table'],
    stubs: [[action('ExportConversationDetails', { InstanceId: I }), json({ ExportTaskId: 'task-1' })]],
    sent: [['ExportConversationDetails']],
    stdout: new RegExp(`export task-1 started; follow it with: vn export status ${I} task-1`),
  },
  {
    command: 'export statistics',
    argv: ['export', 'statistics', I, '--time-unit', 'day', '--wait', '-o', 'table'],
    stubs: [
      [action('ExportStatisticalData', { InstanceId: I, TimeUnit: 'Day' }), json({ ExportTaskId: 'task-2' })],
      [action('DescribeExportProgress', { ExportTaskId: 'task-2' }), json({ Status: 'FINISHED', FileHttpUrl: 'https://oss.test/s.csv' })],
    ],
    sent: [['ExportStatisticalData'], ['DescribeExportProgress']],
    stdout: /export task-2 FINISHED: https:\/\/oss\.test\/s\.csv/,
  },
  {
    command: 'export status',
    argv: ['export', 'status', I, 'task-1', '-o', 'json'],
    stubs: [[action('DescribeExportProgress', { InstanceId: I, ExportTaskId: 'task-1' }), json({ Status: 'RUNNING' })]],
    sent: [['DescribeExportProgress']],
    stdout: /"Status":"RUNNING"/,
  },
  {
    command: 'export download',
    argv: ['export', 'download', I, 'task-1', '--wait-timeout', '0', '--output-file', join(dir, 'out.csv')],
    stubs: [[action('DescribeExportProgress', { ExportTaskId: 'task-1' }), json({ Status: 'RUNNING' })]],
    sent: [['DescribeExportProgress']],
    code: 1,
    stderr: /export task task-1 is still RUNNING after 0s/,
  },
  {
    command: 'export download-tasks',
    argv: ['export', 'download-tasks', '-o', 'json'],
    stubs: [[action('ListDownloadTasks'), json({ DownloadTasks: { List: [{ TaskId: 'dl-1' }], TotalCount: 1 } })]],
    sent: [['ListDownloadTasks']],
    stdout: /dl-1/,
  },
  // —— recording ——
  {
    command: 'recording get',
    argv: ['recording', 'get', I, C, '-o', 'json'],
    stubs: [[action('DescribeRecording', { InstanceId: I, ConversationId: C }), json({ FileName: 'a.wav', FilePath: 'https://oss.test/a.wav' })]],
    sent: [['DescribeRecording']],
    stdout: /"FileName":"a.wav"/,
  },
  {
    command: 'recording save',
    argv: [
      'recording',
      'save',
      I,
      C,
      '--file-name',
      'a.wav',
      '--file-path',
      'oss://b/r/',
      '--duration',
      '10',
      '--start-time',
      '2024-03-01T10:00Z',
      '--type',
      'Source',
      '-o',
      'table',
    ],
    stubs: [[action('SaveRecording', { InstanceId: I, ConversationId: C, FileName: 'a.wav', Duration: '10', StartTime: '1709287200000' }), json({})]],
    sent: [['SaveRecording', { FilePath: 'oss://b/r/' }]],
    stdout: /saved recording a\.wav for conversation conv-1/,
  },
  {
    command: 'recording upload',
    argv: ['recording', 'upload', I, join(dir, 'call.wav')],
    // an answer without a complete upload form is refused before anything is posted to OSS
    stubs: [[action('GenerateUploadUrl', { InstanceId: I, FileName: 'call.wav' }), json({ Data: { Host: 'https://b.oss-cn-shanghai.aliyuncs.com' } })]],
    sent: [['GenerateUploadUrl']],
    code: 1,
    stderr: /InvalidUploadForm/,
  },
  {
    command: 'recording url',
    argv: ['recording', 'url', 'dl-1', 'file-1', '-o', 'table'],
    stubs: [
      [action('CreateDownloadUrl', { DownloadTaskId: 'dl-1', FileId: 'file-1' }), json({ Success: true, Code: 'OK', FileHttpUrl: 'https://oss.test/f.csv' })],
    ],
    sent: [['CreateDownloadUrl']],
    stdout: /^https:\/\/oss\.test\/f\.csv\n$/,
  },
  {
    command: 'stats conversation',
    argv: ['stats', 'conversation', I, C, '--as-test'],
    stubs: [
      [action('DescribeConversation', { ConversationId: C }), json({ ConversationId: C, CallingNumber: '13800000000' })],
      [
        action('ListConversationDetails', { ConversationId: C }),
        json({
          ConversationDetails: [
            { Speaker: 'Chatbot', Utterance: '欢迎', CreateTime: 1, Action: 'Broadcast' },
            { Speaker: 'Customer', Utterance: '我想查余额', CreateTime: 2 },
            { Speaker: 'Chatbot', Utterance: '余额100', CreateTime: 3, Action: 'Broadcast' },
          ],
        }),
      ],
    ],
    sent: [['DescribeConversation'], ['ListConversationDetails']],
    stdout: /say: 我想查余额/,
  },
  {
    command: 'dialogue test',
    argv: ['dialogue', 'test', join(dir, 'balance.test.yaml'), '--instance', I],
    stubs: [
      [action('DescribeInstance', { InstanceId: I }), json({ InstanceId: I, Name: '示例热线' })],
      [action('DebugBeginDialogue', { InstanceId: I }), turn('欢迎致电')],
      [action('DebugDialogue', { InstanceId: I, Utterance: '我想查余额' }), turn('您的余额是100元')],
      [action('EndDialogue', { InstanceId: I }), json({})],
    ],
    sent: [['DescribeInstance', { InstanceId: I }], ['DebugBeginDialogue'], ['DebugDialogue'], ['EndDialogue']],
    // the header says where the run went: profile, endpoint, instance (with its name), never a secret
    stdout: new RegExp(`^profile \\S+ · endpoint https?://\\S+ · instance ${I} \\(示例热线\\) · 1 conversation in 1 file\n[^]*1 passed, 0 failed`),
  },
  {
    command: 'dialogue test',
    // a missing instance: checked once, exit 1 naming it, and not one conversation begun (40 × 1 before)
    argv: ['dialogue', 'test', join(dir, 'balance.test.yaml'), '--instance', I, '--repeat', '40'],
    stubs: [[action('DescribeInstance', { InstanceId: I }), apiError('InvalidInstanceId.NotFound', `The specified InstanceId ${I} does not exist.`, 404)]],
    sent: [['DescribeInstance', { InstanceId: I }]],
    code: 1,
    stdout: /^$/,
    stderr: new RegExp(`InvalidInstanceId\\.NotFound.*instance ${I} does not exist`),
  },
  {
    command: 'dialogue test',
    argv: ['dialogue', 'test', join(dir, 'balance.test.yaml'), '--instance', I],
    stubs: [
      [action('DescribeInstance'), json({ InstanceId: I })],
      [action('DebugBeginDialogue'), turn('欢迎致电')],
      [action('DebugDialogue'), turn('听不懂')],
      [action('EndDialogue'), json({})],
    ],
    sent: [['DescribeInstance'], ['DebugBeginDialogue'], ['DebugDialogue'], ['EndDialogue']],
    code: 1,
    stdout: /expected text containing "余额"/,
  },
  // —— emulator (its /_vn/ service endpoints, on VN_ENDPOINT) ——
  {
    command: 'emulator wait',
    argv: ['emulator', 'wait', '--timeout', '5'],
    stubs: [[route('GET', '/_vn/health'), json({ ready: true, status: 'ok' })]],
    sent: [['GET /_vn/health']],
    stdout: /^https:\/\/vn\.test\n$/,
  },
  {
    command: 'emulator reset',
    argv: ['emulator', 'reset', '-o', 'json'],
    stubs: [[route('POST', '/_vn/reset'), json({ reset: true })]],
    sent: [['POST /_vn/reset']],
    stdout: /"reset":true/,
  },
  {
    command: 'emulator reset',
    argv: ['emulator', 'reset'],
    stubs: [[route('POST', '/_vn/reset'), json({ Code: 'Forbidden.NotLoopback', Message: 'start it with --admin-key' }, { status: 403 })]],
    sent: [['POST /_vn/reset']],
    code: 1,
    stderr: /Forbidden\.NotLoopback.*--admin-key/,
  },
  {
    command: 'emulator seed',
    argv: ['emulator', 'seed', '--from-profile', 'prod', '--instance', 'hotline'],
    // not an emulator: nothing is read from prod, nothing written
    stubs: [[route('GET', '/_vn/health'), status(404)]],
    sent: [['GET /_vn/health']],
    code: 2,
    stderr: /is not a vn emulator.*seed writes only to an emulator/,
  },
  {
    command: 'emulator snapshot save',
    argv: ['emulator', 'snapshot', 'save', 'clean', '-o', 'json'],
    stubs: [[route('POST', '/_vn/snapshots/save'), json({ saved: 'clean', file: '/state/snapshots/clean.json' })]],
    sent: [['POST /_vn/snapshots/save']],
    stdout: /"saved":"clean"/,
  },
  {
    command: 'emulator snapshot save',
    argv: ['emulator', 'snapshot', 'save', join(dir, 'seam-snapshot.json'), '-o', 'json'],
    stubs: [[route('POST', '/_vn/snapshots/save'), json(SNAPSHOT)]],
    sent: [['POST /_vn/snapshots/save']],
    stdout: /"schemaVersion":1/,
  },
  {
    command: 'emulator snapshot load',
    argv: ['emulator', 'snapshot', 'load', 'clean', '-o', 'json'],
    stubs: [[route('POST', '/_vn/snapshots/load'), json({ loaded: 'clean', schemaVersion: 3 })]],
    sent: [['POST /_vn/snapshots/load']],
    stdout: /"loaded":"clean"/,
  },
  {
    command: 'emulator snapshot list',
    argv: ['emulator', 'snapshot', 'list', '-o', 'json'],
    stubs: [[route('GET', '/_vn/snapshots'), json({ dir: '/state/snapshots', snapshots: [{ name: 'clean', size: 10, savedAt: '2026-01-01T00:00:00Z' }] })]],
    sent: [['GET /_vn/snapshots']],
    stdout: /"name":"clean"/,
  },
  {
    command: 'emulator clock show',
    argv: ['emulator', 'clock', 'show', '-o', 'json'],
    stubs: [[route('GET', '/_vn/clock'), json({ virtual: true, now: '2030-01-01T00:00:00.000Z', epochMs: 1, offsetMs: 0 })]],
    sent: [['GET /_vn/clock']],
    stdout: /"virtual":true/,
  },
  {
    command: 'emulator clock advance',
    argv: ['emulator', 'clock', 'advance', '1h30m', '-o', 'json'],
    stubs: [[route('POST', '/_vn/clock'), (req) => json({ virtual: true, body: req.body })(req)]],
    sent: [['POST /_vn/clock']],
    stdout: (o) => expect(JSON.parse(JSON.parse(o).body)).toEqual({ advance: 5_400_000 }),
  },
  {
    command: 'emulator clock set',
    argv: ['emulator', 'clock', 'set', '2030-01-01T09:00:00Z', '-o', 'json'],
    stubs: [[route('POST', '/_vn/clock'), (req) => json({ virtual: true, body: req.body })(req)]],
    sent: [['POST /_vn/clock']],
    stdout: (o) => expect(JSON.parse(JSON.parse(o).body)).toEqual({ set: '2030-01-01T09:00:00Z' }),
  },
  // —— top-level ——
  {
    command: 'diff',
    argv: ['diff', '-f', join(dir, 'hotline.yaml')],
    stubs: liveReads(),
    sent: [['ListInstances'], ['DescribeTTSConfig', { InstanceId: I }]],
    code: 5,
    stdout: /@@ tts @@\n-voice: xiaoyun\n\+voice: aixia/,
  },
  {
    command: 'diff',
    argv: ['diff', I, 'inst-2', '-o', 'json', '--query', 'match'],
    stubs: [
      [action('DescribeInstance', { InstanceId: I }), json(instance)],
      [action('DescribeInstance', { InstanceId: 'inst-2' }), json({ ...instance, InstanceId: 'inst-2' })],
      [action('DescribeTTSConfig'), json({ Voice: 'xiaoyun', SpeechRate: 0, Volume: 50, PitchRate: 0 }), { times: 2 }],
      [action('DescribeNavigationConfig'), navConfig, { times: 2 }],
      [action('GetAsrConfig'), json({ Success: true, Code: 'OK', Data: { AsrEngine: 'ali' } }), { times: 2 }],
    ],
    sent: [
      ['DescribeInstance', { InstanceId: I }],
      ['DescribeTTSConfig', { InstanceId: I }],
      ['DescribeNavigationConfig', { InstanceId: I }],
      ['GetAsrConfig', { EntryId: I }],
      ['DescribeInstance', { InstanceId: 'inst-2' }],
      ['DescribeTTSConfig', { InstanceId: 'inst-2' }],
      ['DescribeNavigationConfig', { InstanceId: 'inst-2' }],
      ['GetAsrConfig', { EntryId: 'inst-2' }],
    ],
    unordered: true,
    stdout: /^true\n$/,
  },
  {
    command: 'apply',
    argv: ['apply', '-f', join(dir, 'hotline.yaml'), '--yes'],
    // the plan's read, then the history's: the whole instance before the write and after it
    stubs: [
      [action('ListInstances', { PageNumber: '1' }), json({ Instances: [instance], TotalCount: 1, PageNumber: 1, PageSize: 50 })],
      [action('DescribeTTSConfig', { InstanceId: I }), json({ Voice: 'xiaoyun', SpeechRate: 0, Volume: 50, PitchRate: 0 }), { times: 3 }],
      [action('DescribeInstance', { InstanceId: I }), json(instance), { times: 2 }],
      [action('DescribeNavigationConfig', { InstanceId: I }), navConfig, { times: 2 }],
      [action('GetAsrConfig', { EntryId: I }), json({ Success: true, Code: 'OK', Data: { AsrEngine: 'ali' } }), { times: 2 }],
      [action('ModifyTTSConfig', { InstanceId: I, Voice: 'aixia' }), json({})],
    ],
    sent: [
      ['ListInstances'],
      ['DescribeTTSConfig'],
      ['DescribeInstance'],
      ['DescribeTTSConfig'],
      ['DescribeNavigationConfig'],
      ['GetAsrConfig'],
      ['ModifyTTSConfig', { Voice: 'aixia' }],
      ['DescribeInstance'],
      ['DescribeTTSConfig'],
      ['DescribeNavigationConfig'],
      ['GetAsrConfig'],
    ],
    unordered: true,
    stdout: /tts\.voice xiaoyun → aixia\nPlan: 0 to create, 1 to update, 0 unchanged; 1 write\./,
    stderr: /applied 1 write; history entry \d{8}T\d{9}Z-[0-9a-f]{6}/,
  },
  {
    command: 'apply',
    argv: ['apply', '-f', join(dir, 'hotline.yaml'), '--dry-run'],
    stubs: liveReads(),
    sent: [['ListInstances'], ['DescribeTTSConfig']],
    stdout: /1 to update/,
    stderr: /dry run: nothing was changed/,
  },
  {
    command: 'call',
    argv: ['call', 'DescribeInstance', '--InstanceId', I, '-o', 'json'],
    stubs: [[action('DescribeInstance', { InstanceId: I }), json(instance)]],
    sent: [['DescribeInstance', { InstanceId: I }]],
    stdout: new RegExp(`"InstanceId":"${I}"`),
  },
  {
    command: 'call',
    argv: ['call', 'DescribeInstance', '--InstanceId', I],
    stubs: [[action('DescribeInstance'), status(503, 'busy'), { times: 4 }]],
    sent: [['DescribeInstance'], ['DescribeInstance'], ['DescribeInstance'], ['DescribeInstance']],
    code: 1,
    stderr: /HTTP503/,
  },
  {
    command: 'configure whoami',
    argv: ['configure', 'whoami', '--sts-endpoint', 'https://sts.test', '-o', 'json'],
    stubs: [
      [
        action('GetCallerIdentity', { AccessKeyId: 'AK-SEAM' }),
        json({ AccountId: '1234567890123456', Arn: 'acs:ram::1234567890123456:user/ci', IdentityType: 'RAMUser', UserId: '2095', PrincipalId: '2095' }),
      ],
    ],
    sent: [['GetCallerIdentity']],
    stdout: /"Source":"the environment \(ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET\)".*"AccountId":"1234567890123456".*"IdentityType":"RAMUser"/,
  },
];

writeFileSync(join(dir, 'call.wav'), Buffer.from('RIFF0000WAVE'));
writeFileSync(join(dir, 'hotline.yaml'), 'apiVersion: vn/v1\nkind: Instance\nname: hotline\ntts:\n  voice: aixia\n');
writeFileSync(
  join(dir, 'balance.test.yaml'),
  'conversations:\n  - name: balance\n    turns:\n      - bot: { text: 欢迎 }\n      - say: 我想查余额\n        bot: { text: 余额 }\n      - end: true\n',
);

function check(c: Case, http: HttpMock, r: { code: number; stdout: string; stderr: string }): void {
  const detail = `stdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, detail).toBe(c.code ?? 0);
  const matches = (i: number, [name, params]: Case['sent'][number]) =>
    // an API action by name, a plain request (the emulator's /_vn/) as `METHOD /path`
    (http.requests[i]?.action ?? `${http.requests[i]?.method} ${http.requests[i]?.url.pathname}`) === name &&
    Object.entries(params ?? {}).every(([k, want]) => {
      const got = http.requests[i]?.params[k];
      return got !== undefined && (typeof want === 'string' ? got === want : want.test(got));
    });
  if (c.unordered) {
    expect([...http.actions()].sort(), detail).toEqual(c.sent.map(([a]) => a).sort());
    const left = new Set(http.requests.keys());
    for (const want of c.sent) {
      const i = [...left].find((j) => matches(j, want));
      expect(i, `a request ${JSON.stringify(want)}`).toBeDefined();
      left.delete(i as number);
    }
  } else {
    expect(http.actions(), detail).toEqual(c.sent.map(([a]) => a));
    c.sent.forEach((want, i) => {
      const shown = JSON.stringify(want, (_k, v) => (v instanceof RegExp ? String(v) : v));
      expect(matches(i, want), `request ${i + 1}: ${JSON.stringify(http.requests[i]?.params)} against ${shown}`).toBe(true);
    });
  }
  if (typeof c.stdout === 'function') c.stdout(r.stdout);
  else if (c.stdout) expect(r.stdout, detail).toMatch(c.stdout);
  if (c.stderr) expect(r.stderr, detail).toMatch(c.stderr);
  // the secret never shows, whatever happened
  expect(r.stdout + r.stderr).not.toContain(ENV.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
  http.verify();
}

async function runCase(c: Case) {
  const http = new HttpMock();
  for (const [m, res, opts] of c.stubs) http.register(m, res, opts);
  const r = await runVn(c.argv, { env: ENV, transport: http, stdin: c.stdin });
  return { http, r };
}

describe('every command on the HTTP seam', () => {
  it.each(CASES.map((c) => [c.argv.join(' '), c] as const))('vn %s', async (_name, c) => {
    const { http, r } = await runCase(c);
    check(c, http, r);
  });
});

/** Commands that send no API request, so have no seam test here (see the comment at the top). */
const EXEMPT = new Set([
  'configure interactive',
  'configure set',
  'configure list',
  'configure get',
  'configure use',
  'configure delete',
  'configure import-aliyun',
  'completion',
  'emulator start',
  'dialogue merge',
]);

function registryCommands(): string[] {
  const names: string[] = TOP_VERBS.map((v) => v.name);
  const walk = (groups: typeof GROUPS, prefix: string[]) => {
    for (const g of groups) {
      const path = [...prefix, g.name];
      if (g.default) names.push([...path, g.default.name].join(' '));
      for (const v of g.verbs) names.push([...path, v.name].join(' '));
      walk(g.groups ?? [], path);
    }
  };
  walk(GROUPS, []);
  return names;
}

describe('coverage', () => {
  it('every command in the registry has a case above, or is exempt because it calls no API', () => {
    const covered = new Set(CASES.map((c) => c.command));
    const missing = registryCommands().filter((n) => !covered.has(n) && !EXEMPT.has(n));
    expect(missing).toEqual([]);
    // and no case or exemption names a command that is not there
    const known = new Set(registryCommands());
    expect([...covered, ...EXEMPT].filter((n) => !known.has(n))).toEqual([]);
  });

  it('each case runs the command it names', () => {
    for (const c of CASES) {
      const words = c.command.split(' ');
      expect(c.argv.slice(0, words.length), c.command).toEqual(words);
    }
  });
});
