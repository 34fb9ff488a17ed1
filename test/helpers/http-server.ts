import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  /** Query and form parameters merged. */
  params: Record<string, string>;
}

export type Responder = (req: Recorded, res: ServerResponse, index: number) => void;

/** A real loopback HTTP server that records every request and answers through `respond`. */
export async function startRecordingServer(respond: Responder): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://test');
      const params: Record<string, string> = Object.fromEntries(url.searchParams);
      if (String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
      const rec = { method: req.method ?? '', url, headers: req.headers, body, params };
      requests.push(rec);
      respond(rec, res, requests.length - 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
