import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeTransport, send } from '../../src/client/transport.js';
import { NetworkError } from '../../src/errors.js';

// production's transport (node:http with keep-alive agents, issue #25) against real loopback servers

let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
let server: Server;
let url = '';
const sockets = new Set<Socket>();
const connections: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  server.on('connection', (s) => {
    connections.push(s.remotePort ?? 0);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => closeTransport());
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((ok) => server.close(ok));
});

async function failure(p: Promise<unknown>): Promise<NetworkError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NetworkError);
  return err as NetworkError;
}

describe('the node:http transport', () => {
  it('answers status, headers (repeated ones joined) and a UTF-8 body split mid-character, on one kept-alive connection', async () => {
    const bytes = Buffer.from('{"Name":"客服热线"}');
    handler = (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'x-echo': `${req.method} ${req.url} ${body}` });
        res.write(bytes.subarray(0, 11)); // inside 客
        setTimeout(() => res.end(bytes.subarray(11)), 5);
      });
    };
    connections.length = 0;
    const a = await send({ method: 'POST', url: `${url}/?Action=X`, headers: { 'content-type': 'text/plain' }, body: 'k=v', timeoutMs: 5000 });
    expect(a.status).toBe(200);
    expect(a.body).toBe('{"Name":"客服热线"}');
    expect(a.headers['set-cookie']).toBe('a=1, b=2');
    expect(a.headers['x-echo']).toBe('POST /?Action=X k=v');
    const b = await send({ method: 'GET', url: `${url}/`, headers: {}, timeoutMs: 5000 });
    expect(b.body).toBe('{"Name":"客服热线"}');
    expect(connections).toHaveLength(1);
  });

  it('a connection that breaks mid-answer is a failure that may have been delivered', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 5);
    };
    const err = await failure(send({ method: 'GET', url: `${url}/`, headers: {}, timeoutMs: 5000 }));
    expect(err.message).toMatch(/^the connection broke while reading the answer from 127\.0\.0\.1:\d+ /);
    expect(err.maybeDelivered).toBe(true);
  });

  it('a connection closed after the request arrived, before an answer, may have been delivered', async () => {
    handler = (req) => req.socket.destroy();
    const err = await failure(send({ method: 'POST', url: `${url}/`, headers: {}, body: 'x', timeoutMs: 5000 }));
    expect(err.message).toMatch(/^the connection was closed before an answer from 127\.0\.0\.1:\d+ \(ECONNRESET\)$/);
    expect(err.maybeDelivered).toBe(true);
  });

  it('no answer within the timeout is a failure that may have been delivered', async () => {
    handler = () => undefined;
    const t0 = Date.now();
    const err = await failure(send({ method: 'GET', url: `${url}/`, headers: {}, timeoutMs: 300 }));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err.message).toMatch(/^no answer from 127\.0\.0\.1:\d+ within 0s$/);
    expect(err.maybeDelivered).toBe(true);
  });

  it('a refused connection was not delivered', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    const err = await failure(send({ method: 'POST', url: `http://127.0.0.1:${port}/`, headers: {}, body: 'x', timeoutMs: 5000 }));
    expect(err.message).toBe(`cannot connect to 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(err.maybeDelivered).toBe(false);
  });
});
