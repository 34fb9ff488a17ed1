// Every action of the catalog, asked for as the classic Python SDK (aliyun-python-sdk-core 2.16)
// asks: its RPC shape (client-shapes.ts), Python's True for booleans, and its error parsing. The
// gateway lets each through to the service, and each error path — a wrong secret, an unknown key,
// a read-only key writing — comes back as the SDK reads it, with its code and a RequestId.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allActions } from '../../src/api/catalog.js';
import { READONLY_KEY, startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { type PythonOptions, type PyValue, pythonRpcRequest, sendPython } from './client-shapes.js';

let emu: TestEmulator;
let instanceId: string;
let conversationId: string;

/** The codes the gateway itself answers with: none of them may come back for a well-formed SDK request. */
const GATEWAY_CODES = [
  'SignatureDoesNotMatch',
  'InvalidAccessKeySecret',
  'InvalidSignatureMethod',
  'InvalidSignatureVersion',
  'InvalidTimeStamp.Format',
  'InvalidTimeStamp.Expired',
  'SignatureNonceUsed',
  'InvalidAccessKeyId.NotFound',
  'InvalidAction.NotFound',
  'InvalidVersion',
  'Forbidden.RAM',
  'RequestTooLarge',
];

/** The read-only policy as docs/emulator.md states it (List*, Describe*, Query*, Get*, Export*, CreateDownloadUrl). */
const readOnlyAllows = (name: string) => /^(List|Describe|Query|Get|Export)/.test(name) || name === 'CreateDownloadUrl';

/** What the action's request class would carry: its required parameters, typed as Python sends them. */
function requiredParams(name: string): Record<string, PyValue> {
  const action = allActions().find((a) => a.name === name);
  if (!action) throw new Error(name);
  const out: Record<string, PyValue> = {};
  for (const p of action.params.filter((x) => x.required)) {
    if (p.name === 'InstanceId') out[p.name] = instanceId;
    else if (p.name === 'ConversationId') out[p.name] = conversationId;
    else if (p.type === 'integer' || p.type === 'long') out[p.name] = p.name === 'PageSize' ? 10 : 1;
    else if (p.type === 'boolean') out[p.name] = true;
    else out[p.name] = p.example ?? 'x';
  }
  return out;
}

function python(name: string, o: Partial<PythonOptions> = {}) {
  const action = allActions().find((a) => a.name === name);
  const params = requiredParams(name);
  // GenerateUploadUrlRequest sets its parameters with add_body_params; the other classes with add_query_param
  const inBody = name === 'GenerateUploadUrl';
  return pythonRpcRequest(emu.url, name, inBody ? {} : params, {
    key: TEST_KEY,
    method: action?.method as 'GET' | 'POST',
    ...(inBody ? { body: params } : {}),
    ...o,
  });
}

beforeAll(async () => {
  emu = await startTestEmulator();
  const created = await sendPython(pythonRpcRequest(emu.url, 'CreateInstance', { Name: 'python-shapes', Concurrency: 5 }, { key: TEST_KEY }));
  instanceId = created.body.InstanceId as string;
  conversationId = randomUUID();
  const begun = await sendPython(
    pythonRpcRequest(emu.url, 'BeginDialogue', { InstanceId: instanceId, ConversationId: conversationId, CallingNumber: '13800000000' }, { key: TEST_KEY }),
  );
  expect(begun.status).toBe(200);
});
afterAll(async () => {
  await emu?.stop();
});

describe('Python booleans', () => {
  it('NeedVoiceSliceRecording=True (str(True)) is a boolean', async () => {
    const got = await sendPython(
      pythonRpcRequest(
        emu.url,
        'DescribeRecording',
        { InstanceId: instanceId, ConversationId: conversationId, NeedVoiceSliceRecording: true },
        { key: TEST_KEY },
      ),
    );
    expect(got.status).toBe(200);
    expect(typeof got.body.VoiceSliceRecordingListJson).toBe('string');
  });
});

// DeleteInstance last: it removes the instance the others use
const names = allActions()
  .map((a) => a.name)
  .sort((a, b) => Number(a === 'DeleteInstance') - Number(b === 'DeleteInstance'));

describe.each(names)('%s in the Python SDK’s shape', (name) => {
  it('a wrong secret is InvalidAccessKeySecret to the SDK, an unknown key InvalidAccessKeyId.NotFound, each with a RequestId', async () => {
    const wrong = await sendPython(python(name, { signWith: 'not-the-secret' }));
    expect({ status: wrong.status, code: wrong.code }).toEqual({ status: 400, code: 'InvalidAccessKeySecret' });
    expect(wrong.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const unknown = await sendPython(python(name, { key: { id: 'nobody', secret: 'x' } }));
    expect({ status: unknown.status, code: unknown.code }).toEqual({ status: 404, code: 'InvalidAccessKeyId.NotFound' });
  });

  it(`the read-only key is ${readOnlyAllows(name) ? 'let through' : 'refused with Forbidden.RAM and its AccessDeniedDetail'}`, async () => {
    const got = await sendPython(python(name, { key: READONLY_KEY }));
    if (readOnlyAllows(name)) {
      expect(got.code).not.toBe('Forbidden.RAM');
    } else {
      expect({ status: got.status, code: got.code }).toEqual({ status: 403, code: 'Forbidden.RAM' });
      expect(got.body.AccessDeniedDetail).toMatchObject({ AuthAction: `voicebot:${name}` });
    }
  });

  it('the full-access key gets past the gateway to the service', async () => {
    const got = await sendPython(python(name));
    expect(got.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(GATEWAY_CODES).not.toContain(got.code);
    expect(String(got.code ?? '')).not.toMatch(/^Missing/);
  });
});
