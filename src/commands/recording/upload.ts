import { basename } from 'node:path';
import { defineCommand } from '../define.js';

interface UploadForm {
  AccessId?: string;
  Expire?: number;
  Folder?: string;
  Host?: string;
  Policy?: string;
  Signature?: string;
}

/** The bucket a form's Host names: OSS's virtual-host style (bucket.oss-….aliyuncs.com) or path style (host/bucket). */
function bucketOf(host: string): string | undefined {
  try {
    const url = new URL(host);
    const virtual = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-[^.]+\.aliyuncs\.com$/i.exec(url.hostname);
    if (virtual) return virtual[1];
    const first = url.pathname.split('/').filter(Boolean)[0];
    return first ? decodeURIComponent(first) : undefined;
  } catch {
    return undefined;
  }
}

const AUDIO_TYPES: Record<string, string> = { '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.pcm': 'audio/L16', '.amr': 'audio/amr' };

export default defineCommand({
  description:
    'Asks the service for an upload form (GenerateUploadUrl), then posts the file to it as OSS PostObject wants. ' +
    'Prints the object key and the FilePath to give `vn recording save --file-path`. The form expires (15 minutes on the emulator).',
  action: 'GenerateUploadUrl',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'file', description: 'the local file to upload' },
  ],
  flags: [
    { name: 'name', param: 'FileName', valueName: 'name', description: 'the file name to store it under (default: the local file’s name)' },
    { name: 'content-type', type: 'string', valueName: 'type', description: 'its media type (default: from the extension, e.g. audio/wav)' },
  ],
  examples: ['vn recording upload 3f6e… ./call.wav', 'vn recording upload 3f6e… ./call.wav --name 2024-03-01-call.wav'],
  async run(ctx, { args, params, flags }) {
    const { ServiceError, UsageError } = await import('../../errors.js');
    const { readUploadFile, postObject } = await import('../../client/upload.js');
    const file = String(args.file);
    // a plain file name (no directory, no '..'): the model's rule, checked with --name and again when sent
    const name = typeof params.FileName === 'string' ? params.FileName.trim() : basename(file);
    // an empty FileName would ask for a form that takes any name: the object would be stored as ''
    if (name === '') throw new UsageError('--name must not be empty (the file name to store it under)');
    // read first: a missing file is refused before anything is sent
    const body = await readUploadFile(file);
    const dot = name.lastIndexOf('.');
    const contentType = (flags.contentType as string | undefined) ?? AUDIO_TYPES[dot >= 0 ? name.slice(dot).toLowerCase() : ''] ?? 'application/octet-stream';
    const client = await ctx.client();
    const res = await client.call<{ Data?: UploadForm; RequestId?: string }>(
      'GenerateUploadUrl',
      { InstanceId: params.InstanceId, FileName: name },
      { format: 'JSON' },
    );
    const form = res.data.Data ?? {};
    if (!form.Host || form.Folder === undefined || !form.Policy || !form.Signature || !form.AccessId) {
      throw new ServiceError(
        'InvalidUploadForm',
        'GenerateUploadUrl answered without a complete upload form (Host, Folder, AccessId, Policy, Signature)',
        200,
        res.data.RequestId,
      );
    }
    const uploaded = await postObject(
      { Host: form.Host, Folder: form.Folder, AccessId: form.AccessId, Policy: form.Policy, Signature: form.Signature },
      name,
      body,
      {
        contentType,
        timeoutMs: ctx.globals.timeout * 1000,
      },
    );
    const bucket = bucketOf(form.Host);
    const filePath = bucket ? `oss://${bucket}/${form.Folder}` : undefined;
    const data = {
      InstanceId: params.InstanceId,
      FileName: name,
      Key: uploaded.key,
      Folder: form.Folder,
      ...(filePath ? { FilePath: filePath } : {}),
      Bytes: uploaded.bytes,
      RequestId: res.data.RequestId,
    };
    const next = filePath ? `; register it with: vn recording save ${params.InstanceId} <conversation-id> --file-name ${name} --file-path ${filePath} …` : '';
    return { data, view: { message: `uploaded ${file} (${uploaded.bytes} bytes) as ${uploaded.key}${next}` } };
  },
});
