// The chaos API (issue #24): fault rules by action, instance and probability — an error the model
// lists, throttling with Retry-After, a dropped connection, latency, a slow body — set by flags,
// a file or /_vn/chaos, seen through the official TypeScript SDK.

import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupAction } from '../../src/api/catalog.js';
import { ChaosRuleError, ChaosRules, checkRule, parseChaosText, ruleText } from '../../src/emulator/chaos.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

const OpenApiClient = ((OpenApiModule as unknown as { default?: unknown }).default ?? OpenApiModule) as new (
  config: $OpenApiUtil.Config,
) => {
  callApi(
    params: $OpenApiUtil.Params,
    request: $OpenApiUtil.OpenApiRequest,
    runtime: RuntimeOptions,
  ): Promise<{ statusCode: number; body: Record<string, unknown> }>;
};

function sdk(emu: TestEmulator) {
  const client = new OpenApiClient(
    new $OpenApiUtil.Config({ accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, endpoint: emu.url.replace(/^http:\/\//, ''), protocol: 'http' }),
  );
  return async (action: string, query: Record<string, unknown>) => {
    const spec = lookupAction(action);
    if (!spec) throw new Error(action);
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
    return (await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query: fields }), new RuntimeOptions({ autoretry: false, maxAttempts: 1 }))).body;
  };
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; statusCode?: number; retryAfter?: number; name?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string };
  }
  throw new Error('expected the call to fail');
}

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ chaos: [parseChaosText('DebugDialogue:throttle:1:retry-after=2')] });
});
afterAll(async () => {
  await emu?.stop();
});

describe('a rule that throttles only DebugDialogue', () => {
  it('the official SDK sees Throttling.User and Retry-After on DebugDialogue; every other action works', async () => {
    const call = sdk(emu);
    const { InstanceId } = await call('CreateInstance', { Name: 'chaos-sdk', Concurrency: 2 });
    const begun = await call('DebugBeginDialogue', { InstanceId, ConversationId: 'chaos-c1', CallingNumber: '13800000000' });
    expect(typeof begun.TextResponse).toBe('string');
    const err = await rejection(call('DebugDialogue', { InstanceId, ConversationId: 'chaos-c1', Utterance: '余额' }));
    expect(err.code).toBe('Throttling.User');
    expect(err.name).toBe('ThrottlingError');
    // the SDK reads the gateway's x-acs-retry-after (ms)
    expect(err.retryAfter).toBe(2000);
    expect((await call('DescribeInstance', { InstanceId })).InstanceId).toBe(InstanceId);
  });

  it('answers Retry-After in seconds too, and lists the rule at /_vn/chaos', async () => {
    const res = await fetch(`${emu.url}/?Action=DebugDialogue&Version=2018-06-12`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    const rules = (await (await fetch(`${emu.url}/_vn/chaos`)).json()) as { rules: { id: string; text: string }[] };
    expect(rules.rules.map((r) => r.text)).toEqual(['DebugDialogue:throttle:1:retry-after=2']);
  });
});

describe('/_vn/chaos live', () => {
  it('adds an error rule the model lists (its real status and message), for one instance only, then deletes it', async () => {
    const call = sdk(emu);
    const a = (await call('CreateInstance', { Name: 'chaos-a', Concurrency: 1 })).InstanceId as string;
    const b = (await call('CreateInstance', { Name: 'chaos-b', Concurrency: 1 })).InstanceId as string;
    const add = await fetch(`${emu.url}/_vn/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ actions: 'DescribeInstance', effect: 'error', code: 'InternalServerError', instance: a }),
    });
    expect(add.status).toBe(201);
    const added = ((await add.json()) as { added: { id: string }[] }).added[0]?.id as string;
    const spec = lookupAction('DescribeInstance')?.errors.find((e) => e.code === 'InternalServerError');
    const err = await rejection(call('DescribeInstance', { InstanceId: a }));
    expect(err.code).toBe('InternalServerError');
    expect(err.statusCode).toBe(spec?.http);
    expect((await call('DescribeInstance', { InstanceId: b })).InstanceId).toBe(b);
    expect((await fetch(`${emu.url}/_vn/chaos/${added}`, { method: 'DELETE' })).status).toBe(200);
    expect((await call('DescribeInstance', { InstanceId: a })).InstanceId).toBe(a);
  });

  it('refuses a code the model does not list for the action, naming the ones it does', async () => {
    const r = await fetch(`${emu.url}/_vn/chaos`, { method: 'POST', body: JSON.stringify({ actions: 'ListInstances', effect: 'error', code: 'Nope.Nope' }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { Message: string }).Message).toMatch(/Nope.Nope is not an error the model lists for ListInstances/);
  });

  it('drops the connection, adds latency and slows the body', async () => {
    const put = await fetch(`${emu.url}/_vn/chaos`, {
      method: 'PUT',
      body: JSON.stringify({ rules: ['ListInstances:drop', 'DescribeInstance:latency:1:ms=150', 'DescribeInstance:slow-body:1:ms=200'] }),
    });
    expect(put.status).toBe(200);
    await expect(fetch(`${emu.url}/?Action=ListInstances&Version=2018-06-12`)).rejects.toThrow();
    const started = Date.now();
    const res = await fetch(`${emu.url}/?Action=DescribeInstance&Version=2018-06-12`);
    const headersAt = Date.now() - started;
    await res.text();
    const total = Date.now() - started;
    expect(headersAt).toBeGreaterThanOrEqual(140);
    expect(total - headersAt).toBeGreaterThanOrEqual(150);
    expect((await fetch(`${emu.url}/_vn/chaos`, { method: 'DELETE' })).status).toBe(200);
    const again = await fetch(`${emu.url}/?Action=ListInstances&Version=2018-06-12`);
    expect(again.status).toBe(400);
  });

  it('names the rules that fire, as the request log shows them (Exchange.firedRule)', async () => {
    const rules = new ChaosRules([parseChaosText('Describe*:latency:1:ms=0')]);
    const fired = rules.fire('DescribeInstance', undefined);
    expect(fired.map((r) => `${r.id} ${ruleText(r)}`)).toEqual(['r1 Describe*:latency:1:ms=0']);
    expect(rules.fire('ListInstances', undefined)).toEqual([]);
  });
});

describe('the rule grammar', () => {
  it('reads ACTIONS:EFFECT[:PROBABILITY][:KEY=VALUE…]', () => {
    expect(parseChaosText('DebugDialogue:throttle:0.3:retry-after=2')).toEqual({
      actions: ['DebugDialogue'],
      probability: 0.3,
      effect: { kind: 'throttle', retryAfter: 2 },
    });
    expect(parseChaosText('Describe*,ListInstances:latency:ms=100-300:instance=i-1')).toEqual({
      actions: ['Describe*', 'ListInstances'],
      instance: 'i-1',
      probability: 1,
      effect: { kind: 'latency', delay: { dist: 'uniform', min: 100, max: 300 } },
    });
    expect(parseChaosText('*:slow-body:0.5:ms=300~50').effect).toEqual({ kind: 'slow-body', delay: { dist: 'normal', mean: 300, stddev: 50 } });
    expect(parseChaosText('CreateInstance:error=InvalidInstanceName.Duplicated').effect).toEqual({ kind: 'error', code: 'InvalidInstanceName.Duplicated' });
  });

  it('refuses what it cannot read, one clear message each', () => {
    const bad = (t: string) => () => parseChaosText(t);
    expect(bad('DebugDialogue')).toThrow(/ACTIONS:EFFECT/);
    expect(bad('NoSuchAction:drop')).toThrow(/matches no action/);
    expect(bad('DebugDialogue:explode')).toThrow(/effect must be one of/);
    expect(bad('DebugDialogue:throttle:1.5')).toThrow(/probability/);
    expect(bad('DebugDialogue:throttle:often')).toThrow(/probability/);
    expect(bad('DebugDialogue:latency')).toThrow(/needs ms/);
    expect(bad('DebugDialogue:drop:retry-after=2')).toThrow(/retryAfter does not apply to drop/);
    expect(bad('DebugDialogue:throttle:color=red')).toThrow(/unknown option "color"/);
    expect(() => checkRule({ actions: '*', effect: 'drop', extra: 1 }, 'rule 1')).toThrow(ChaosRuleError);
  });

  it('vn emulator start refuses a bad --chaos with exit 2, before listening', async () => {
    const r = await runVn(['emulator', 'start', '--port', '0', '--data', ':memory:', '--chaos', 'DebugDialogue:explode'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--chaos DebugDialogue:explode: effect must be one of/);
  });
});
