import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Credentials, type IssuedKeys, NonceStore } from './auth/index.js';
import { ChaosRules } from './chaos.js';
import { createClock } from './clock.js';
import { createGateway, type DispatchOutcome, type RequestInput } from './gateway.js';
import { groupCommit, groupRead } from './group-commit.js';
import { RequestLog } from './inspect/request-log.js';
import type { EmulatorOptions } from './options.js';
import { exchange, MAX_HEAD, randomRequestId, requestSteps, runSteps } from './pipeline.js';
import type { EmulatorState } from './state.js';
import { openStore, type Store } from './store/index.js';
import { generateSigningKey, type SigningKey, signingKeyFrom } from './sts/jwt.js';
import { type MetadataHandle, startMetadata } from './sts/metadata.js';
import { type Role, RoleConfigError } from './sts/roles.js';
import { type StsEnv, StsLog } from './sts/service.js';
import { mintOidcToken, oidcTokenRoute, stsService } from './sts/steps.js';

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
  /** The emulated STS and metadata service: their request counts, the metadata URL, a test OIDC token. */
  sts: StsHandle;
  close(): Promise<void>;
}

export interface StsHandle {
  /** Counts of STS actions (AssumeRole, …) and metadata requests (metadata:credentials, …) answered. */
  log: StsLog;
  /** The metadata service's base URL, when started (`sts.metadataPort`). */
  metadataUrl?: string;
  /** A JWT signed with the emulator's test OIDC key (tests; the same as GET /_vn/oidc/token). */
  mintOidcToken(ask?: Parameters<typeof mintOidcToken>[3]): string;
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
    issued: issuedKeysOf(store),
    nonces,
  };
  const gateway = createGateway({ state, handlers, credentials });
  const changes = groupCommit<RequestInput, DispatchOutcome>(store.db, gateway.answer);
  const reads = groupRead<RequestInput, DispatchOutcome>(store.db, gateway.answer);
  const clock = createClock({ virtual: opts.virtualClock, now: opts.now });
  const now = clock.now;
  state.clock = clock;
  const chaos = new ChaosRules([...(opts.faultRate ? [FAULT_RATE_RULE(opts.faultRate)] : []), ...(opts.chaos ?? [])]);
  const readiness = { ready: opts.holdReady !== true };
  // the log knows the emulator's secrets, to keep them out of what it shows
  const requestLog = new RequestLog([...opts.accessKeys.map((k) => k.secret), ...(opts.stsTokens ?? []).map((t) => t.token)]);
  const sts = stsEnv(opts, store, credentials);
  const env = {
    state,
    options: opts,
    now,
    gateway,
    changes,
    reads,
    fileRoutes,
    clock,
    chaos,
    startedAt: clock.wallNow(),
    readiness,
    requestLog,
    routes: [oidcTokenRoute(sts, now)],
    services: [stsService(sts)],
  };
  const steps = requestSteps({ ...env, admin: (await import('./admin/index.js')).adminRoutesStep(env) });
  const shutDown = () => {
    try {
      nonces.close();
    } finally {
      store.close();
    }
  };
  let metadata: MetadataHandle | undefined;
  const server = await listen(opts, steps).catch((err: unknown) => {
    shutDown();
    throw err;
  });
  if (opts.sts?.metadataPort !== undefined) {
    try {
      metadata = await startMetadata({ port: opts.sts.metadataPort, v2Only: opts.sts.imdsV2Only === true, role: metadataRole(opts), store, log: sts.log, now });
    } catch (err) {
      await server.close();
      shutDown();
      throw err;
    }
  }
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
    sts: {
      log: sts.log,
      ...(metadata ? { metadataUrl: metadata.url } : {}),
      mintOidcToken: (ask) => mintOidcToken(sts.signingKey(), sts.setup.oidcProviders, now(), ask),
    },
    async close() {
      if (closed) return;
      closed = true;
      traffic?.stop();
      await metadata?.close();
      await server.close();
      shutDown();
    },
  };
}

/** `--fault-rate R`: one rule on every action. */
const FAULT_RATE_RULE = (rate: number) => ({ actions: ['*'], probability: rate, effect: { kind: 'fault' as const } });

/** Issued keys as the authenticators see them, read from the store (shared by every process on the file). */
function issuedKeysOf(store: Store): IssuedKeys {
  return {
    find(accessKeyId) {
      if (!accessKeyId.startsWith('STS.')) return undefined;
      const row = store.stsKeys.find(accessKeyId);
      if (!row) return undefined;
      return {
        accessKeyId: row.access_key_id,
        secret: row.secret,
        securityToken: row.security_token,
        roleArn: row.role_arn,
        sessionName: row.session_name,
        policy: row.policy,
        expiresAt: row.expire_time,
      };
    },
    ownerOfToken: (token) => store.stsKeys.keyOfToken(token),
  };
}

function stsEnv(opts: EmulatorOptions, store: Store, credentials: Credentials): StsEnv {
  let key: SigningKey | undefined;
  return {
    store,
    credentials,
    setup: { roles: opts.sts?.roles ?? [], oidcProviders: opts.sts?.oidcProviders ?? [] },
    // made (or read from the data file) on first use: an RSA key takes a moment to generate
    signingKey: () => {
      key ??= signingKeyFrom(opts.sts?.oidcSigningKeyPem ?? store.meta.oidcSigningKey(generateSigningKey));
      return key;
    },
    log: new StsLog(),
  };
}

function metadataRole(opts: EmulatorOptions): Role {
  const roles = opts.sts?.roles ?? [];
  const name = opts.sts?.metadataRole;
  const role = name === undefined ? roles[0] : roles.find((r) => r.name === name);
  if (!role)
    throw new RoleConfigError(
      name === undefined ? 'the metadata service needs a role: give one with --role or --roles' : `--metadata-role ${name}: no such role`,
    );
  return role;
}

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
