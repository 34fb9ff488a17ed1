import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_SPECS, type ActionName, allActions, type Params } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { DEMO_CHATBOT_ID } from '../../src/emulator/chatbots/demo.js';
import { ServiceError } from '../../src/errors.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { readProvenance } from '../helpers/provenance.js';

/**
 * The contract: one scenario reaches every action of the model on the emulator, through the
 * validating client, and every answer is checked against the model's response shape — each field
 * the model declares is present with its JSON type, and no field is there that the model does not
 * declare. Then every error code the model lists for an action is produced.
 */

type Shape = unknown;

/** Where `value` breaks `shape` (field paths), empty when it conforms. */
function shapeErrors(value: unknown, shape: Shape, path: string, seedOnly: Set<string>): string[] {
  if (typeof shape === 'string') {
    const want = shape === 'long' || shape === 'integer' ? 'number' : shape;
    const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    if (want === 'number' && got === 'number' && !Number.isFinite(value as number)) return [`${path}: not a finite number`];
    return got === want ? [] : [`${path}: expected ${want}, got ${got}`];
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${path}: expected an array`];
    return value.flatMap((v, i) => shapeErrors(v, shape[0], `${path}[${i}]`, seedOnly));
  }
  const fields = shape as Record<string, Shape>;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
  const obj = value as Record<string, unknown>;
  const out: string[] = [];
  for (const [k, s] of Object.entries(fields)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in obj)) {
      // the seed-only structs (DescribeNavigationConfig's AskingBack/Complaining/Repeating) are optional
      if (!seedOnly.has(p.replace(/\[\d+\]/g, '[]'))) out.push(`${p}: missing`);
      continue;
    }
    out.push(...shapeErrors(obj[k], s, p, seedOnly));
  }
  for (const k of Object.keys(obj)) if (!(k in fields)) out.push(`${path ? `${path}.` : ''}${k}: not in the model`);
  return out;
}

let emu: TestEmulator;
let client: Client;
const reached = new Map<ActionName, Record<string, unknown>>();

async function call<A extends ActionName>(action: A, params: Params<A>): Promise<Record<string, unknown>> {
  const res = await client.call<Record<string, unknown>>(action, params);
  reached.set(action, res.data);
  return res.data;
}

async function failure<A extends ActionName>(action: A, params: Params<A>, c: Client = client): Promise<ServiceError> {
  const err = await c.call(action, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `${action} ${JSON.stringify(params)} should fail`).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

// exports become ready a second after they start: the scenario moves the emulator's clock instead of waiting
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

beforeAll(async () => {
  emu = await startTestEmulator({ now: clock });
  client = new Client({
    endpoint: emu.url,
    credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret },
    retries: 0,
    now: () => new Date(clock()),
  });
});
afterAll(async () => emu?.stop());

describe('the shape check', () => {
  it('catches a wrong type, a missing field and a field the model does not have', () => {
    const shape = ACTION_SPECS.DescribeInstance.response;
    const good = reachedLike(shape);
    expect(shapeErrors(good, shape, '', new Set())).toEqual([]);
    expect(shapeErrors({ ...good, Concurrency: '5' }, shape, '', new Set())).toEqual(['Concurrency: expected number, got string']);
    const { Name: _dropped, ...noName } = good;
    expect(shapeErrors(noName, shape, '', new Set())).toEqual(['Name: missing']);
    expect(shapeErrors({ ...good, Extra: 1 }, shape, '', new Set())).toEqual(['Extra: not in the model']);
    expect(shapeErrors({ ...good, ApplicableOperations: [1] }, shape, '', new Set())).toEqual(['ApplicableOperations[0]: expected string, got number']);
  });
});

/** A body that conforms to a (flat) shape. */
function reachedLike(shape: Shape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(shape as Record<string, Shape>)) {
    out[k] = Array.isArray(t) ? [] : t === 'long' || t === 'integer' ? 1 : t === 'boolean' ? true : 'x';
  }
  return out;
}

describe('the emulator keeps the model’s contract', () => {
  it('answers every action in the model’s response shape', async () => {
    const created = await call('CreateInstance', { Name: 'contract', Concurrency: 5, Description: 'the contract test' });
    const id = String(created.InstanceId);
    await call('DescribeInstance', { InstanceId: id });
    await call('ListInstances', { PageNumber: 1, PageSize: 10 });
    await call('ModifyInstance', { InstanceId: id, Concurrency: 6, Name: 'contract-2' });
    await call('ListChatbotInstances', { PageNumber: 1, PageSize: 10 });
    await call('AssociateChatbotInstance', { InstanceId: id, ChatbotInstanceId: DEMO_CHATBOT_ID, ChatbotName: 'demo' });
    await call('DescribeTTSConfig', { InstanceId: id });
    await call('ModifyTTSConfig', { InstanceId: id, Voice: 'aixia', SpeechRate: '100', Volume: '60' });
    await call('AuditTTSVoice', { InstanceId: id, Text: '您好', Voice: 'aixia', SpeechRate: '0', Volume: '50' });
    await call('GetAsrConfig', { ConfigLevel: 2, EntryId: id });
    await call('ModifyAsrConfig', { ConfigLevel: 2, EntryId: id, AppKey: 'k1' });
    await call('DescribeNavigationConfig', { InstanceId: id });
    await call('ModifyGreetingConfig', { InstanceId: id, GreetingWords: '您好，这里是合约测试', SourceType: 'chatbotIntent' });
    await call('ModifySilenceTimeoutConfig', {
      InstanceId: id,
      Prompt: '您还在吗？',
      FinalPrompt: '再见',
      FinalAction: 'HangUp',
      Threshold: 3,
      Timeout: 10,
      SourceType: 'chatbotIntent',
    });
    await call('ModifyUnrecognizingConfig', { InstanceId: id, Prompt: '没听懂', FinalPrompt: '转人工', FinalAction: 'TransferToAgent', Threshold: 3 });

    // a debug conversation, then a live one that reaches every turn action
    await call('DebugBeginDialogue', { InstanceId: id, ConversationId: 'debug-1', CallingNumber: '13800000000' });
    await call('DebugDialogue', { InstanceId: id, ConversationId: 'debug-1', Utterance: '我想查余额' });
    await call('DebugCollectedNumber', { InstanceId: id, ConversationId: 'debug-1', Number: '1' });
    await call('BeginDialogue', { InstanceId: id, ConversationId: 'live-1', CallingNumber: '13800000001', CalledNumber: '10086' });
    await call('Dialogue', { InstanceId: id, ConversationId: 'live-1', Utterance: '我想查余额' });
    await call('CollectedNumber', { InstanceId: id, ConversationId: 'live-1', Number: '1' });
    await call('SilenceTimeout', { InstanceId: id, ConversationId: 'live-1' });
    await call('DescribeConversationContext', { InstanceId: id, ConversationId: 'live-1' });
    await call('EndDialogue', { InstanceId: id, ConversationId: 'live-1' });
    await call('DescribeConversation', { InstanceId: id, ConversationId: 'live-1' });
    await call('ListConversationDetails', { InstanceId: id, ConversationId: 'live-1' });
    await call('ListConversations', { InstanceId: id, PageNumber: 1, PageSize: 10 });
    await call('QueryConversations', { InstanceId: id, PageNumber: 1, PageSize: 10 });
    await call('DescribeStatisticalData', { InstanceId: id, TimeUnit: 'Day' });
    await call('GetRealTimeConcurrency', { InstanceId: id });
    await call('GenerateUploadUrl', { InstanceId: id, FileName: 'live-1.wav' });
    await call('SaveRecording', {
      InstanceId: id,
      ConversationId: 'live-1',
      FileName: 'live-1.wav',
      FilePath: 'oss://contract/record/',
      Duration: '10',
      StartTime: Date.now() - 60_000,
      Type: 'Source',
    });
    await call('DescribeRecording', { InstanceId: id, ConversationId: 'live-1', NeedVoiceSliceRecording: true });

    const exported = await call('ExportConversationDetails', { InstanceId: id });
    await call('ExportStatisticalData', { InstanceId: id, TimeUnit: 'Day', ExportType: 'statistical' });
    offsetMs += 5_000;
    await call('DescribeExportProgress', { InstanceId: id, ExportTaskId: String(exported.ExportTaskId) });
    const tasks = await call('ListDownloadTasks', { PageNumber: 1, PageSize: 10 });
    const task = ((tasks.DownloadTasks as { List: { TaskId: string; DownloadTaskFiles: { FileId: string }[] }[] }).List ?? [])[0];
    expect(task, 'a download task').toBeDefined();
    await call('CreateDownloadUrl', { DownloadTaskId: String(task?.TaskId), FileId: String(task?.DownloadTaskFiles[0]?.FileId) });

    await call('DisableInstance', { InstanceId: id });
    await call('EnableInstance', { InstanceId: id });
    await call('DeleteInstance', { InstanceId: id });

    const notReached = allActions()
      .map((a) => a.name)
      .filter((n) => !reached.has(n));
    expect(notReached, 'actions the scenario did not reach').toEqual([]);
    const broken: string[] = [];
    const provenance = readProvenance();
    for (const [name, body] of reached) {
      const seedOnly = new Set(provenance.actions[name].responseSeedOnly ?? []);
      broken.push(...shapeErrors(body, ACTION_SPECS[name].response, '', seedOnly).map((e) => `${name} ${e}`));
    }
    expect(broken).toEqual([]);
  });

  it('produces every error code the model lists for an action', async () => {
    const produced = new Map<string, Set<string>>();
    const note = (action: ActionName, err: ServiceError) => {
      const set = produced.get(action) ?? new Set<string>();
      set.add(err.code);
      produced.set(action, set);
    };
    const id = String((await call('CreateInstance', { Name: 'errors', Concurrency: 1 })).InstanceId);
    await call('CreateInstance', { Name: 'errors-other', Concurrency: 1 });
    const missing = 'no-such-instance';
    // InvalidInstanceId.NotFound: every action that lists it, with an id that names nothing
    const minimal: { [A in ActionName]?: Params<A> } = {
      DescribeInstance: { InstanceId: missing },
      ModifyInstance: { InstanceId: missing, Concurrency: 1 },
      AuditTTSVoice: { InstanceId: missing, Text: '你好', Voice: 'xiaoyun', SpeechRate: '0', Volume: '50' },
      DescribeTTSConfig: { InstanceId: missing },
      ModifyTTSConfig: { InstanceId: missing, Volume: '50' },
      DescribeNavigationConfig: { InstanceId: missing },
      ModifySilenceTimeoutConfig: {
        InstanceId: missing,
        Prompt: 'p',
        FinalPrompt: 'f',
        FinalAction: 'HangUp',
        Threshold: 3,
        Timeout: 10,
        SourceType: 'chatbotIntent',
      },
      ModifyUnrecognizingConfig: { InstanceId: missing, Prompt: 'p', FinalPrompt: 'f', FinalAction: 'HangUp', Threshold: 3 },
      BeginDialogue: { InstanceId: missing, ConversationId: 'x', CallingNumber: '1' },
      Dialogue: { InstanceId: missing, ConversationId: 'x', Utterance: 'hi' },
      CollectedNumber: { InstanceId: missing, ConversationId: 'x', Number: '1' },
      SilenceTimeout: { InstanceId: missing, ConversationId: 'x' },
      EndDialogue: { InstanceId: missing, ConversationId: 'x' },
      DebugBeginDialogue: { InstanceId: missing, ConversationId: 'x', CallingNumber: '1' },
      DebugDialogue: { InstanceId: missing, ConversationId: 'x', Utterance: 'hi' },
      DebugCollectedNumber: { InstanceId: missing, ConversationId: 'x', Number: '1' },
      DescribeConversationContext: { InstanceId: missing, ConversationId: 'x' },
      DescribeConversation: { InstanceId: missing, ConversationId: 'x' },
      DescribeStatisticalData: { InstanceId: missing, TimeUnit: 'Day' },
      GetRealTimeConcurrency: { InstanceId: missing },
      ListConversationDetails: { InstanceId: missing, ConversationId: 'x' },
      ListConversations: { InstanceId: missing, PageNumber: 1, PageSize: 10 },
      QueryConversations: { InstanceId: missing, PageNumber: 1, PageSize: 10 },
      DescribeExportProgress: { InstanceId: missing, ExportTaskId: 'x' },
      ExportConversationDetails: { InstanceId: missing },
      ExportStatisticalData: { InstanceId: missing, TimeUnit: 'Day', ExportType: 'statistical' },
      DescribeRecording: { InstanceId: missing, ConversationId: 'x' },
      AssociateChatbotInstance: { InstanceId: missing, ChatbotInstanceId: DEMO_CHATBOT_ID },
      DeleteInstance: { InstanceId: missing },
      DisableInstance: { InstanceId: missing },
      EnableInstance: { InstanceId: missing },
    };
    for (const [action, params] of Object.entries(minimal) as [ActionName, Params<ActionName>][]) {
      note(action, await failure(action, params));
    }
    // InvalidConversationId.NotFound: a real instance, a conversation that does not exist
    for (const action of ['SilenceTimeout', 'ListConversationDetails', 'DescribeRecording'] as const) {
      note(action, await failure(action, { InstanceId: id, ConversationId: 'no-such-conversation' }));
    }
    // the instance rules of the seed (7.3, 7.5)
    note('CreateInstance', await failure('CreateInstance', { Name: 'errors', Concurrency: 1 }));
    note('CreateInstance', await failure('CreateInstance', { Name: 'too-big', Concurrency: 100_000 }));
    note('ModifyInstance', await failure('ModifyInstance', { InstanceId: id, Name: 'errors-other', Concurrency: 1 }));
    note('ModifyInstance', await failure('ModifyInstance', { InstanceId: id, Concurrency: 100_000 }));
    // InvalidParameter where the service checks a value the model cannot: a range the wrong way round
    const unchecked = new Client({
      endpoint: emu.url,
      credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret },
      retries: 0,
      validate: false,
    });
    const reversed = { BeginTimeLeftRange: 2_000_000_000_000, BeginTimeRightRange: 1_000_000_000_000 };
    note('DescribeStatisticalData', await failure('DescribeStatisticalData', { InstanceId: id, TimeUnit: 'Day', ...reversed }));
    note('ExportStatisticalData', await failure('ExportStatisticalData', { InstanceId: id, TimeUnit: 'Day', ExportType: '', ...reversed }));
    // …and the model's own refusals, answered by the gateway to a client that skips them
    note('ListInstances', await failure('ListInstances', { PageNumber: 1, PageSize: 0 }, unchecked));
    note('DebugCollectedNumber', await failure('DebugCollectedNumber', { InstanceId: id, ConversationId: 'x', Number: 'abc' }, unchecked));
    note('ListConversations', await failure('ListConversations', { InstanceId: id, PageNumber: 0, PageSize: 10 }, unchecked));
    note('QueryConversations', await failure('QueryConversations', { InstanceId: id, PageNumber: 1, PageSize: 500 }, unchecked));
    note('ExportConversationDetails', await failure('ExportConversationDetails', { InstanceId: id, DebugConversation: 7 }, unchecked));

    const lacking: string[] = [];
    for (const a of allActions()) {
      for (const e of a.errors) {
        // InternalServerError (500) is the service failing; it is produced by fault injection below
        if (e.code === 'InternalServerError') continue;
        if (!produced.get(a.name)?.has(e.code)) lacking.push(`${a.name} ${e.code}`);
      }
    }
    expect(lacking).toEqual([]);
  });

  it('answers InternalServerError (500) as the seed lists it, when a fault is injected', async () => {
    const faulty = await startTestEmulator({ faultRate: 1 });
    const c = new Client({ endpoint: faulty.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0 });
    try {
      const codes = new Set<string>();
      for (let i = 0; i < 40 && !codes.has('InternalServerError'); i++) {
        const err = await c.call('ListInstances', { PageNumber: 1, PageSize: 1 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err instanceof ServiceError) codes.add(err.code);
      }
      expect([...codes]).toContain('InternalServerError');
    } finally {
      await faulty.stop();
    }
  });
});
