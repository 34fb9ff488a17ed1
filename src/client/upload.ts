import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { NetworkError, ServiceError, UsageError } from '../errors.js';
import { shortBody } from './client.js';
import { errorCode, NOT_DELIVERED } from './transport.js';

/** The OSS PostObject form GenerateUploadUrl answers with (its Data). */
export interface PostForm {
  Host: string;
  Folder: string;
  AccessId: string;
  Policy: string;
  Signature: string;
}

export interface UploadResult {
  /** The object key the file was stored under (Folder + name). */
  key: string;
  bytes: number;
}

/** Reads a local file for upload; a missing or unreadable file is the user's mistake (exit 2). */
export async function readUploadFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`);
  }
}

/**
 * Posts `body` to the form's Host as OSS PostObject wants it: multipart/form-data with key,
 * policy, OSSAccessKeyId, Signature and success_action_status, the file last. The upload is one
 * request, never retried: the form names one object, and a second try after a lost answer would
 * only write the same bytes again, but it is the caller who decides that.
 */
export async function postObject(form: PostForm, name: string, body: Buffer, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<UploadResult> {
  let host: string;
  try {
    const url = new URL(form.Host);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    host = url.host;
  } catch {
    throw new ServiceError('InvalidUploadForm', `the upload form's Host is not an http(s) URL: ${JSON.stringify(form.Host)}`, 200, undefined);
  }
  const key = `${form.Folder}${name}`;
  // undici's own FormData: the global one belongs to Node's bundled undici, which this fetch does not read
  const { fetch, Agent, FormData } = await import('undici');
  const data = new FormData();
  data.set('key', key);
  data.set('policy', form.Policy);
  data.set('OSSAccessKeyId', form.AccessId);
  data.set('Signature', form.Signature);
  data.set('success_action_status', '200');
  if (opts.contentType) data.set('Content-Type', opts.contentType);
  data.set('file', new Blob([body], { type: opts.contentType ?? 'application/octet-stream' }), basename(name));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dispatcher = new Agent({ connect: { timeout: Math.min(timeoutMs, 10_000) }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 1 });
  try {
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(form.Host, { method: 'POST', body: data, dispatcher });
    } catch (err) {
      const code = errorCode(err);
      if (code && NOT_DELIVERED.has(code)) throw new NetworkError(`cannot connect to ${host} (${code})`, false, { cause: err });
      throw new NetworkError(`the upload to ${host} got no answer (${code ?? (err as Error).message})`, true, { cause: err });
    }
    const text = await res.text().catch(() => '');
    const etag = res.headers.get('etag');
    if (res.status >= 200 && res.status < 300) {
      // OSS's PostObject success: 200 or 201 (success_action_status; an empty body or a PostResponse
      // document) or 204, always with the new object's ETag. Anything else (a proxy's or a captive
      // portal's page) is not the bucket's answer, and the file may not be stored.
      if (!isOssSuccess(res.status, text, etag)) throw notTheBucket(host, res.status, res.headers.get('content-type'), text);
      return { key, bytes: body.length };
    }
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    // an OSS error is an XML <Error> with its Code; an HTML page of any status is not the bucket's answer
    if (!code || !/^\s*(<\?xml[^>]*\?>\s*)?<Error>/.test(text)) throw notTheBucket(host, res.status, res.headers.get('content-type'), text);
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    const requestId = /<RequestId>([^<]*)<\/RequestId>/.exec(text)?.[1];
    throw new ServiceError(code, `upload to ${host} refused${message ? `: ${message}` : ''}`, res.status, requestId, text.slice(0, 2000));
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}

/** Whether an answer is OSS's to a PostObject that stored the file (the status, the ETag, the body it asks for). */
function isOssSuccess(status: number, text: string, etag: string | null): boolean {
  if (!etag) return false;
  const body = text.trim();
  if (status === 204) return body === '';
  if (status !== 200 && status !== 201) return false;
  return body === '' || /^(<\?xml[^>]*\?>\s*)?<PostResponse>[\s\S]*<\/PostResponse>$/.test(body);
}

function notTheBucket(host: string, status: number, contentType: string | null, text: string): NetworkError {
  const type = contentType ? `, ${contentType.split(';')[0]}` : '';
  return new NetworkError(
    `the upload to ${host} answered HTTP ${status}${type} with something that is not OSS's answer (a proxy or captive portal?): ${shortBody(text)}`,
    true,
  );
}
