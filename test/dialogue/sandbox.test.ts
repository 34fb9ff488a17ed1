import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { openSandbox, type Sandbox } from '../../src/dialogue/sandbox.js';
import { demoChatbot } from '../../src/emulator/chatbots/demo.js';
import { UsageError } from '../../src/errors.js';

const clientFor = async (url: string, key: { id: string; secret: string }) =>
  new Client({ endpoint: url, credentials: { accessKeyId: key.id, accessKeySecret: key.secret }, retries: 0 });

const HOTLINE = readFileSync(new URL('../../examples/hotline.yaml', import.meta.url), 'utf8');

let open: Sandbox[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

describe('openSandbox', () => {
  it('seeds an in-memory emulator from a manifest file text and answers with the demo bot', async () => {
    const s = await openSandbox({ manifest: HOTLINE, clientFor });
    open.push(s);
    expect(s.instances).toEqual([{ id: s.instanceId, name: '示例热线' }]);
    const nav = (await s.client.call('DescribeNavigationConfig', { InstanceId: s.instanceId })).data as Record<string, Record<string, unknown>>;
    expect(nav.SilenceTimeoutConfig?.FinalAction).toBe('HangUp');
    expect(nav.UnrecognizingConfig?.Threshold).toBe(2);
    const begin = (await s.client.call('DebugBeginDialogue', { InstanceId: s.instanceId, ConversationId: 'c1', CallingNumber: '13800000000' })).data;
    expect(JSON.stringify(begin)).toContain('您好，欢迎致电示例热线');
    const turn = (await s.client.call('DebugDialogue', { InstanceId: s.instanceId, ConversationId: 'c1', Utterance: '我想贷款' })).data;
    expect(JSON.stringify(turn)).toContain('loanSkillGroup');
  });

  it('takes manifest objects (a pinned id is mapped back) and a bot given as data', async () => {
    const bot = demoChatbot();
    bot.id = 'chatbot-mutant';
    (bot.intents[3] as { params: string }).params = '{"skillGroupId":"otherGroup"}';
    const doc = { apiVersion: 'vn/v1', kind: 'Instance', name: 'a', concurrency: 1, id: 'live-id-1', chatbot: { chatbotInstanceId: 'chatbot-on-the-service' } };
    const s = await openSandbox({ manifest: [doc, { apiVersion: 'vn/v1', kind: 'Instance', name: 'b', concurrency: 1 }], chatbots: [bot], clientFor });
    open.push(s);
    expect(s.instances.map((i) => [i.name, i.sourceId])).toEqual([
      ['a', 'live-id-1'],
      ['b', undefined],
    ]);
    expect(doc.id).toBe('live-id-1'); // the caller's object is not changed
    await s.client.call('DebugBeginDialogue', { InstanceId: s.instanceId, ConversationId: 'c2', CallingNumber: '13800000000' });
    const turn = (await s.client.call('DebugDialogue', { InstanceId: s.instanceId, ConversationId: 'c2', Utterance: '我想贷款' })).data;
    expect(JSON.stringify(turn)).toContain('otherGroup');
  });

  it('refuses a bad manifest with its place (exit 2) and leaves nothing running', async () => {
    const err = await openSandbox({ manifest: { apiVersion: 'vn/v1', kind: 'Instance', name: 'x', silenceTimeout: { threshold: 'many' } }, clientFor }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/the sandbox manifest:\d+:\d+: .*threshold/);
    expect((err as { exitCode?: number }).exitCode).toBe(2);
  });

  it('refuses a chatbots file that cannot be read as a usage error', async () => {
    const err = await openSandbox({ manifest: HOTLINE, chatbots: '/nonexistent/bots.yaml', clientFor }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('/nonexistent/bots.yaml');
  });

  it('close() stops the emulator, and is safe twice', async () => {
    const s = await openSandbox({ manifest: HOTLINE, clientFor });
    await s.close();
    await s.close();
    await expect(s.client.call('ListInstances', {})).rejects.toThrow();
  });
});
