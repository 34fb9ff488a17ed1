// The emulator must accept the official SDKs unmodified: @alicloud/openapi-core (its default V3
// ACS3-HMAC-SHA256 signature, and the V1 RPC signature it still offers) and @alicloud/pop-core
// (V1, GET and POST). Both are devDependencies; nothing here reimplements their signing.
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import RPCClientModule from '@alicloud/pop-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupAction } from '../../src/api/catalog.js';
import { READONLY_KEY, startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';

// both packages are CommonJS; under ESM their class may sit on .default
const OpenApiClient = ((OpenApiModule as unknown as { default?: unknown }).default ?? OpenApiModule) as new (
  config: $OpenApiUtil.Config,
) => {
  callApi(
    params: $OpenApiUtil.Params,
    request: $OpenApiUtil.OpenApiRequest,
    runtime: RuntimeOptions,
  ): Promise<{ statusCode: number; body: Record<string, unknown> }>;
};
const RPCClient = ((RPCClientModule as unknown as { default?: unknown }).default ?? RPCClientModule) as new (config: {
  accessKeyId: string;
  accessKeySecret: string;
  endpoint: string;
  apiVersion: string;
}) => { request<T = Record<string, unknown>>(action: string, params: Record<string, unknown>, opts: { method: 'GET' | 'POST'; timeout?: number }): Promise<T> };

type Signing = 'v3' | 'v1';

function openApiClient(emu: TestEmulator, signing: Signing, key = TEST_KEY) {
  const config = new $OpenApiUtil.Config({
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    endpoint: emu.url.replace(/^http:\/\//, ''),
    protocol: 'http',
    // 'v2' makes callApi take the RPC path that signs HMAC-SHA1 over the query and form (the seed's 签名机制)
    ...(signing === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
  });
  const client = new OpenApiClient(config);
  return async (action: string, query: Record<string, unknown>, where: 'query' | 'body' = 'query') => {
    const spec = lookupAction(action);
    if (!spec) throw new Error(`no action ${action}`);
    const params = new $OpenApiUtil.Params({
      action,
      version: '2018-06-12',
      protocol: 'HTTP',
      pathname: '/',
      method: spec.method,
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const fields = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const request = new $OpenApiUtil.OpenApiRequest(where === 'query' ? { query: fields } : { body: fields });
    const res = await client.callApi(params, request, new RuntimeOptions({ autoretry: false, maxAttempts: 1 }));
    return res.body;
  };
}

function popClient(emu: TestEmulator, key = TEST_KEY) {
  return new RPCClient({ accessKeyId: key.id, accessKeySecret: key.secret, endpoint: emu.url, apiVersion: '2018-06-12' });
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string; statusCode?: number; data?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

describe.each<Signing>(['v3', 'v1'])('@alicloud/openapi-core signing %s', (signing) => {
  it('creates, describes and lists instances', async () => {
    const call = openApiClient(emu, signing);
    const name = `sdk-openapi-${signing}`;
    const created = await call('CreateInstance', { Name: name, Concurrency: 7, Description: '经 SDK 创建 & more' });
    expect(created.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    const id = created.InstanceId as string;
    expect(id).toBeTruthy();

    const described = await call('DescribeInstance', { InstanceId: id });
    expect(described).toMatchObject({ InstanceId: id, Name: name, Concurrency: 7, Description: '经 SDK 创建 & more' });

    const listed = await call('ListInstances', { PageNumber: 1, PageSize: 50, Name: name });
    expect(listed.TotalCount).toBe(1);
    expect((listed.Instances as { InstanceId: string }[])[0]?.InstanceId).toBe(id);
  });

  it('accepts the parameters in a form body (signed as part of the request)', async () => {
    const call = openApiClient(emu, signing);
    const name = `sdk-openapi-body-${signing}`;
    const created = await call('CreateInstance', { Name: name, Concurrency: 2, Description: 'a=b&c=d 中文' }, 'body');
    // a GET carries no body (the SDK's transport drops it), so DescribeInstance stays in the query
    const described = await call('DescribeInstance', { InstanceId: created.InstanceId });
    expect(described).toMatchObject({ Name: name, Concurrency: 2, Description: 'a=b&c=d 中文' });
  });

  it('reports an unknown instance as an error carrying the service code', async () => {
    const call = openApiClient(emu, signing);
    const err = await rejection(call('DescribeInstance', { InstanceId: 'no-such-instance' }));
    expect(err.code).toBe('InvalidInstanceId.NotFound');
    expect(err.statusCode).toBe(404);
  });

  it('is refused a change with the read-only key (Forbidden.RAM)', async () => {
    const call = openApiClient(emu, signing, READONLY_KEY);
    const err = await rejection(call('CreateInstance', { Name: `ro-${signing}`, Concurrency: 1 }));
    expect(err.code).toBe('Forbidden.RAM');
    expect(err.statusCode).toBe(403);
    const listed = await call('ListInstances', { PageNumber: 1, PageSize: 10 });
    expect(typeof listed.TotalCount).toBe('number');
  });

  it('is refused with a wrong secret (SignatureDoesNotMatch)', async () => {
    const call = openApiClient(emu, signing, { id: TEST_KEY.id, secret: 'wrong-secret' });
    const err = await rejection(call('ListInstances', { PageNumber: 1, PageSize: 10 }));
    expect(err.code).toBe('SignatureDoesNotMatch');
  });
});

describe('a dialogue through the official SDKs', () => {
  it('begins and continues a debug conversation with openapi-core (V3) and pop-core (V1 POST)', async () => {
    const call = openApiClient(emu, 'v3');
    const { InstanceId: instanceId } = await call('CreateInstance', { Name: 'sdk-dialogue', Concurrency: 2 });
    const conversationId = 'sdk-conversation-1';
    const begun = await call('DebugBeginDialogue', { InstanceId: instanceId, ConversationId: conversationId, CallingNumber: '13800000000' });
    expect(typeof begun.TextResponse).toBe('string');
    expect(String(begun.TextResponse).length).toBeGreaterThan(0);
    const answered = await popClient(emu).request<Record<string, unknown>>(
      'DebugDialogue',
      { InstanceId: instanceId, ConversationId: conversationId, Utterance: '我想查余额' },
      { method: 'POST' },
    );
    expect(answered).toMatchObject({ Action: expect.any(String), TextResponse: expect.any(String) });
    expect(answered.RequestId).toBeTruthy();
    const err = await rejection(call('DebugDialogue', { InstanceId: instanceId, ConversationId: 'never-begun', Utterance: '你好' }));
    expect(err.code).toBe('InvalidConversationId.NotFound');
  });
});

describe.each<'GET' | 'POST'>(['GET', 'POST'])('@alicloud/pop-core by %s', (method) => {
  it('creates, describes and lists instances', async () => {
    const client = popClient(emu);
    const name = `sdk-pop-${method} 名称`;
    const created = await client.request<{ InstanceId: string; RequestId: string }>(
      'CreateInstance',
      { Name: name, Concurrency: 3, Description: "quote ' star * tilde ~" },
      { method },
    );
    expect(created.RequestId).toBeTruthy();
    const described = await client.request<Record<string, unknown>>('DescribeInstance', { InstanceId: created.InstanceId }, { method });
    expect(described).toMatchObject({ InstanceId: created.InstanceId, Name: name, Concurrency: 3, Description: "quote ' star * tilde ~" });
    const listed = await client.request<{ TotalCount: number; Instances: { Name: string }[] }>('ListInstances', { PageNumber: 1, PageSize: 100 }, { method });
    expect(listed.Instances.map((i) => i.Name)).toContain(name);
  });

  it('reports an unknown instance as an error carrying the service code', async () => {
    const err = await rejection(popClient(emu).request('DescribeInstance', { InstanceId: 'no-such-instance' }, { method }));
    expect(err.code).toBe('InvalidInstanceId.NotFound');
    expect(err.data?.RequestId).toBeTruthy();
  });

  it('is refused with an unknown key (InvalidAccessKeyId.NotFound)', async () => {
    const err = await rejection(popClient(emu, { id: 'nobody', secret: 'x' }).request('ListInstances', { PageNumber: 1, PageSize: 10 }, { method }));
    expect(err.code).toBe('InvalidAccessKeyId.NotFound');
  });
});
