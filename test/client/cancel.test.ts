import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import type { Transport } from '../../src/client/transport.js';
import { Cancelled } from '../../src/errors.js';

// a service that takes every request and never answers (a turn stuck on the service's side)
const pending: ServerResponse[] = [];
let received = 0;
const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
  received++;
  pending.push(res);
});
let url: string;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of pending) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const credentials = { accessKeyId: 'ak', accessKeySecret: 'secret' };

describe('a call with an AbortSignal', () => {
  it('ends with Cancelled as soon as the signal aborts, and is never re-sent (a read-only call neither)', async () => {
    const client = new Client({ endpoint: url, credentials, timeoutMs: 30_000, retries: 3, backoffMs: 1 });
    const before = received;
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const err = await client.call('DescribeInstance', { InstanceId: 'i-1' }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Cancelled);
    expect((err as Cancelled).exitCode).toBe(130);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(received - before).toBe(1);
  });

  it('is cancelled even through a transport that does not watch the signal', async () => {
    const deaf: Transport = { send: () => new Promise(() => {}) };
    const client = new Client({ endpoint: url, credentials, transport: deaf, retries: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      client.call('DebugDialogue', { InstanceId: 'i-1', ConversationId: 'c-1', Utterance: 'hi' }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(Cancelled);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const before = received;
    const client = new Client({ endpoint: url, credentials });
    await expect(client.call('DescribeInstance', { InstanceId: 'i-1' }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(Cancelled);
    expect(received).toBe(before);
  });
});
