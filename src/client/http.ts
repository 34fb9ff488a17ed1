import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_S } from '../defaults.js';
import { Cancelled, NetworkError, ServiceError } from '../errors.js';
import { redact } from '../redact.js';
import { type HttpRequest, type HttpResponse, httpTransport, type Transport } from './transport.js';

/**
 * What every request vn sends shares, whatever the product, the version or the signing: the
 * transport, the timeout, retries with full-jitter backoff, and the --debug trace (redacted).
 * `Client` (signed OpenAPI calls) sends through it; `getJson`/`request` serve plain endpoints
 * (a metadata service) with the same rules and no signing.
 */
export interface HttpPolicy {
  /** Default: node:http's transport (loaded on the first request). */
  transport?: Transport;
  timeoutMs?: number;
  retries?: number;
  /** Base of the exponential backoff, in ms (full jitter). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Receives trace lines for --debug (redacted here). */
  debug?: (line: string) => void;
  userAgent?: string;
}

export interface PlainRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export class HttpCaller {
  readonly transport: Transport;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;

  constructor(private readonly policy: HttpPolicy = {}) {
    this.transport = policy.transport ?? httpTransport;
    this.timeoutMs = policy.timeoutMs ?? DEFAULT_TIMEOUT_S * 1000;
    this.retries = policy.retries ?? DEFAULT_RETRIES;
    this.backoffMs = policy.backoffMs ?? 200;
  }

  get userAgent(): string {
    return this.policy.userAgent ?? 'vn-cli';
  }

  get tracing(): boolean {
    return this.policy.debug !== undefined;
  }

  trace(line: string): void {
    this.policy.debug?.(redact(line));
  }

  /**
   * Runs `attempt` until it succeeds, `mayRetry` refuses the error, or the retries are spent. Each
   * attempt builds its request afresh (a signed request needs a new nonce and timestamp).
   */
  async withRetries<T>(attempt: (n: number) => Promise<T>, mayRetry: (err: unknown) => boolean): Promise<T> {
    const maxAttempts = Math.max(1, this.retries + 1);
    let lastError: unknown;
    for (let n = 1; n <= maxAttempts; n++) {
      try {
        return await attempt(n);
      } catch (err) {
        lastError = err;
        if (n >= maxAttempts || !mayRetry(err)) break;
        const asked = err instanceof ServiceError ? err.retryAfterMs : undefined;
        // a wait longer than vn would ever sleep is not waited out: the error is reported as it is
        if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) break;
        const backoff = Math.random() * Math.min(5000, this.backoffMs * 2 ** (n - 1));
        // the service's Retry-After is a floor: retrying sooner would only be refused again
        const delay = asked !== undefined ? Math.max(asked, backoff) : backoff;
        this.trace(`! ${(err as Error).message}; retrying in ${Math.round(delay)}ms${asked !== undefined ? ' (the service asked for it)' : ''}`);
        await (this.policy.sleep ?? sleep)(delay);
      }
    }
    throw lastError;
  }

  /** One request through the transport, traced for --debug. */
  async send(req: HttpRequest, attempt = 1): Promise<HttpResponse> {
    if (this.tracing) {
      this.trace(`> ${req.method} ${req.url}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      if (req.body) this.trace(`> body: ${req.body}`);
    }
    const started = Date.now();
    const res = await (req.signal ? abortable(this.transport.send(req), req.signal) : this.transport.send(req));
    if (this.tracing) this.trace(`< ${res.status} in ${Date.now() - started}ms: ${res.body.length > 2000 ? `${res.body.slice(0, 2000)}…` : res.body}`);
    return res;
  }

  /**
   * A plain, unsigned request. An answer of 400 or more is a ServiceError named `HTTP<status>`.
   * Re-sent after a connection error, a 5xx or a 429 only when `idempotent` (by default: GET and
   * HEAD); otherwise only when the request cannot have arrived.
   */
  async request(req: PlainRequest, opts: { idempotent?: boolean } = {}): Promise<HttpResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const idempotent = opts.idempotent ?? (method === 'GET' || method === 'HEAD');
    const full: HttpRequest = { method, url: req.url, headers: { 'user-agent': this.userAgent, ...req.headers }, body: req.body, timeoutMs: this.timeoutMs };
    return this.withRetries(
      async (n) => {
        const res = await this.send(full, n);
        if (res.status >= 400) {
          const err = new ServiceError(`HTTP${res.status}`, shortBody(res.body), res.status, undefined, res.body);
          const wait = retryAfterMs(res.headers);
          if (wait !== undefined) err.retryAfterMs = wait;
          throw err;
        }
        return res;
      },
      (err) => {
        if (err instanceof NetworkError) return !err.maybeDelivered || idempotent;
        return err instanceof ServiceError && idempotent && (err.httpStatus >= 500 || err.httpStatus === 429);
      },
    );
  }

  /** GET a JSON document (a metadata service's answer); an answer that is not JSON is a NetworkError. */
  async getJson<T = unknown>(url: string, opts: { headers?: Record<string, string> } = {}): Promise<T> {
    const res = await this.request({ url, headers: { accept: 'application/json', ...opts.headers } });
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new NetworkError(`${new URL(url).host} answered HTTP ${res.status} with something that is not JSON: ${shortBody(res.body)}`, true);
    }
  }
}

/** What arrived, shortened to one line, for an error message. */
export function shortBody(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one === '') return '(an empty body)';
  return JSON.stringify(one.length > max ? `${one.slice(0, max)}…` : one);
}

/**
 * The transport's answer, or Cancelled as soon as `signal` aborts, even from a transport that does
 * not watch the signal itself (the undici one does, and closes the request).
 */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Cancelled('cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The longest Retry-After vn waits out before a retry; a longer one ends the retries. */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * The wait an answer asks for, in ms: `x-acs-retry-after` (ms, Alibaba Cloud's gateway and the
 * official SDKs), else `Retry-After` (RFC 9110: seconds, or an HTTP date). Undefined when neither
 * is there or readable.
 */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const header = (name: string): string | undefined => {
    const v = headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ''];
    return Array.isArray(v) ? v[0] : v;
  };
  const acs = header('x-acs-retry-after');
  if (acs !== undefined && /^\s*\d+\s*$/.test(acs)) return Number(acs);
  const ra = header('retry-after');
  if (ra === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(ra)) return Number(ra) * 1000;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
