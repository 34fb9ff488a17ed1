import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupAction } from '../../src/api/catalog.js';
import { HttpMock, json, type MockRequest } from '../helpers/httpmock.js';
import { runVn } from '../helpers/run.js';

/**
 * `vn apply`'s plan announces a number of writes; the apply must send exactly that many (issue 21:
 * a plan said 3 and the apply sent 4, since a new instance's section writes were left out of the
 * count). Each case plans (--dry-run -o json) and applies the same file against a small fake of the
 * service on the HTTP seam, and compares the plan's count with the write requests the mock saw.
 */

const dir = mkdtempSync(join(tmpdir(), 'vn-plan-count-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK-PLAN',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'plan-secret-value-1',
  VN_ENDPOINT: 'https://vn.test',
  VN_CONFIG_DIR: join(dir, 'config'),
  VN_RETRY_BASE_MS: '0',
};

interface FakeInstance {
  InstanceId: string;
  Name: string;
  Description: string;
  Concurrency: number;
  Status: string;
  tts: Record<string, unknown>;
  nav: Record<string, Record<string, unknown>>;
  asr: Record<string, unknown>;
}

/** What a new instance starts with here: a TTS voice and a status that a file may well ask for too. */
const startsWith = (id: string, name: string, concurrency: number): FakeInstance => ({
  InstanceId: id,
  Name: name,
  Description: '',
  Concurrency: concurrency,
  Status: 'Published',
  tts: { Voice: 'aixia', SpeechRate: 0, Volume: 50, PitchRate: 0, Engine: 'ali', BackgroundMusicName: 'ding' },
  nav: {
    GreetingConfig: { GreetingWords: '您好', IntentTrigger: '', SourceType: 'chatbotIntent' },
    SilenceTimeoutConfig: {
      Prompt: '在吗',
      Timeout: 10,
      Threshold: 3,
      FinalPrompt: '再见',
      FinalAction: 'HangUp',
      FinalActionParams: '{}',
      SourceType: 'chatbotIntent',
    },
    UnrecognizingConfig: { Prompt: '没听懂', Threshold: 3, FinalPrompt: '转人工', FinalAction: 'TransferToAgent', FinalActionParams: '{}' },
  },
  asr: { Engine: 'ali', AsrVocabularyId: '' },
});

/** A small stand-in for the service: reads answer from `instances`; writes are answered and counted (not applied). */
function fakeService(instances: FakeInstance[]): HttpMock {
  const http = new HttpMock();
  let created = 0;
  const byId = (id: string | undefined) => {
    const i = instances.find((x) => x.InstanceId === id);
    if (!i) throw new Error(`fake service: no instance ${id}`);
    return i;
  };
  const answer = (req: MockRequest): unknown => {
    const p = req.params;
    switch (req.action) {
      case 'ListInstances': {
        const list = instances.map(({ tts: _t, nav: _n, asr: _a, ...summary }) => summary);
        return { Instances: list, TotalCount: list.length, PageNumber: 1, PageSize: 50 };
      }
      case 'CreateInstance': {
        const id = `new-${++created}`;
        instances.push(startsWith(id, String(p.Name), Number(p.Concurrency)));
        return { InstanceId: id };
      }
      case 'DescribeInstance': {
        const { tts: _t, nav: _n, asr: _a, ...summary } = byId(p.InstanceId);
        return summary;
      }
      case 'DescribeTTSConfig':
        return byId(p.InstanceId).tts;
      case 'DescribeNavigationConfig':
        return byId(p.InstanceId).nav;
      case 'GetAsrConfig':
        return { Success: true, Code: 'OK', Data: byId(p.EntryId).asr };
      default:
        if (lookupAction(req.action ?? '')?.readOnly === false) return lookupAction(req.action ?? '')?.name === 'ModifyAsrConfig' ? { Success: true } : {};
        throw new Error(`fake service: unexpected ${req.action}`);
    }
  };
  http.register(
    () => true,
    async (req) => json(answer(req))(req),
    { times: Number.POSITIVE_INFINITY },
  );
  return http;
}

const writesSeen = (http: HttpMock) => http.requests.filter((r) => lookupAction(r.action ?? '')?.readOnly === false).map((r) => r.action);

/** Plans the file, then applies it on a fresh copy of the same service; returns both sides. */
async function planAndApply(name: string, yaml: string, live: () => FakeInstance[]) {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const planned = fakeService(live());
  const plan = await runVn(['apply', '-f', file, '--dry-run', '-o', 'json'], { env: ENV, transport: planned });
  expect(plan.code, plan.stderr).toBe(0);
  expect(writesSeen(planned)).toEqual([]);
  const data = JSON.parse(plan.stdout) as { writes: number; instances: { calls: string[] }[] };
  const text = await runVn(['apply', '-f', file, '--dry-run'], { env: ENV, transport: fakeService(live()) });
  const applied = fakeService(live());
  const r = await runVn(['apply', '-f', file, '--yes'], { env: ENV, transport: applied });
  expect(r.code, r.stderr).toBe(0);
  return { data, text: text.stdout, sent: writesSeen(applied), stderr: r.stderr, requests: applied.requests };
}

const existing = (): FakeInstance[] => [
  { ...startsWith('i-1', '热线一号', 5), Description: 'main', tts: { Voice: 'xiaoyun', SpeechRate: 0, Volume: 50, PitchRate: 0 } },
];

describe('the plan’s write count is what the apply sends', () => {
  it('a create: CreateInstance and every section the file sets, even where the new instance already has that value', async () => {
    const { data, text, sent, stderr, requests } = await planAndApply(
      'create',
      [
        'name: 新热线',
        'concurrency: 3',
        'enabled: true',
        'tts: {voice: aixia, volume: 60, backgroundMusicName: ""}',
        'greeting: {greetingWords: 欢迎致电}',
        'silenceTimeout: {timeout: 8, intentTrigger: ""}',
        'asr: {asrVocabularyId: ""}', // sets nothing: no write
        'chatbot: {chatbotInstanceId: chatbot-demo-bank}',
        '',
      ].join('\n'),
      () => [],
    );
    expect(data.instances[0]?.calls).toEqual([
      'CreateInstance',
      'AssociateChatbotInstance',
      'ModifyTTSConfig',
      'ModifyGreetingConfig',
      'ModifySilenceTimeoutConfig',
      'EnableInstance',
    ]);
    expect(sent).toEqual(data.instances[0]?.calls);
    expect(data.writes).toBe(6);
    expect(sent).toHaveLength(data.writes);
    expect(text).toContain('Plan: 1 to create, 0 to update, 0 unchanged; 6 writes.');
    expect(stderr).toContain('applied 6 writes');
    // the new instance's values complete the writes: the file's empty value clears what it starts with
    const ttsWrite = requests.find((q) => q.action === 'ModifyTTSConfig');
    expect(ttsWrite?.params).toMatchObject({ InstanceId: 'new-1', Voice: 'aixia', Volume: '60', BackgroundMusicName: '' });
  });

  it('an update of several sections', async () => {
    const { data, sent } = await planAndApply(
      'modify',
      [
        'name: 热线一号',
        'concurrency: 9',
        'enabled: false',
        'tts: {volume: 70}',
        'greeting: {greetingWords: 新的问候}',
        'unrecognizing: {threshold: 2}',
        'silenceTimeout: {timeout: 10}', // as it is: no write
        '',
      ].join('\n'),
      existing,
    );
    expect(data.writes).toBe(5);
    expect(sent).toEqual(['ModifyInstance', 'ModifyTTSConfig', 'ModifyGreetingConfig', 'ModifyUnrecognizingConfig', 'DisableInstance']);
  });

  it('tts and ivr sections across an update and a create in one file (the 3-versus-4 of issue 21)', async () => {
    const { data, sent, stderr } = await planAndApply(
      'both',
      ['name: 热线一号', 'tts: {voice: aixia}', 'silenceTimeout: {threshold: 5}', '---', 'name: 热线二号', 'concurrency: 2', 'tts: {voice: aixia}', ''].join(
        '\n',
      ),
      existing,
    );
    expect(data.writes).toBe(4);
    expect(sent).toEqual(['ModifyTTSConfig', 'ModifySilenceTimeoutConfig', 'CreateInstance', 'ModifyTTSConfig']);
    expect(stderr).toContain('applied 4 writes');
  });
});

describe('a create plan', () => {
  it('shows the fields the file sets, not the empty ones an export carries', async () => {
    const file = join(dir, 'exported.yaml');
    writeFileSync(
      file,
      [
        'name: 空字段热线',
        'description: ""',
        'concurrency: 2',
        'tts: {voice: aixia, engineXunfei: "", appKey: "", extParams: ""}',
        'greeting: {greetingWords: 你好, intentTrigger: ""}',
        'asr: {asrVocabularyId: "", asrOverrides: ""}',
        '',
      ].join('\n'),
    );
    const r = await runVn(['apply', '-f', file, '--dry-run'], { env: ENV, transport: fakeService([]) });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('    ') && !l.includes('note:'))).toEqual([
      '    name: 空字段热线',
      '    concurrency: 2',
      '    tts.voice: aixia',
      '    greeting.greetingWords: 你好',
    ]);
    expect(r.stdout).toContain('7 empty fields not shown');
    expect(r.stdout).toContain('+ create 空字段热线 — CreateInstance, ModifyTTSConfig, ModifyGreetingConfig');
    const data = JSON.parse((await runVn(['apply', '-f', file, '--dry-run', '-o', 'json'], { env: ENV, transport: fakeService([]) })).stdout);
    expect(data.instances[0].changes).toEqual([
      { section: 'instance', field: 'name', to: '空字段热线' },
      { section: 'instance', field: 'concurrency', to: 2 },
      { section: 'tts', field: 'voice', to: 'aixia' },
      { section: 'greeting', field: 'greetingWords', to: '你好' },
    ]);
  });
});
