import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Store } from '../store/index.js';
import type { Role } from './roles.js';
import { type IssuedCredentials, isoSeconds, issue, type StsLog } from './service.js';

/**
 * The ECS instance metadata service, as far as RAM roles go, on a loopback port of its own
 * (`--metadata-port`): IMDSv2's session token (PUT /latest/api/token with
 * X-aliyun-ecs-metadata-token-ttl-seconds), the instance's role name
 * (GET /latest/meta-data/ram/security-credentials/) and its temporary key (…/<role name>), issued
 * by the emulated STS and so accepted by the API. With `v2Only` a request without a valid session
 * token is refused (401), as an instance that enforces IMDSv2 refuses it. (docs/emulator.md)
 */

export interface MetadataOptions {
  port: number;
  v2Only: boolean;
  role: Role;
  store: Store;
  log: StsLog;
  now: () => number;
}

export interface MetadataHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CREDENTIALS_PATH = '/latest/meta-data/ram/security-credentials/';
const TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
/** IMDSv2: a session token lives 1 s to 6 h. */
const MAX_TOKEN_TTL = 21600;

export async function startMetadata(opts: MetadataOptions): Promise<MetadataHandle> {
  const sessions = new Map<string, number>();
  let current: { creds: IssuedCredentials; issuedAt: number; expiresAt: number } | undefined;
  const lifeMs = opts.role.maxSessionDuration * 1000;

  const credentials = (now: number) => {
    // the instance's key is renewed once half its life has passed, as ECS renews ahead of expiry
    if (!current || now - current.issuedAt >= lifeMs / 2) {
      const creds = issue({ store: opts.store }, opts.role, 'ecs-instance', opts.role.policy, opts.role.maxSessionDuration, 'ecs-metadata', now);
      current = { creds, issuedAt: now, expiresAt: now + lifeMs };
    }
    return current;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const now = opts.now();
    const path = (req.url ?? '/').split('?')[0] as string;
    const text = (status: number, body: string, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'PUT' && path === '/latest/api/token') {
      opts.log.record('metadata:token');
      const ttlText = req.headers[TTL_HEADER];
      const ttl = Number(ttlText);
      if (typeof ttlText !== 'string' || !/^\d+$/.test(ttlText) || ttl < 1 || ttl > MAX_TOKEN_TTL) {
        return text(400, `${TTL_HEADER} must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL}`);
      }
      for (const [t, at] of sessions) if (at <= now) sessions.delete(t);
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, now + ttl * 1000);
      return text(200, token);
    }
    if (req.method !== 'GET') return text(405, 'Method Not Allowed');
    const token = req.headers[TOKEN_HEADER];
    if (typeof token === 'string') {
      const until = sessions.get(token);
      if (until === undefined || until <= now) return text(401, 'Unauthorized: the metadata token is invalid or expired');
    } else if (opts.v2Only) {
      opts.log.record('metadata:refused');
      return text(401, 'Unauthorized: this instance requires IMDSv2 (PUT /latest/api/token first)');
    }
    if (path === CREDENTIALS_PATH || path === CREDENTIALS_PATH.slice(0, -1)) {
      opts.log.record('metadata:role');
      return text(200, opts.role.name);
    }
    if (path.startsWith(CREDENTIALS_PATH)) {
      const name = decodeURIComponent(path.slice(CREDENTIALS_PATH.length));
      if (name !== opts.role.name) return text(404, 'Not Found');
      opts.log.record('metadata:credentials');
      const { creds, issuedAt } = credentials(now);
      const body = {
        AccessKeyId: creds.Credentials.AccessKeyId,
        AccessKeySecret: creds.Credentials.AccessKeySecret,
        Expiration: creds.Credentials.Expiration,
        SecurityToken: creds.Credentials.SecurityToken,
        LastUpdated: isoSeconds(issuedAt),
        Code: 'Success',
      };
      return text(200, JSON.stringify(body), 'application/json');
    }
    return text(404, 'Not Found');
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`Internal error: ${(err as Error).message}`);
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // loopback only: the real service is link-local to its instance; nothing else may reach this one
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
