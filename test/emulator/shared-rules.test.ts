import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { type EmulatorHandle, startEmulator } from '../../src/emulator/http.js';
import { TEST_KEY } from '../helpers/emulator.js';
import { tempDir } from '../helpers/run.js';

// Two emulators on one data file, as separate `vn --profile local` processes share one: a dialogue
// turn reads the stored navigation config each time (only its parse is cached), so a config the
// other one changed counts from the next turn on.
const files = tempDir('vn-shared-rules-');
let a: EmulatorHandle;
let b: EmulatorHandle;

function client(e: EmulatorHandle): Client {
  return new Client({ endpoint: e.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
}

async function call(e: EmulatorHandle, action: ActionName, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await client(e).call(action, params)).data;
}

beforeAll(async () => {
  const opts = { host: '127.0.0.1', port: 0, dataFile: join(files.dir, 'shared.db'), accessKeys: [{ ...TEST_KEY, policy: 'full' as const }] };
  a = await startEmulator(opts);
  b = await startEmulator(opts);
});

afterAll(async () => {
  await a.close();
  await b.close();
  files.cleanup();
});

describe('navigation rules shared through the data file', () => {
  it('a dialogue on one emulator follows the config another one changed, turn by turn', async () => {
    const { InstanceId } = (await call(a, 'CreateInstance', { Name: `shared-${randomUUID()}`, Concurrency: 5 })) as { InstanceId: string };
    const conversation = { InstanceId, ConversationId: randomUUID() };
    await call(a, 'DebugBeginDialogue', { ...conversation, CallingNumber: '13800000000' });
    const say = async (Utterance: string) => (await call(a, 'DebugDialogue', { ...conversation, Utterance })).TextResponse;
    // the default rules: the first unrecognized utterance gets the prompt
    expect(await say('今天天气怎么样')).toBe('抱歉，我无法理解您的意思');

    await call(b, 'ModifyUnrecognizingConfig', { InstanceId, Prompt: '请换个说法', Threshold: 5, FinalPrompt: '再见', FinalAction: 'HangUp' });
    expect(await say('今天天气怎么样')).toBe('请换个说法');

    await call(b, 'ModifyUnrecognizingConfig', { InstanceId, Prompt: '还是不明白', Threshold: 5, FinalPrompt: '再见', FinalAction: 'HangUp' });
    expect(await say('我想办信用卡')).toBe('还是不明白');
    // and knowledge is still answered with the bot's answer, plus the asking-back prompt
    expect(await say('查余额')).toMatch(/余额.*请问还有什么可以帮您？$/);
  });
});
