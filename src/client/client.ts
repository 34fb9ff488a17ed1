import { randomUUID } from 'node:crypto';
import type { ActionName } from '../api/catalog.js';
import { validateParams } from '../api/validate.js';
import { Cancelled, CredentialsError, DryRunDone, NetworkError, ServiceError, UsageError, type VnError } from '../errors.js';
import { REDACTED, redact, registerSecret, registerSecretParams } from '../redact.js';
import { type CredentialProvider, type Credentials, isCredentialProvider, staticCredentials } from './credentials.js';
import { canonicalQuery, flattenParams, percentEncode } from './encode.js';
import { HttpCaller, type HttpPolicy, retryAfterMs, shortBody } from './http.js';
import { type ActionInfo, type Product, VOICE_NAVIGATOR } from './products.js';

export { DryRunDone } from '../errors.js';
export type { CredentialProvider, Credentials } from './credentials.js';
export { shortBody } from './http.js';
export type { Product } from './products.js';

import { canonicalStringToSignV1, signCanonicalV1, timestampV1 } from './sign-v1.js';
import { authorizationV3, canonicalRequestV3, sha256Hex, type V3Input } from './sign-v3.js';
import type { HttpRequest, HttpResponse } from './transport.js';

export interface ClientOptions<A extends string = ActionName> extends HttpPolicy {
  /** Base URL, e.g. https://voicenavigator.cn-shanghai.aliyuncs.com or http://127.0.0.1:8080 */
  endpoint: string;
  /** Fixed credentials, or a provider asked once per request (so a refreshing provider renews). */
  credentials: Credentials | CredentialProvider;
  /** Default: Voice Navigator 2018-06-12 and its model. */
  product?: Product<A>;
  signatureVersion?: 'v1' | 'v3';
  dryRun?: boolean;
  /** Receives the dry-run description; the call then ends with DryRunDone. */
  onDryRun?: (text: string) => void;
  now?: () => Date;
  /**
   * false: send parameters as given, without the model's checks. Only for exercising a service's
   * own parameter checking (the emulator's tests); the CLI always validates.
   */
  validate?: boolean;
  /**
   * VN_DEBUG_SIGNING=1: each request carries what was signed in an `x-vn-debug-string-to-sign`
   * header (percent-encoded; V1 the string to sign, V3 the canonical request), so the emulator's
   * inspector can show it beside its own on a SignatureDoesNotMatch. It holds what the request
   * itself carries, never the secret.
   */
  debugSigning?: boolean;
}

/** The header of ClientOptions.debugSigning (the emulator's inspector reads it). */
export const DEBUG_SIGNING_HEADER = 'x-vn-debug-string-to-sign';

export interface CallOptions {
  /** Ask the service for XML and keep the raw body. */
  format?: 'JSON' | 'XML';
  /** Send parameters the catalog does not know (vn call --force). */
  force?: boolean;
  /**
   * Send this read-only call even under --dry-run (a partial update reads the current config to
   * show the merged request it would write). Ignored for actions that change anything.
   */
  sendInDryRun?: boolean;
  /** Cancels the call (and any retry of it): it then ends with Cancelled. */
  signal?: AbortSignal;
}

export interface CallResult<T = Record<string, unknown>> {
  action: string;
  status: number;
  requestId?: string;
  /** Parsed JSON body; for XML, the fields of interest are not parsed (use raw). */
  data: T;
  raw: string;
  format: 'JSON' | 'XML';
}

/**
 * Signed calls to one product's OpenAPI: validate → sign → send → retry → parse. `A` is the
 * product's action names (Voice Navigator's ActionName by default; `string` for a product without
 * a model here, such as STS).
 */
export class Client<A extends string = ActionName> {
  /** The state-changing actions this client has had carried out (so a later failure is never "nothing sent"). */
  readonly carriedOut: string[] = [];
  readonly options: Required<Pick<ClientOptions<A>, 'signatureVersion' | 'product'>> & ClientOptions<A>;
  readonly http: HttpCaller;
  private readonly credentials: CredentialProvider;

  constructor(options: ClientOptions<A>) {
    // without a product, A is Voice Navigator's ActionName (the default of the type parameter)
    this.options = { signatureVersion: 'v1', product: VOICE_NAVIGATOR as unknown as Product<A>, ...options };
    this.http = new HttpCaller(options);
    if (isCredentialProvider(options.credentials)) {
      this.credentials = options.credentials;
    } else {
      checkCredentials(options.credentials);
      registerSecret(options.credentials.accessKeySecret);
      registerSecret(options.credentials.securityToken);
      this.credentials = staticCredentials(options.credentials);
    }
  }

  /** validate → sign → send → retry → parse. */
  async call<T = Record<string, unknown>>(actionName: A, params: Record<string, unknown>, opts: CallOptions = {}): Promise<CallResult<T>> {
    const { product } = this.options;
    let action: ActionInfo;
    if (product.catalog) {
      const spec = product.catalog.spec(actionName);
      if (this.options.validate !== false) {
        const issues = validateParams(spec, params, { allowUnknown: opts.force });
        if (issues.length > 0) throw new UsageError(issues.map((i) => i.reason).join('; '));
      }
      action = spec;
    } else {
      action = product.action?.(actionName) ?? { name: actionName, method: 'POST', readOnly: false };
    }
    const format = opts.format ?? 'JSON';
    const flat = flattenParams(params);
    // SecretKey, AccessKey, AppKey…: their values are redacted from everything printed from now on
    registerSecretParams(flat);
    try {
      return await this.http.withRetries(
        async (attempt) => {
          if (opts.signal?.aborted) throw new Cancelled('cancelled');
          // a fresh nonce and timestamp per attempt: the gateway refuses a reused nonce; the
          // credentials are asked for per attempt too, so a refreshing provider renews them
          const req = this.buildRequest(action, flat, format, await this.currentCredentials());
          if (this.options.dryRun && !(opts.sendInDryRun && action.readOnly)) {
            this.options.onDryRun?.(describeRequest(req));
            throw new DryRunDone('dry run');
          }
          if (opts.signal) req.signal = opts.signal;
          const res = await this.http.send(req, attempt);
          const result = parseResponse<T>(action.name, res, format);
          if (!action.readOnly) this.carriedOut.push(action.name);
          return result;
        },
        (err) => mayRetry(err, action),
      );
    } catch (lastError) {
      if (lastError instanceof NetworkError && lastError.maybeDelivered && !action.readOnly) {
        throw new NetworkError(
          `${lastError.message}; ${action.name} changes state and may have been carried out, so it was not re-sent — check before repeating it`,
          true,
          { cause: lastError },
        );
      }
      throw lastError;
    }
  }

  /** Gets the HTTP layer ready ahead of a timed run (module loading is not per-request work). */
  async warmUp(): Promise<void> {
    await this.http.transport.prepare?.(Math.min(this.http.timeoutMs, 10_000));
  }

  private async currentCredentials(): Promise<Credentials> {
    const c = await this.credentials.get();
    checkCredentials(c);
    // from here on these values are redacted from everything printed (src/redact.ts)
    registerSecret(c.accessKeySecret);
    registerSecret(c.securityToken);
    return c;
  }

  buildRequest(action: Pick<ActionInfo, 'name' | 'method'>, params: Record<string, string>, format: 'JSON' | 'XML', credentials: Credentials): HttpRequest {
    const { endpoint, product } = this.options;
    const now = this.options.now?.() ?? new Date();
    const base = endpoint.replace(/\/+$/, '');
    const headers: Record<string, string> = { 'user-agent': this.http.userAgent };
    if (format === 'XML') headers.accept = 'application/xml';
    const req: HttpRequest = { method: action.method, url: '', headers, timeoutMs: this.http.timeoutMs };
    if (this.options.signatureVersion === 'v3') {
      const query: Record<string, string> = { ...params };
      if (format === 'XML') query.Format = 'XML';
      Object.assign(headers, {
        host: new URL(base).host,
        'x-acs-action': action.name,
        'x-acs-version': product.version,
        'x-acs-date': timestampV1(now),
        'x-acs-signature-nonce': randomUUID(),
        'x-acs-content-sha256': sha256Hex(''),
      });
      if (credentials.securityToken) headers['x-acs-security-token'] = credentials.securityToken;
      const signed: V3Input = {
        method: req.method,
        pathname: '/',
        query,
        headers: withoutNonSigned(headers),
        payloadHash: headers['x-acs-content-sha256'] ?? '',
      };
      headers.authorization = authorizationV3(signed, credentials.accessKeyId, credentials.accessKeySecret);
      if (this.options.debugSigning) headers[DEBUG_SIGNING_HEADER] = encodeURIComponent(canonicalRequestV3(signed));
      const qs = canonicalQuery(query);
      req.url = `${base}/${qs ? `?${qs}` : ''}`;
      return req;
    }
    // seed: 签名机制 / 公共参数
    const all: Record<string, string> = {
      ...params,
      Action: action.name,
      Format: format,
      Version: product.version,
      AccessKeyId: credentials.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: randomUUID(),
      Timestamp: timestampV1(now),
    };
    if (credentials.securityToken) all.SecurityToken = credentials.securityToken;
    // the canonical string is also the wire encoding: encode once, sign it, append the signature
    const canonical = canonicalQuery(all);
    const encoded = `${canonical}&Signature=${percentEncode(signCanonicalV1(req.method, canonical, credentials.accessKeySecret))}`;
    // every parameter in the query, for POST as for GET, as the official SDKs send them (spec:
    // conventions.paramLocation); the emulator and the gateway also take a form body
    req.url = `${base}/?${encoded}`;
    if (this.options.debugSigning) headers[DEBUG_SIGNING_HEADER] = encodeURIComponent(canonicalStringToSignV1(req.method, canonical));
    return req;
  }
}

function checkCredentials(c: Credentials): void {
  if (!c.accessKeyId || !c.accessKeySecret) throw new CredentialsError('no AccessKey configured');
}

function withoutNonSigned(h: Record<string, string>): Record<string, string> {
  const { 'user-agent': _ua, accept: _acc, ...rest } = h;
  return rest;
}

function mayRetry(err: unknown, action: ActionInfo): boolean {
  if (err instanceof NetworkError) return !err.maybeDelivered || action.readOnly;
  if (err instanceof ServiceError) {
    // Throttling and 503 mean the request was refused before it was carried out.
    if (/^Throttling/.test(err.code) || err.httpStatus === 503) return true;
    return err.retryable && action.readOnly;
  }
  return false;
}

export function parseResponse<T>(action: string, res: HttpResponse, format: 'JSON' | 'XML'): CallResult<T> {
  const text = res.body;
  const isXml = /^\s*</.test(text);
  if (res.status >= 400 || (isXml ? /<Error>/.test(text.slice(0, 200)) && /<Code>/.test(text) : false)) {
    throw toServiceError(res);
  }
  // only a well-formed API answer is a success: a captive portal's HTML page or a proxy's "null"
  // with HTTP 200 is not one, and says nothing about whether the call was carried out
  if (isXml) {
    if (format !== 'XML' || !looksLikeXmlDocument(text)) throw notAnApiResponse(res, format);
    return { action, status: res.status, requestId: xmlField(text, 'RequestId'), data: {} as T, raw: text, format: 'XML' };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw notAnApiResponse(res, format);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw notAnApiResponse(res, format);
  const body = data as Record<string, unknown>;
  // envelopes with Success=false inside a 200 (CreateDownloadUrl, GetAsrConfig, …)
  if (body.Success === false && typeof body.Code === 'string') {
    throw new ServiceError(
      body.Code,
      String(body.Message ?? body.ErrorMsg ?? ''),
      Number(body.HttpStatusCode ?? res.status),
      String(body.RequestId ?? ''),
      text,
    );
  }
  return { action, status: res.status, requestId: body.RequestId as string | undefined, data: data as T, raw: text, format };
}

/** An XML document with one root element that is not an HTML page. */
function looksLikeXmlDocument(text: string): boolean {
  const t = text.trim().replace(/^<\?xml[^>]*\?>\s*/, '');
  const root = /^<([A-Za-z_][\w.-]*)[^>]*>/.exec(t)?.[1];
  if (!root || root.toLowerCase() === 'html') return false;
  return t.endsWith(`</${root}>`) || /^<[^>]*\/>$/.test(t);
}

function notAnApiResponse(res: HttpResponse, format: 'JSON' | 'XML'): NetworkError {
  const type = res.headers['content-type'] ? `, ${res.headers['content-type'].split(';')[0]}` : '';
  return new NetworkError(
    `the endpoint answered HTTP ${res.status}${type} with something that is not ${format === 'XML' ? 'an XML' : 'a JSON'} API response (a proxy or captive portal?): ${shortBody(res.body)}`,
    true,
  );
}

function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? decodeXml(m[1] ?? '') : undefined;
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function toServiceError(res: HttpResponse): VnError {
  const text = res.body;
  let code: string | undefined;
  let message = '';
  let requestId: string | undefined;
  if (/^\s*</.test(text)) {
    code = xmlField(text, 'Code');
    message = xmlField(text, 'Message') ?? '';
    requestId = xmlField(text, 'RequestId');
  } else {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      code = j.Code as string | undefined;
      message = String(j.Message ?? j.ErrorMsg ?? '');
      requestId = j.RequestId as string | undefined;
    } catch {
      /* not an API error body */
    }
  }
  if (!code) {
    if (res.status >= 500) {
      const err = new ServiceError(`HTTP${res.status}`, text.trim() ? shortBody(text) : 'server error', res.status, undefined, text);
      const wait = retryAfterMs(res.headers);
      if (wait !== undefined) err.retryAfterMs = wait;
      return err;
    }
    return new NetworkError(`the endpoint answered HTTP ${res.status} without an API error body: ${shortBody(text)}`, true);
  }
  const err = new ServiceError(code, message, res.status, requestId, text);
  const wait = retryAfterMs(res.headers);
  if (wait !== undefined) err.retryAfterMs = wait;
  return err;
}

/** What --dry-run prints: the method, the fully signed URL and body, secrets redacted. */
export function describeRequest(req: HttpRequest): string {
  const lines = [`${req.method} ${req.url}`];
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'user-agent' || k === 'accept') continue;
    lines.push(`${k}: ${k === 'x-acs-security-token' ? REDACTED : v}`);
  }
  if (req.body) lines.push('', req.body);
  return redact(lines.join('\n'));
}
