import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Credentials, NonceStore } from './auth/index.js';
import { ChaosRules } from './chaos.js';
import { createClock } from './clock.js';
import { createGateway, type DispatchOutcome, type RequestInput } from './gateway.js';
import { groupCommit } from './group-commit.js';
import { RequestLog } from './inspect/request-log.js';
import type { EmulatorOptions } from './options.js';
import { exchange, MAX_HEAD, randomRequestId, requestSteps, runSteps } from './pipeline.js';
import type { EmulatorState } from './state.js';
import { openStore, type Store } from './store/index.js';

/**
 * The emulator's lifecycle: it opens the data file (store/), builds the gateway (gateway.ts) and
 * the request steps (pipeline.ts), listens, and closes cleanly — letting in-flight requests finish.
 */

export type { EmulatorOptions } from './options.js';
export { MAX_HEAD, MAX_HEADER_FIELDS, randomRequestId } from './pipeline.js';

export interface EmulatorHandle {
  url: string;
  port: number;
  state: EmulatorState;
  /** With `holdReady`: from now on /_vn/health answers ready. */
  markReady(): void;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions): Promise<EmulatorHandle> {
  const store = await openStore(opts.dataFile);
  const state: EmulatorState = { store, db: store.db, baseUrl: '', fileKey: store.meta.fileKey(), options: opts };
  const { handlers, fileRoutes } = await (await import('./actions/index.js')).loadHandlers().catch(closing(store));
  // a broken chatbots file is refused at start, not at the first dialogue
  if (opts.chatbotsFile) await loadChatbots(state).catch(closing(store));
  const nonces = new NonceStore(store.nonces);
  const credentials: Credentials = {
    keys: new Map(opts.accessKeys.map((k) => [k.id, k])),
    tokens: new Map((opts.stsTokens ?? []).map((t) => [t.token, t])),
    nonces,
  };
  const gateway = createGateway({ state, handlers, credentials });
  const changes = groupCommit<RequestInput, DispatchOutcome>(store.db, gateway.answer);
  const clock = createClock({ virtual: opts.virtualClock, now: opts.now });
  state.clock = clock;
  const chaos = new ChaosRules([...(opts.faultRate ? [FAULT_RATE_RULE(opts.faultRate)] : []), ...(opts.chaos ?? [])]);
  const readiness = { ready: opts.holdReady !== true };
  // the log knows the emulator's secrets, to keep them out of what it shows
  const requestLog = new RequestLog([...opts.accessKeys.map((k) => k.secret), ...(opts.stsTokens ?? []).map((t) => t.token)]);
  const env = { state, options: opts, now: clock.now, gateway, changes, fileRoutes, clock, chaos, startedAt: clock.wallNow(), readiness, requestLog };
  const steps = requestSteps({ ...env, admin: (await import('./admin/index.js')).adminRoutesStep(env) });
  const shutDown = () => {
    try {
      nonces.close();
    } finally {
      store.close();
    }
  };
  const server = await listen(opts, steps).catch((err: unknown) => {
    shutDown();
    throw err;
  });
  state.baseUrl = opts.publicUrl ?? server.url;
  const traffic = opts.trafficRate ? (await import('./traffic.js')).startTraffic(state, handlers, opts.trafficRate) : undefined;
  let closed = false;
  return {
    url: server.url,
    port: server.port,
    state,
    markReady() {
      readiness.ready = true;
    },
    async close() {
      if (closed) return;
      closed = true;
      traffic?.stop();
      await server.close();
      shutDown();
    },
  };
}

/** `--fault-rate R`: one rule on every action. */
const FAULT_RATE_RULE = (rate: number) => ({ actions: ['*'], probability: rate, effect: { kind: 'fault' as const } });

async function loadChatbots(state: EmulatorState): Promise<void> {
  (await import('./chatbots/load.js')).chatbotCatalog(state);
}

/** Closes the store, then rethrows (a start that fails leaves no file open). */
function closing(store: Store): (err: unknown) => never {
  return (err) => {
    store.close();
    throw err;
  };
}

/** A listening server that runs every request through `steps`, and closes once its requests are done. */
async function listen(opts: EmulatorOptions, steps: ReturnType<typeof requestSteps>): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let idleResolve: (() => void) | undefined;
  const server: Server = createServer({ maxHeaderSize: MAX_HEAD }, (req, res) => {
    inFlight++;
    void runSteps(steps, exchange(req, res)).finally(() => {
      inFlight--;
      if (inFlight === 0) idleResolve?.();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`,
    port: addr.port,
    async close() {
      // stop accepting; let in-flight requests finish; then drop idle keep-alive sockets
      const done = new Promise<void>((r) => server.close(() => r()));
      if (inFlight > 0) await new Promise<void>((r) => (idleResolve = r));
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}

/**
 * A request Node's parser refused before it reached us. A head over MAX_HEAD gets the API error a
 * client can parse (JSON: the URL, and so Format, was not read); anything else malformed the 400
 * Node would send. Either way the connection closes, as the parser cannot find the next request.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const text = JSON.stringify({
      RequestId: randomRequestId(),
      HostId: 'voicenavigator.emulator',
      Code: 'RequestTooLarge',
      Message: `The request line and headers are too large (over ${MAX_HEAD} bytes); send the parameters in a form body.`,
      Recommend: '',
    });
    socket.end(
      `HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
    return;
  }
  socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
}
