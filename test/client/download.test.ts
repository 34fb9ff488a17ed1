import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadToFile } from '../../src/client/download.js';
import { NetworkError, ServiceError, UsageError } from '../../src/errors.js';
import { IOStreams } from '../../src/output/iostreams.js';
import { bar, progressBar } from '../../src/output/progress.js';
import { tempDir } from '../helpers/run.js';

const BODY = randomBytes(300_000);

/** A loopback file server whose misbehaviour each path picks. */
let server: Server;
let base: string;
let hits: string[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  hits.push(path);
  switch (path) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': BODY.length });
      res.end(BODY);
      return;
    case '/chunked':
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write(BODY.subarray(0, 1000));
      setTimeout(() => res.end(BODY.subarray(1000)), 10);
      return;
    case '/drop-midway':
      // half the body, then the connection dies
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, BODY.length / 2), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    case '/short-body':
      // says 1000 bytes, sends 400 and closes cleanly
      res.writeHead(200, { 'content-length': 1000 });
      res.write(BODY.subarray(0, 400), () => res.socket?.end());
      return;
    case '/stall':
      res.writeHead(200, { 'content-length': 1000 });
      res.write(BODY.subarray(0, 10));
      return;
    case '/redirect':
      res.writeHead(302, { location: '/ok' });
      res.end();
      return;
    case '/expired':
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>');
      return;
    default:
      res.writeHead(404);
      res.end('no such file');
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('vn-dl-'));
  hits = [];
});
afterEach(() => cleanup());

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the download to fail');
}

function leftovers(): string[] {
  return readdirSync(dir);
}

describe('downloadToFile', () => {
  it('writes the whole body, reports progress and leaves no part file', async () => {
    const target = join(dir, 'rec.wav');
    const seen: { received: number; total?: number }[] = [];
    const res = await downloadToFile(`${base}/ok`, target, { onProgress: (p) => seen.push({ ...p }) });
    expect(res.bytes).toBe(BODY.length);
    expect(res.path).toBe(target);
    expect(res.contentType).toBe('audio/wav');
    expect(readFileSync(target).equals(BODY)).toBe(true);
    expect(leftovers()).toEqual(['rec.wav']);
    expect(seen[0]).toEqual({ received: 0, total: BODY.length });
    expect(seen.at(-1)).toEqual({ received: BODY.length, total: BODY.length });
  });

  it('accepts a body without Content-Length', async () => {
    const target = join(dir, 'out.csv');
    const res = await downloadToFile(`${base}/chunked`, target);
    expect(res.bytes).toBe(BODY.length);
    expect(readFileSync(target).equals(BODY)).toBe(true);
  });

  it('follows a redirect', async () => {
    const target = join(dir, 'r.bin');
    await downloadToFile(`${base}/redirect`, target);
    expect(readFileSync(target).equals(BODY)).toBe(true);
    expect(hits).toEqual(['/redirect', '/ok']);
  });

  it('refuses an existing target before sending anything', async () => {
    const target = join(dir, 'keep.wav');
    writeFileSync(target, 'precious');
    const err = await failure(downloadToFile(`${base}/ok`, target));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/already exists.*--force/);
    expect(hits).toEqual([]);
    expect(readFileSync(target, 'utf8')).toBe('precious');
  });

  it('refuses a target in a missing directory, or a directory, before sending anything', async () => {
    expect(await failure(downloadToFile(`${base}/ok`, join(dir, 'nope', 'x.wav')))).toBeInstanceOf(UsageError);
    expect(await failure(downloadToFile(`${base}/ok`, dir, { force: true }))).toBeInstanceOf(UsageError);
    expect(hits).toEqual([]);
  });

  it('replaces an existing target with force', async () => {
    const target = join(dir, 'keep.wav');
    writeFileSync(target, 'old');
    await downloadToFile(`${base}/ok`, target, { force: true });
    expect(readFileSync(target).equals(BODY)).toBe(true);
    expect(leftovers()).toEqual(['keep.wav']);
  });

  it('leaves no file when the connection drops midway', async () => {
    const target = join(dir, 'rec.wav');
    const err = await failure(downloadToFile(`${base}/drop-midway`, target));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).exitCode).toBe(3);
    expect(err.message).toMatch(/failed after \d+ of 300000 bytes/);
    expect(leftovers()).toEqual([]);
  });

  it('leaves no file when the body is shorter than its Content-Length', async () => {
    const target = join(dir, 'rec.wav');
    const err = await failure(downloadToFile(`${base}/short-body`, target));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toMatch(/1000/);
    expect(leftovers()).toEqual([]);
  });

  it('keeps the old target when a forced download fails', async () => {
    const target = join(dir, 'keep.wav');
    writeFileSync(target, 'old');
    expect(await failure(downloadToFile(`${base}/drop-midway`, target, { force: true }))).toBeInstanceOf(NetworkError);
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(leftovers()).toEqual(['keep.wav']);
  });

  it('gives up on a stalled body after the timeout', async () => {
    const target = join(dir, 'rec.wav');
    const err = await failure(downloadToFile(`${base}/stall`, target, { timeoutMs: 300 }));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toMatch(/no data/);
    expect(leftovers()).toEqual([]);
  });

  it('turns a refusal from the file server into a service error with its code', async () => {
    const target = join(dir, 'rec.wav');
    const err = await failure(downloadToFile(`${base}/expired`, target));
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('AccessDenied');
    expect((err as ServiceError).httpStatus).toBe(403);
    expect(err.message).toMatch(/expired/);
    const missing = await failure(downloadToFile(`${base}/missing`, target));
    expect((missing as ServiceError).code).toBe('HTTP404');
    expect(leftovers()).toEqual([]);
  });

  it('says when nothing listens at the address', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await failure(downloadToFile(`http://127.0.0.1:${port}/x`, join(dir, 'x')));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).maybeDelivered).toBe(false);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});

describe('progressBar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    expect(progressBar('x', IOStreams.test({ tty: { stderr: false } }).io)).toBeUndefined();
  });

  it('redraws one line with the share done, and clears it at the end', () => {
    const term = IOStreams.test({ tty: { stderr: true }, columns: 80 });
    let t = 0;
    const p = progressBar('out.csv', term.io, { now: () => t });
    p?.update({ received: 0, total: 2048 });
    t += 10;
    p?.update({ received: 1024, total: 2048 }); // throttled
    t += 100;
    p?.update({ received: 2048, total: 2048 });
    p?.done();
    const text = term.stderr();
    const frames = text.split('\r\x1b[2K').filter(Boolean);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/^out\.csv +0% 0 B \/ 2\.0 KiB$/);
    expect(frames[1]).toMatch(/^out\.csv █+ 100% 2\.0 KiB \/ 2\.0 KiB$/);
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('fills bars in eighths', () => {
    expect(bar(0.5, 4)).toBe('██  ');
    expect(bar(0.5, 1)).toBe('▌');
    expect(bar(1 / 16, 2)).toBe('▏ ');
    expect(bar(2, 3)).toBe('███');
  });
});
