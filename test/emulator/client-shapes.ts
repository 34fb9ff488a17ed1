// Requests shaped as the official clients send them, written by hand from their public sources
// (no code of theirs is copied here):
// - the classic Python SDK, aliyun-python-sdk-core 2.16 (aliyunsdkcore/auth/composer/
//   rpc_signature_composer.py, request.py, client.py) with aliyun-python-sdk-voicenavigator's
//   request classes: an RPC request whose common parameters (and the parameters the class sets
//   with add_query_param) go in the query in Python dict order, the ones it sets with
//   add_body_params in a form body; SignatureType is sent empty; the headers x-acs-action,
//   x-acs-version, x-sdk-invoke-type, x-sdk-client; the string to sign covers query and body.
//   Python's str(True) is "True".
// - its error parsing: a 400 SignatureDoesNotMatch whose message, split at ':', has the client's
//   own string to sign at index 1 becomes InvalidAccessKeySecret (client.py _get_server_exception).
import { createHmac, randomUUID } from 'node:crypto';

export interface Key {
  id: string;
  secret: string;
}

/** Python's urllib quote_plus with the SDK's fix-ups (+ → %20, * → %2A, %7E → ~): RFC 3986. */
function pyQuote(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** urlencode(pairs) as the SDK post-processes it, keeping the pairs' order. */
function pyUrlencode(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${pyQuote(k)}=${pyQuote(v)}`).join('&');
}

/** A value as the SDK puts it on the wire: str() of a Python value. */
export type PyValue = string | number | boolean;
function pyStr(v: PyValue): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** __compose_string_to_sign: sorted by name, urlencoded, then pathname2url (quote with '/' safe). */
export function pythonStringToSign(method: string, params: Record<string, string>): string {
  const sorted = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = pyUrlencode(sorted);
  // the first pass left no '/' (quote_plus encodes it), so quote's safe '/' changes nothing
  return `${method}&%2F&${encodeURIComponent(query)}`;
}

export interface PythonRequest {
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
  stringToSign: string;
}

export interface PythonOptions {
  key: Key;
  method?: 'GET' | 'POST';
  /** What the request class sets with add_body_params (GenerateUploadUrl does). */
  body?: Record<string, PyValue>;
  regionId?: string;
  /** Overrides of the common parameters (SignatureVersion=9.9, …) before signing. */
  common?: Record<string, string>;
  /** Signs with this secret instead of the key's (a wrong secret). */
  signWith?: string;
  date?: Date;
}

/** The RPC request AcsClient.do_action_with_exception sends for a request class of this action. */
export function pythonRpcRequest(endpoint: string, action: string, query: Record<string, PyValue>, o: PythonOptions): PythonRequest {
  const method = o.method ?? 'POST';
  const stamp = (o.date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // dict insertion order: the class's query params, then _get_sign_params, RegionId, then __refresh_sign_parameters
  const urlParams: [string, string][] = Object.entries(query).map(([k, v]) => [k, pyStr(v)]);
  const common: [string, string][] = [
    ['Version', '2018-06-12'],
    ['Action', action],
    ['Format', 'JSON'],
    ['RegionId', o.regionId ?? 'cn-shanghai'],
    ['Timestamp', stamp],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureType', ''],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', randomUUID()],
    ['AccessKeyId', o.key.id],
  ];
  for (const [k, v] of common) urlParams.push([k, o.common?.[k] ?? v]);
  const body: [string, string][] = Object.entries(o.body ?? {}).map(([k, v]) => [k, pyStr(v)]);
  const signed: Record<string, string> = Object.fromEntries([...urlParams, ...body]);
  const stringToSign = pythonStringToSign(method, signed);
  const signature = createHmac('sha1', `${o.signWith ?? o.key.secret}&`)
    .update(stringToSign)
    .digest('base64');
  urlParams.push(['Signature', signature]);
  const headers: Record<string, string> = {
    'x-acs-action': action,
    'x-acs-version': '2018-06-12',
    'x-sdk-invoke-type': 'normal',
    'Accept-Encoding': 'identity',
    'User-Agent': 'AlibabaCloud (Linux; x86_64) Python/3.11.2 Core/2.16.0 python-requests/2.28.1',
    'x-sdk-client': 'python/2.0.0',
  };
  let text: string | undefined;
  if (body.length > 0) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    text = pyUrlencode(body);
  }
  return { url: `${endpoint}/?${pyUrlencode(urlParams)}`, init: { method, headers, body: text }, stringToSign };
}

export interface PythonOutcome {
  status: number;
  body: Record<string, unknown>;
  /** The code the SDK's ServerException carries, after its SignatureDoesNotMatch rule. */
  code?: string;
  requestId?: string;
}

/** Sends the request and reads the answer the way AcsClient does (JSON body, the error rules). */
export async function sendPython(req: PythonRequest): Promise<PythonOutcome> {
  const res = await fetch(req.url, req.init);
  const text = await res.text();
  const body = JSON.parse(text) as Record<string, unknown>;
  const out: PythonOutcome = { status: res.status, body, requestId: body.RequestId as string | undefined };
  if (res.status < 200 || res.status >= 300) {
    let code = (body.Code as string | undefined) ?? 'SDK.UnknownServerError';
    const message = String(body.Message ?? '');
    if (res.status === 400 && code === 'SignatureDoesNotMatch') {
      // client.py: string_to_sign == server_error_message.split(':')[1] — an IndexError without a ':'
      const parts = message.split(':');
      if (parts.length < 2) throw new Error('IndexError: list index out of range');
      if (req.stringToSign === parts[1]) code = 'InvalidAccessKeySecret';
    }
    out.code = code;
  }
  return out;
}
