import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookupAction } from '../../src/api/catalog.js';

/** What the proxy does with one request instead of passing it on. */
export type Fault =
  /** Passes it on, lets the emulator carry it out, then drops the connection: the answer is lost. */
  | 'lose-answer'
  /** Answers HTTP 500 InternalError without passing it on. */
  | 'error-500';

export interface CountingProxy {
  url: string;
  /** Every request's Action, in arrival order. */
  actions: string[];
  /** The actions that change state (not read-only in the catalog). */
  writes(): string[];
  reset(): void;
  /** Decides a fault per request: its Action and how many writes came before it. */
  fault?: (action: string, writesBefore: number) => Fault | undefined;
  close(): Promise<void>;
}

function actionOf(req: IncomingMessage, body: string): string {
  const header = req.headers['x-acs-action'];
  if (typeof header === 'string') return header;
  const url = new URL(req.url ?? '/', 'http://x');
  return url.searchParams.get('Action') ?? new URLSearchParams(body).get('Action') ?? '?';
}

/**
 * A loopback HTTP proxy in front of an emulator that records every request's Action (the proof of
 * how many writes a command sent) and can inject a fault at a chosen request.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const proxy: CountingProxy = {
    url: '',
    actions: [],
    writes() {
      return this.actions.filter((a) => lookupAction(a)?.readOnly === false);
    },
    reset() {
      this.actions.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const action = actionOf(req, raw.toString('utf8'));
      const writesBefore = proxy.writes().length;
      proxy.actions.push(action);
      const fault = proxy.fault?.(action, writesBefore);
      if (fault === 'error-500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Code: 'InternalError', Message: 'injected by the test proxy', RequestId: 'PROXY-500' }));
        return;
      }
      const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (ures) => {
        const body: Buffer[] = [];
        ures.on('data', (c: Buffer) => body.push(c));
        ures.on('end', () => {
          if (fault === 'lose-answer') {
            req.socket.destroy();
            return;
          }
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          res.end(Buffer.concat(body));
        });
      });
      up.on('error', () => req.socket.destroy());
      up.end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
