import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { ServiceError } from '../../src/errors.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';

const T = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** RFC 4180 reader written for the test (shares no code with src/emulator/csv.ts). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (q && c === '"' && next === '"') {
      f += '"';
      i++;
    } else if (c === '"') {
      q = !q;
    } else if (!q && c === ',') {
      rec.push(f);
      f = '';
    } else if (!q && c === '\r' && next === '\n') {
      rec.push(f);
      out.push(rec);
      rec = [];
      f = '';
      i++;
    } else {
      f += c;
    }
  }
  return out;
}

interface Emu {
  emu: TestEmulator;
  client: Client;
  clock: { now: number };
  instanceId: string;
}

async function start(name: string): Promise<Emu> {
  const clock = { now: T('2026-11-25T10:30:00Z') };
  const emu = await startTestEmulator({ now: () => clock.now });
  const client = new Client({
    endpoint: emu.url,
    credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret },
    now: () => new Date(clock.now),
    retries: 0,
    validate: false,
  });
  const instanceId = String((await client.call('CreateInstance', { Name: name, Concurrency: 2 })).data.InstanceId);
  return { emu, client, clock, instanceId };
}

function addConversation(e: Emu, id: string, begin: number, opts: { debug?: boolean; turns?: [string, string, string | null][] } = {}): void {
  const db = e.emu.state.db;
  db.prepare(
    `INSERT INTO conversations (instance_id, conversation_id, debug, calling_number, called_number, begin_time, end_time, status, transferred_to_agent,
       skill_group_id, user_utterance_count, effective_answer_count)
     VALUES (?, ?, ?, '13900001111', '95555', ?, ?, 'ended', 0, '', 1, 1)`,
  ).run(e.instanceId, id, opts.debug ? 1 : 0, begin, begin + 60_000);
  let seq = 0;
  for (const [speaker, utterance, rule] of opts.turns ?? []) {
    db.prepare(
      `INSERT INTO conversation_turns (instance_id, conversation_id, sequence, speaker, utterance, action, action_params, rule, create_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(e.instanceId, id, ++seq, speaker, utterance, rule ? 'Broadcast' : null, rule ? '{}' : null, rule, begin + seq * 1000);
  }
}

async function callError(client: Client, action: ActionName, params: Record<string, unknown>): Promise<ServiceError> {
  const err = await client.call(action, params).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

async function download(url: string): Promise<{ status: number; type: string | null; length: string | null; bytes: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), length: res.headers.get('content-length'), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('ExportConversationDetails → DescribeExportProgress → the CSV', () => {
  let e: Emu;
  let taskId: string;
  let url: string;

  beforeAll(async () => {
    e = await start('export-details');
    addConversation(e, 'conv-a', T('2026-11-25T09:00:00Z'), {
      turns: [
        ['Chatbot', '您好，欢迎致电', 'greeting'],
        ['Customer', '我想查余额, 还有"信用卡"\n账单', null],
        ['Chatbot', '您的余额是100元', 'knowledge'],
      ],
    });
    addConversation(e, 'conv-b', T('2026-11-25T08:00:00Z'));
    addConversation(e, 'debug-c', T('2026-11-25T09:30:00Z'), { debug: true, turns: [['Chatbot', '调试', 'greeting']] });
  });

  afterAll(async () => {
    await e?.emu.stop();
  });

  it('creates a task that runs for about a second of the emulator clock, then finishes with a URL', async () => {
    const created = await e.client.call('ExportConversationDetails', { InstanceId: e.instanceId });
    taskId = String(created.data.ExportTaskId);
    expect(taskId).toMatch(/^[0-9a-f]{32}$/);
    // rows added after the request are not in the snapshot
    addConversation(e, 'conv-late', T('2026-11-25T10:00:00Z'));

    const progress = async () => (await e.client.call('DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: taskId })).data;
    expect(await progress()).toEqual(expect.objectContaining({ Status: 'RUNNING' }));
    expect(await progress()).not.toHaveProperty('FileHttpUrl');
    e.clock.now += 999;
    expect((await progress()).Status).toBe('RUNNING');
    e.clock.now += 1;
    const done = await progress();
    expect(done.Status).toBe('FINISHED');
    url = String(done.FileHttpUrl);
    expect(url.startsWith(`${e.emu.url}/exports/${taskId}/conversation-details-20261125-103000.csv?Expires=`)).toBe(true);
  });

  it('serves a UTF-8 CSV with BOM, Chinese header, one row per turn, newest conversation first', async () => {
    const file = await download(url);
    expect(file.status).toBe(200);
    expect(file.type).toBe('text/csv; charset=utf-8');
    expect(Number(file.length)).toBe(file.bytes.length);
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(file.bytes.subarray(3).toString('utf8'));
    expect(rows[0]).toEqual([
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
    ]);
    const conv = ['conv-a', '13900001111', '95555', '2026-11-25 09:00:00', '2026-11-25 09:01:00', '否', '', '1', '1'];
    expect(rows.slice(1)).toEqual([
      [...conv, '1', 'Chatbot', '您好，欢迎致电', 'Broadcast', '{}', '2026-11-25 09:00:01'],
      [...conv, '2', 'Customer', '我想查余额, 还有"信用卡"\n账单', '', '', '2026-11-25 09:00:02'],
      [...conv, '3', 'Chatbot', '您的余额是100元', 'Broadcast', '{}', '2026-11-25 09:00:03'],
      // a conversation without turns keeps one row with the turn columns empty
      ['conv-b', '13900001111', '95555', '2026-11-25 08:00:00', '2026-11-25 08:01:00', '否', '', '1', '1', '', '', '', '', '', ''],
    ]);
  });

  it('exports debug conversations only when asked, with the filters of ListConversations', async () => {
    const id = String((await e.client.call('ExportConversationDetails', { InstanceId: e.instanceId, DebugConversation: 1 })).data.ExportTaskId);
    e.clock.now += 1000;
    const p = await e.client.call('DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: id });
    const rows = parseCsv((await download(String(p.data.FileHttpUrl))).bytes.subarray(3).toString('utf8'));
    expect(rows.slice(1).map((r) => r[0])).toEqual(['debug-c']);

    const ranged = String(
      (
        await e.client.call('ExportConversationDetails', {
          InstanceId: e.instanceId,
          BeginTimeLeftRange: T('2026-11-25T09:30:00Z'),
          BeginTimeRightRange: T('2026-11-25T11:00:00Z'),
        })
      ).data.ExportTaskId,
    );
    e.clock.now += 1000;
    const q = await e.client.call('DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: ranged });
    const late = parseCsv((await download(String(q.data.FileHttpUrl))).bytes.subarray(3).toString('utf8'));
    expect(late.slice(1).map((r) => r[0])).toEqual(['conv-late']);
  });

  it('refuses a tampered URL with 403', async () => {
    const u = new URL(url);
    const sig = u.searchParams.get('Signature') ?? '';
    u.searchParams.set('Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    expect((await download(u.toString())).status).toBe(403);

    const later = new URL(url);
    later.searchParams.set('Expires', String(Number(later.searchParams.get('Expires')) + 3600));
    expect((await download(later.toString())).status).toBe(403);

    const otherPath = new URL(url);
    otherPath.pathname = otherPath.pathname.replace(/\.csv$/, '-x.csv');
    expect((await download(otherPath.toString())).status).toBe(403);
  });

  it('refuses the URL with 403 once it has expired (one hour), while a fresh one works', async () => {
    e.clock.now += HOUR + 1000;
    const expired = await download(url);
    expect(expired.status).toBe(403);
    expect(expired.bytes.toString()).toContain('expired');
    const fresh = await e.client.call('DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: taskId });
    expect((await download(String(fresh.data.FileHttpUrl))).status).toBe(200);
  });

  it('answers unknown tasks and instances with NotFound codes', async () => {
    const unknown = await callError(e.client, 'DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: '0'.repeat(32) });
    expect([unknown.code, unknown.httpStatus]).toEqual(['InvalidExportTaskId.NotFound', 404]);
    const other = String((await e.client.call('CreateInstance', { Name: 'export-other', Concurrency: 1 })).data.InstanceId);
    const wrongInstance = await callError(e.client, 'DescribeExportProgress', { InstanceId: other, ExportTaskId: taskId });
    expect(wrongInstance.code).toBe('InvalidExportTaskId.NotFound');
    const noInstance = await callError(e.client, 'ExportConversationDetails', { InstanceId: 'no-such-instance' });
    expect([noInstance.code, noInstance.httpStatus]).toEqual(['InvalidInstanceId.NotFound', 404]);
  });

  it('expires the task after seven days: EXPIRED, and no URL', async () => {
    e.clock.now = T('2026-11-25T10:30:01Z') + 7 * DAY;
    const p = await e.client.call('DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: taskId });
    expect(p.data.Status).toBe('EXPIRED');
    expect(p.data).not.toHaveProperty('FileHttpUrl');
  });
});

describe('ExportStatisticalData', () => {
  let e: Emu;

  beforeAll(async () => {
    e = await start('export-stats');
    addConversation(e, 's1', T('2026-11-25T09:10:00Z'), {
      turns: [
        ['Customer', '查余额', null],
        ['Chatbot', '余额', 'knowledge'],
        ['Customer', '啊？', null],
        ['Chatbot', '抱歉', 'unrecognized'],
      ],
    });
    addConversation(e, 's-debug', T('2026-11-25T09:20:00Z'), { debug: true, turns: [['Chatbot', '余额', 'knowledge']] });
  });

  afterAll(async () => {
    await e?.emu.stop();
  });

  async function exportRows(params: Record<string, unknown>): Promise<string[][]> {
    const id = String((await e.client.call('ExportStatisticalData', { InstanceId: e.instanceId, ...params })).data.ExportTaskId);
    e.clock.now += 1000;
    const p = await e.client.call('DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: id });
    const file = await download(String(p.data.FileHttpUrl));
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return parseCsv(file.bytes.subarray(3).toString('utf8'));
  }

  it('writes one row per period and a total row, live traffic only', async () => {
    const rows = await exportRows({
      ExportType: 'statistical',
      TimeUnit: 'Hour',
      BeginTimeLeftRange: T('2026-11-25T08:00:00Z'),
      BeginTimeRightRange: T('2026-11-25T09:59:59Z'),
    });
    expect(rows).toEqual([
      ['统计时间', '总会话数', '解决问题数', '知识库命中率', '有效回答率', '解决率', '多轮会话通过率'],
      ['08:00:00', '0', '0', '0.00%', '0.00%', '0.00%', '0.00%'],
      ['09:00:00', '1', '1', '50.00%', '50.00%', '100.00%', '100.00%'],
      ['合计', '1', '1', '50.00%', '50.00%', '100.00%', '100.00%'],
    ]);
  });

  it('takes the seed example empty ExportType (also written as "") as the statistical export', async () => {
    for (const type of ['', '""', 'Statistical']) {
      const rows = await exportRows({ ExportType: type, TimeUnit: 'Day', BeginTimeLeftRange: T('2026-11-25T00:00:00Z') });
      expect(rows.slice(1)).toEqual([
        ['2026-11-25', '1', '1', '50.00%', '50.00%', '100.00%', '100.00%'],
        ['合计', '1', '1', '50.00%', '50.00%', '100.00%', '100.00%'],
      ]);
    }
  });

  it('refuses another ExportType and a bad TimeUnit', async () => {
    const type = await callError(e.client, 'ExportStatisticalData', { InstanceId: e.instanceId, ExportType: 'pdf', TimeUnit: 'Day' });
    expect([type.code, type.httpStatus]).toEqual(['InvalidParameter', 400]);
    expect(type.message).toContain('ExportType');
    const unit = await callError(e.client, 'ExportStatisticalData', { InstanceId: e.instanceId, ExportType: 'statistical', TimeUnit: 'Month' });
    expect(unit.message).toContain('TimeUnit');
  });
});

describe('ListDownloadTasks and CreateDownloadUrl', () => {
  let e: Emu;
  const ids: string[] = [];

  beforeAll(async () => {
    e = await start('download-tasks');
    addConversation(e, 'x1', T('2026-11-25T09:00:00Z'));
    for (let i = 0; i < 3; i++) {
      ids.push(String((await e.client.call('ExportConversationDetails', { InstanceId: e.instanceId })).data.ExportTaskId));
      e.clock.now += 250;
    }
  });

  afterAll(async () => {
    await e?.emu.stop();
  });

  const list = async (page: number, size: number) => (await e.client.call('ListDownloadTasks', { PageNumber: page, PageSize: size })).data;

  it('lists tasks newest first in the SDK envelope, with progress while they run', async () => {
    const d = await list(1, 10);
    expect(d).toMatchObject({ Code: 'OK', Success: true, HttpStatusCode: 200 });
    const tasks = (d.DownloadTasks as { List: Record<string, unknown>[] }).List;
    expect(tasks.map((t) => t.TaskId)).toEqual([...ids].reverse());
    // created at +0, +250, +500 ms; now is +750 ms
    expect(tasks.map((t) => (t.DownloadTaskFiles as Record<string, unknown>[])[0]?.Progress)).toEqual([25, 50, 75]);
    expect(tasks[0]).toMatchObject({ Title: '会话详情_2026_11_25_10', Status: 'Running', ExpireTime: T('2026-11-25T10:30:00.500Z') + 1000 + 7 * DAY });
    expect(tasks[0]).toMatchObject({
      DownloadTaskFiles: [{ FileId: expect.stringMatching(/^[0-9a-f]{32}$/), Title: 'conversation-details-20261125-103000.csv', Status: 'Running' }],
    });
  });

  it('pages: full page, last partial page, empty page past the end', async () => {
    const [p1, p2, p3] = [await list(1, 2), await list(2, 2), await list(3, 2)];
    const of = (d: Record<string, unknown>) => d.DownloadTasks as { List: Record<string, unknown>[]; PageNumber: number; PageSize: number; TotalCount: number };
    expect(of(p1).List.map((t) => t.TaskId)).toEqual([ids[2], ids[1]]);
    expect(of(p1)).toMatchObject({ PageNumber: 1, PageSize: 2, TotalCount: 3 });
    expect(of(p2).List.map((t) => t.TaskId)).toEqual([ids[0]]);
    expect(of(p2)).toMatchObject({ PageNumber: 2, PageSize: 2, TotalCount: 3 });
    expect(of(p3)).toMatchObject({ List: [], PageNumber: 3, PageSize: 2, TotalCount: 3 });
  });

  it('CreateDownloadUrl refuses a running task, then signs a URL to the same file', async () => {
    const task = ((await list(1, 1)).DownloadTasks as { List: Record<string, unknown>[] }).List[0] as Record<string, unknown>;
    const fileId = String((task.DownloadTaskFiles as Record<string, unknown>[])[0]?.FileId);
    const running = await callError(e.client, 'CreateDownloadUrl', { DownloadTaskId: task.TaskId, FileId: fileId });
    expect(running.code).toBe('DownloadTask.NotReady');

    e.clock.now += 1000;
    const created = await e.client.call('CreateDownloadUrl', { DownloadTaskId: task.TaskId, FileId: fileId });
    expect(created.data).toMatchObject({ Code: 'OK', Success: true, HttpStatusCode: 200 });
    const viaDownload = await download(String(created.data.FileHttpUrl));
    const progress = await e.client.call('DescribeExportProgress', { InstanceId: e.instanceId, ExportTaskId: task.TaskId });
    const viaProgress = await download(String(progress.data.FileHttpUrl));
    expect(viaDownload.status).toBe(200);
    expect(viaDownload.bytes.equals(viaProgress.bytes)).toBe(true);

    const finished = ((await list(1, 1)).DownloadTasks as { List: Record<string, unknown>[] }).List[0];
    expect(finished).toMatchObject({ Status: 'Finished', DownloadTaskFiles: [expect.objectContaining({ Progress: 100, Status: 'Finished' })] });
  });

  it('CreateDownloadUrl answers unknown ids with NotFound codes', async () => {
    const noTask = await callError(e.client, 'CreateDownloadUrl', { DownloadTaskId: 'f'.repeat(32), FileId: 'x' });
    expect([noTask.code, noTask.httpStatus]).toEqual(['InvalidDownloadTaskId.NotFound', 404]);
    const noFile = await callError(e.client, 'CreateDownloadUrl', { DownloadTaskId: ids[0], FileId: 'x' });
    expect([noFile.code, noFile.httpStatus]).toEqual(['InvalidFileId.NotFound', 404]);
  });

  it('the signed URL dies with the task: it never outlives ExpireTime', async () => {
    e.clock.now = T('2026-11-25T10:30:00Z') + 1000 + 7 * DAY - 60_000;
    const created = await e.client.call('CreateDownloadUrl', { DownloadTaskId: ids[0], FileId: await fileIdOf(ids[0] as string) });
    const u = new URL(String(created.data.FileHttpUrl));
    expect(Number(u.searchParams.get('Expires')) * 1000).toBeLessThanOrEqual(T('2026-11-25T10:30:00Z') + 1000 + 7 * DAY);
    e.clock.now += 61_000;
    expect((await download(u.toString())).status).toBe(403);
    const expired = await callError(e.client, 'CreateDownloadUrl', { DownloadTaskId: ids[0], FileId: await fileIdOf(ids[0] as string) });
    expect(expired.code).toBe('DownloadTask.Expired');
  });

  async function fileIdOf(taskId: string): Promise<string> {
    const tasks = ((await list(1, 10)).DownloadTasks as { List: Record<string, unknown>[] }).List;
    const t = tasks.find((x) => x.TaskId === taskId) as Record<string, unknown>;
    return String((t.DownloadTaskFiles as Record<string, unknown>[])[0]?.FileId);
  }
});
