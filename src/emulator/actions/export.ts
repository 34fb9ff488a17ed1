import { randomUUID } from 'node:crypto';
import { type CsvCell, toCsv } from '../csv.js';
import { SERVICE_ERRORS, serviceError } from '../errors.js';
import { signedFileUrl } from '../files.js';
import { computeStatistics, conversationSearch, formatUtc, parseTimeUnit, type SearchParam, statisticsRange } from '../statistics.js';
import type { TaskRow, TurnRow } from '../store/index.js';
import { getInstance } from './instance.js';
import type { ActionContext, EmulatorState, FileRoute, HandlerTable } from './types.js';

/**
 * Export tasks. The CSV is generated when the task is created (a snapshot of that moment) and kept
 * in `export_tasks.content`; the task reads as running for READY_DELAY_MS of the emulator's clock so
 * that callers exercise their polling, then as finished until it expires.
 */

/** How long a new task reads as running. */
export const READY_DELAY_MS = 1000;
/** How long a finished task's file can be downloaded. */
export const TASK_TTL_MS = 7 * 24 * 3_600_000;
/** How long one handed-out file URL stays valid (never past the task's own expiry). */
export const URL_TTL_MS = 3_600_000;

type Phase = 'running' | 'finished' | 'expired';

function phaseOf(task: TaskRow, now: number): Phase {
  if (now < task.ready_time) return 'running';
  return now >= task.expire_time ? 'expired' : 'finished';
}

// seed: 12.6 DescribeExportProgress says FINISHED; the SDK's ListDownloadTasks sample says Expired
const PROGRESS_STATUS: Record<Phase, string> = { running: 'RUNNING', finished: 'FINISHED', expired: 'EXPIRED' };
const DOWNLOAD_STATUS: Record<Phase, string> = { running: 'Running', finished: 'Finished', expired: 'Expired' };

const FILE_PATH = /^\/exports\/([0-9a-f]{32})\/([A-Za-z0-9._-]+)$/;

function fileUrl(state: EmulatorState, task: TaskRow, now: number): string {
  return signedFileUrl(state, `/exports/${task.task_id}/${task.file_name}`, Math.min(now + URL_TTL_MS, task.expire_time));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Title like the SDK's sample ("批量高阶内存整理_2022_02_17_10") and an ASCII file name, both UTC. */
function naming(prefix: string, fileStem: string, now: number): { title: string; fileName: string } {
  const d = new Date(now);
  const [y, mo, day, h, mi, s] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return {
    title: `${prefix}_${y}_${pad(mo)}_${pad(day)}_${pad(h)}`,
    fileName: `${fileStem}-${y}${pad(mo)}${pad(day)}-${pad(h)}${pad(mi)}${pad(s)}.csv`,
  };
}

function createTask(ctx: ActionContext, instanceId: string, kind: string, names: { title: string; fileName: string }, content: Buffer): string {
  const taskId = randomUUID().replace(/-/g, '');
  ctx.store.exports.insert({
    task_id: taskId,
    instance_id: instanceId,
    kind,
    title: names.title,
    params_json: JSON.stringify(ctx.params.raw),
    // the status a reader sees is derived from the times (phaseOf); this records the request
    status: 'CREATED',
    create_time: ctx.now,
    ready_time: ctx.now + READY_DELAY_MS,
    expire_time: ctx.now + READY_DELAY_MS + TASK_TTL_MS,
    file_id: randomUUID().replace(/-/g, ''),
    file_name: names.fileName,
    content,
  });
  return taskId;
}

const CONVERSATION_HEADER = [
  '会话ID',
  '主叫号码',
  '被叫号码',
  '开始时间(UTC)',
  '结束时间(UTC)',
  '是否转人工',
  '技能组ID',
  '用户提问数',
  '有效回答数',
  '序号',
  '讲述人',
  '内容',
  '动作',
  '动作参数',
  '时间(UTC)',
];

const STATISTICS_HEADER = ['统计时间', '总会话数', '解决问题数', '知识库命中率', '有效回答率', '解决率', '多轮会话通过率'];

function conversationCsv(ctx: ActionContext<SearchParam>, instanceId: string): Buffer {
  const rows: CsvCell[][] = [];
  for (const c of ctx.store.conversations.search(instanceId, conversationSearch(ctx.params))) {
    const head: CsvCell[] = [
      c.conversation_id,
      c.calling_number,
      c.called_number,
      formatUtc(c.begin_time),
      c.end_time !== null ? formatUtc(c.end_time) : '',
      c.transferred_to_agent ? '是' : '否',
      c.skill_group_id,
      c.user_utterance_count,
      c.effective_answer_count,
    ];
    const turns: (TurnRow | undefined)[] = ctx.store.conversations.turns(instanceId, c.conversation_id);
    // a conversation without turns still gets its row
    if (turns.length === 0) turns.push(undefined);
    for (const t of turns) {
      rows.push([...head, t?.sequence, t?.speaker, t?.utterance, t?.action, t?.action_params, t ? formatUtc(t.create_time) : '']);
    }
  }
  return toCsv(CONVERSATION_HEADER, rows);
}

function statisticsCsv(ctx: ActionContext<'TimeUnit' | 'BeginTimeLeftRange' | 'BeginTimeRightRange'>, instanceId: string): Buffer {
  const unit = parseTimeUnit(ctx.params.req('TimeUnit'));
  const { from, to } = statisticsRange(ctx.params, unit, ctx.now);
  const s = computeStatistics(ctx.store, instanceId, unit, from, to);
  const rows: CsvCell[][] = s.StatisticalDataReports.map((r) => [
    r.StatisticalDate,
    r.TotalConversationNum,
    r.ResolvedQuestionNum,
    r.KnowledgeHitRate,
    r.ValidAnswerRate,
    r.ResolutionRate,
    r.DialoguePassRate,
  ]);
  rows.push([
    '合计',
    s.ConversationTotalNum,
    s.ResolvedQuestionTotalNum,
    s.TotalKnowledgeHitRate,
    s.TotalValidAnswerRate,
    s.TotalResolutionRate,
    s.TotalDialoguePassRate,
  ]);
  return toCsv(STATISTICS_HEADER, rows);
}

function findTask(ctx: ActionContext, taskId: string): TaskRow | undefined {
  return ctx.store.exports.find(taskId);
}

const taskNotFound = (param: 'ExportTaskId' | 'DownloadTaskId' | 'FileId', id: string) =>
  serviceError(
    { ExportTaskId: SERVICE_ERRORS.exportTaskNotFound, DownloadTaskId: SERVICE_ERRORS.downloadTaskNotFound, FileId: SERVICE_ERRORS.fileNotFound }[param],
    `The specified ${param} ${id} does not exist.`,
  );

/** The success envelope of the SDK-only download actions. */
const OK_ENVELOPE = { Code: 'OK', Success: true, HttpStatusCode: 200, Message: 'successful' };

export const handlers = {
  ExportConversationDetails(ctx) {
    const instanceId = ctx.params.req('InstanceId');
    getInstance(ctx, instanceId);
    // Options: the SDK names it without documenting a value; it is accepted and recorded only
    const content = conversationCsv(ctx, instanceId);
    return { ExportTaskId: createTask(ctx, instanceId, 'conversation-details', naming('会话详情', 'conversation-details', ctx.now), content) };
  },

  ExportStatisticalData(ctx) {
    const instanceId = ctx.params.req('InstanceId');
    getInstance(ctx, instanceId);
    // seed: 12.5 — the table's only example is "statistical", and the request example sends
    // ExportType="" (empty): both mean the statistics report; anything else the model refuses
    const content = statisticsCsv(ctx, instanceId);
    return { ExportTaskId: createTask(ctx, instanceId, 'statistical-data', naming('统计数据', 'statistical-data', ctx.now), content) };
  },

  DescribeExportProgress(ctx) {
    const instanceId = ctx.params.req('InstanceId');
    getInstance(ctx, instanceId);
    const taskId = ctx.params.req('ExportTaskId');
    const task = findTask(ctx, taskId);
    if (!task || task.instance_id !== instanceId) throw taskNotFound('ExportTaskId', taskId);
    const phase = phaseOf(task, ctx.now);
    return { Status: PROGRESS_STATUS[phase], ...(phase === 'finished' ? { FileHttpUrl: fileUrl(ctx.state, task, ctx.now) } : {}) };
  },

  ListDownloadTasks(ctx) {
    // the SDK's ListDownloadTasks has no InstanceId: it lists the account's tasks, newest first
    const { pageNumber, pageSize, offset } = ctx.params.page(10);
    const { total, rows: tasks } = ctx.store.exports.list({ limit: pageSize, offset });
    const list = tasks.map((t) => {
      const phase = phaseOf(t, ctx.now);
      const progress = phase === 'running' ? Math.min(99, Math.floor(((ctx.now - t.create_time) * 100) / (t.ready_time - t.create_time))) : 100;
      return {
        TaskId: t.task_id,
        Title: t.title,
        Status: DOWNLOAD_STATUS[phase],
        ExpireTime: t.expire_time,
        DownloadTaskFiles: [{ FileId: t.file_id, Title: t.file_name, Status: DOWNLOAD_STATUS[phase], Progress: progress }],
      };
    });
    return { ...OK_ENVELOPE, DownloadTasks: { List: list, PageNumber: pageNumber, PageSize: pageSize, TotalCount: total } };
  },

  CreateDownloadUrl(ctx) {
    const taskId = ctx.params.req('DownloadTaskId');
    const fileId = ctx.params.req('FileId');
    const task = findTask(ctx, taskId);
    if (!task) throw taskNotFound('DownloadTaskId', taskId);
    if (task.file_id !== fileId) throw taskNotFound('FileId', fileId);
    const phase = phaseOf(task, ctx.now);
    if (phase === 'running') throw serviceError(SERVICE_ERRORS.downloadTaskNotReady, `The download task ${taskId} is still running.`);
    if (phase === 'expired') throw serviceError(SERVICE_ERRORS.downloadTaskExpired, `The download task ${taskId} has expired.`);
    return { ...OK_ENVELOPE, FileHttpUrl: fileUrl(ctx.state, task, ctx.now) };
  },
} satisfies Partial<HandlerTable>;

/** GET /exports/<task id>/<file name> — reached only with a valid, unexpired signature. */
export const fileRoutes: FileRoute[] = [
  (state, url, now) => {
    const m = FILE_PATH.exec(url.pathname);
    if (!m) return undefined;
    const task = state.store.exports.findFile(m[1] as string, m[2] as string);
    if (!task?.content || phaseOf(task, now) !== 'finished') return undefined;
    return { status: 200, contentType: 'text/csv; charset=utf-8', body: task.content, fileName: task.file_name };
  },
];
