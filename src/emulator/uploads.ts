import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EmulatorState } from './state.js';
import type { StoredUpload } from './store/index.js';

/**
 * Uploads through the form GenerateUploadUrl hands out. Its answer is an OSS PostObject form (the
 * Go SDK's GenerateUploadUrlResponseBody: Host, Folder, AccessId, Policy, Signature, Expire), so
 * the emulator plays the bucket: a multipart/form-data POST to Host with the fields `key`,
 * `policy`, `OSSAccessKeyId`, `Signature` (and optionally `success_action_status`,
 * `Content-Type`), the file last, is checked as OSS checks it — the signature over the policy, the
 * policy's expiration and its conditions — and stored in the data file. Errors are OSS's XML
 * errors. The rules are in docs/emulator.md ("Uploads").
 */

/** The bucket uploaded objects live in, as SaveRecording's FilePath names them (oss://BUCKET/Folder). */
export const UPLOAD_BUCKET = 'vn-emulator';
/** Where the form is posted: the bucket, path-style (Data.Host is the emulator's base URL + this). */
export const UPLOAD_PATH = `/${UPLOAD_BUCKET}`;
/** How long a form stays valid: it is a credential to write, so shorter than the 1 h download URLs. */
export const UPLOAD_TTL_MS = 15 * 60 * 1000;
/** The largest file one form accepts (content-length-range). */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;
/** The OSS AccessKeyId the form names; its secret is derived from the data file's file key. */
export const UPLOAD_ACCESS_ID = 'LTAIvnemulatoruploads';

export interface UploadForm {
  AccessId: string;
  Expire: number;
  Folder: string;
  Host: string;
  Policy: string;
  Signature: string;
}

function uploadSecret(state: EmulatorState): Buffer {
  return createHmac('sha256', state.fileKey).update('GenerateUploadUrl').digest();
}

function policySignature(state: EmulatorState, policy: string): string {
  // OSS PostObject: Signature = base64(HMAC-SHA1(AccessKeySecret, base64(policy)))
  return createHmac('sha1', uploadSecret(state)).update(policy).digest('base64');
}

/**
 * True when a string can be an object key as OSS takes one: 1..1023 bytes of UTF-8, folders
 * allowed (`upload/greeting.wav`), not starting with `/` or `\\`. vn also refuses a `..` segment
 * and control characters (OSS takes them; a `..` could name a file outside its folder when the
 * object is saved to disk, a control character garbles a terminal). (docs/emulator.md, Uploads)
 */
export function isSafeKey(key: string): boolean {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0 || bytes > 1023 || key.startsWith('/') || key.startsWith('\\')) return false;
  for (const segment of key.split(/[/\\]/)) if (segment === '..') return false;
  for (const ch of key) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/**
 * A fresh form: a folder of its own under recordings/<instance>/, and a policy that pins the key
 * to Folder + `name` when a name is given (Key, else FileName), or to anything under Folder.
 */
export function createUploadForm(state: EmulatorState, opts: { instanceId?: string; name?: string; now: number }): UploadForm {
  const folder = `recordings/${opts.instanceId || '_'}/${randomBytes(16).toString('hex')}/`;
  const expiresAt = opts.now + UPLOAD_TTL_MS;
  const keyCondition = opts.name ? { key: `${folder}${opts.name}` } : ['starts-with', '$key', folder];
  const document = {
    expiration: new Date(expiresAt).toISOString(),
    conditions: [{ bucket: UPLOAD_BUCKET }, keyCondition, ['content-length-range', 0, MAX_UPLOAD_BYTES]],
  };
  const policy = Buffer.from(JSON.stringify(document)).toString('base64');
  return {
    AccessId: UPLOAD_ACCESS_ID,
    Expire: Math.floor(expiresAt / 1000),
    Folder: folder,
    Host: `${state.baseUrl}${UPLOAD_PATH}`,
    Policy: policy,
    Signature: policySignature(state, policy),
  };
}

/** What the bucket answers a form with. */
export interface UploadAnswer {
  status: number;
  contentType: string;
  body: Buffer;
  etag?: string;
}

function ossError(status: number, code: string, message: string): UploadAnswer {
  const requestId = randomBytes(12).toString('hex').toUpperCase();
  return {
    status,
    contentType: 'application/xml',
    body: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>${UPLOAD_BUCKET}.emulator</HostId></Error>`,
    ),
  };
}

interface PolicyDocument {
  expiration?: unknown;
  conditions?: unknown;
}

/** Checks the policy's conditions against the form, as OSS does; the reason it fails, or undefined. */
function violatedCondition(conditions: unknown[], key: string, size: number): string | undefined {
  for (const c of conditions) {
    if (Array.isArray(c)) {
      const [op, field, value] = c as [unknown, unknown, unknown];
      if (op === 'starts-with' && field === '$key' && !key.startsWith(String(value)))
        return 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", ...]';
      if (op === 'eq' && field === '$key' && key !== String(value)) return 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", ...]';
      if (op === 'content-length-range' && size >= 0 && (size < Number(field) || size > Number(value))) return 'EntityTooLarge';
    } else if (c && typeof c === 'object') {
      const exact = (c as { key?: unknown }).key;
      if (exact !== undefined && key !== String(exact)) return 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", ...]';
    }
  }
  return undefined;
}

/** The form's fields a PostObject is checked by; the file is not among them. */
type FieldOf = (name: string) => string | undefined;

/**
 * Checks a PostObject's form fields as OSS does — the AccessKeyId, the signature over the policy,
 * the policy's expiration and its key condition, the key itself — before the file is read: a
 * refusal, or the policy's conditions (the size condition is checked once the file is in).
 */
function checkFormFields(state: EmulatorState, field: FieldOf, now: number): { refused: UploadAnswer } | { key: string; conditions: unknown[] } {
  const key = field('key') ?? '';
  const policy = field('policy') ?? '';
  const signature = field('Signature') ?? '';
  if (!key || !policy || !signature)
    return { refused: ossError(400, 'InvalidArgument', 'The form needs the fields key, policy, OSSAccessKeyId and Signature.') };
  if (field('OSSAccessKeyId') !== UPLOAD_ACCESS_ID)
    return { refused: ossError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.') };
  const expected = Buffer.from(policySignature(state, policy));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { refused: ossError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.') };
  }
  let document: PolicyDocument;
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as PolicyDocument;
  } catch {
    return { refused: ossError(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.') };
  }
  const expiration = Date.parse(String(document.expiration ?? ''));
  if (!Number.isFinite(expiration)) return { refused: ossError(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid expiration.') };
  if (now > expiration) return { refused: ossError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.') };
  const conditions = Array.isArray(document.conditions) ? document.conditions : [];
  // the size is not known yet: -1 passes every range, the key conditions are checked now
  const violation = violatedCondition(conditions, key, -1);
  if (violation) return { refused: ossError(403, 'AccessDenied', violation) };
  if (!isSafeKey(key)) return { refused: ossError(400, 'InvalidObjectName', 'The specified object name is not valid.') };
  return { key, conditions };
}

/** How much of a PostObject body may come before its file part: the fields are small. */
export const MAX_FORM_FIELDS_BYTES = 64 << 10;

/**
 * Looks at the start of a PostObject body, before the file has arrived: OSS wants the file as the
 * form's last field, so the fields that authorise the upload come first. Answers 'wait' while the
 * file part has not begun, 'ok' when the fields pass, or OSS's refusal — so an upload that is not
 * allowed is refused after its first few KiB, never held in memory whole. The whole body is checked
 * again by receiveUpload.
 */
export function checkUploadStart(state: EmulatorState, contentType: string, start: Buffer, now: number, complete: boolean): 'wait' | 'ok' | UploadAnswer {
  if (!/^multipart\/form-data/i.test(contentType)) return ossError(400, 'InvalidArgument', 'The request must be multipart/form-data (an OSS PostObject form).');
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const parts = boundary ? fieldsBeforeFile(start, (boundary[1] ?? boundary[2]) as string) : 'malformed';
  if (parts === 'wait') {
    if (complete) return 'ok'; // the whole (small) body is in: receiveUpload parses it and names what is wrong
    return start.length > MAX_FORM_FIELDS_BYTES ? fieldsTooLarge() : 'wait';
  }
  if (parts === 'malformed') return ossError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
  let fieldBytes = 0;
  for (const [k, v] of parts) fieldBytes += k.length + v.length;
  if (fieldBytes > MAX_FORM_FIELDS_BYTES) return fieldsTooLarge();
  const field: FieldOf = (name) => {
    for (const [k, v] of parts) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  };
  const checked = checkFormFields(state, field, now);
  return 'refused' in checked ? checked.refused : 'ok';
}

function fieldsTooLarge(): UploadAnswer {
  return ossError(
    400,
    'MalformedPOSTRequest',
    `The form fields before the file take more than ${MAX_FORM_FIELDS_BYTES} bytes (the file must be the last field).`,
  );
}

/** The form fields before the part named `file` (multipart/form-data), 'wait' until that part's headers are in. */
function fieldsBeforeFile(body: Buffer, boundary: string): Array<[string, string]> | 'wait' | 'malformed' {
  // latin1 keeps one character per byte, so offsets are byte offsets; values are decoded as UTF-8
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const fields: Array<[string, string]> = [];
  let at = text.indexOf(delimiter);
  if (at < 0) return text.length > delimiter.length + 2 ? 'malformed' : 'wait';
  for (;;) {
    const after = at + delimiter.length;
    if (text.length < after + 2) return 'wait';
    if (text.startsWith('--', after)) return 'wait'; // the closing delimiter and no file part: the whole parse will say so
    const headersEnd = text.indexOf('\r\n\r\n', after);
    if (headersEnd < 0) return 'wait';
    const name = /^content-disposition:[^\r\n]*?;\s*name="([^"]*)"/im.exec(text.slice(after, headersEnd))?.[1];
    if (name === undefined) return 'malformed';
    if (name.toLowerCase() === 'file') return fields;
    const next = text.indexOf(`\r\n${delimiter}`, headersEnd + 4);
    if (next < 0) return 'wait';
    fields.push([Buffer.from(name, 'latin1').toString('utf8'), Buffer.from(text.slice(headersEnd + 4, next), 'latin1').toString('utf8')]);
    at = next + 2;
  }
}

/** A PostObject request to UPLOAD_PATH: verified, stored, answered as OSS answers it. */
export async function receiveUpload(state: EmulatorState, contentType: string, raw: Buffer, now: number): Promise<UploadAnswer> {
  if (!/^multipart\/form-data/i.test(contentType)) return ossError(400, 'InvalidArgument', 'The request must be multipart/form-data (an OSS PostObject form).');
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return ossError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
  }
  // OSS field names are case-insensitive (policy/Policy, signature/Signature)
  const field: FieldOf = (name) => {
    for (const [k, v] of form) if (k.toLowerCase() === name.toLowerCase() && typeof v === 'string') return v;
    return undefined;
  };
  const file = form.get('file');
  if (!(file instanceof Blob)) return ossError(400, 'InvalidArgument', 'The form has no file field.');
  const checked = checkFormFields(state, field, now);
  if ('refused' in checked) return checked.refused;
  const { key } = checked;
  const body = Buffer.from(await file.arrayBuffer());
  if (violatedCondition(checked.conditions, key, body.length) === 'EntityTooLarge')
    return ossError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
  const instanceId = /^recordings\/([^/]+)\//.exec(key)?.[1] ?? '';
  const type = field('Content-Type') || file.type || 'application/octet-stream';
  state.store.uploads.put({
    object_key: key,
    instance_id: instanceId === '_' ? '' : instanceId,
    content_type: type,
    size: body.length,
    content: body,
    create_time: now,
  });
  const etag = `"${createHash('md5').update(body).digest('hex').toUpperCase()}"`;
  const status = Number(field('success_action_status'));
  if (status === 200 || status === 201) {
    const location = `${state.baseUrl}${UPLOAD_PATH}/${key}`;
    const xml =
      status === 201
        ? `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Bucket>${UPLOAD_BUCKET}</Bucket><Location>${escapeXml(location)}</Location><Key>${escapeXml(key)}</Key><ETag>${etag}</ETag></PostResponse>`
        : '';
    return { status, contentType: 'application/xml', body: Buffer.from(xml), etag };
  }
  return { status: 204, contentType: 'application/xml', body: Buffer.alloc(0), etag };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function readUpload(state: EmulatorState, key: string): StoredUpload | undefined {
  return state.store.uploads.get(key);
}

/** The object key a saved recording names, when its FilePath is this emulator's bucket (oss://vn-emulator/Folder). */
export function uploadKeyOf(filePath: string, fileName: string): string | undefined {
  const prefix = `oss://${UPLOAD_BUCKET}/`;
  if (!filePath.startsWith(prefix)) return undefined;
  const folder = filePath.slice(prefix.length);
  return folder.endsWith('/') ? `${folder}${fileName}` : folder;
}
