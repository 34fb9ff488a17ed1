import { RECORDING_SAMPLE_RATE, speechDurationMs, synthesizeWav, type TimelineSegment, timelineWav, type Voice } from '../audio.js';
import { invalidParameter, notFound } from '../errors.js';
import { signedFileUrl } from '../files.js';
import type { ConversationRow, Store } from '../store/index.js';
import { createUploadForm, isSafeKey, readUpload, UPLOAD_PATH, uploadKeyOf } from '../uploads.js';
import { getInstance } from './instance.js';
import { readNavigationConfig } from './ivr.js';
import { instanceVoice } from './tts.js';
import type { EmulatorState, FileResponse, FileRoute, HandlerTable } from './types.js';

/** How long the recording URLs DescribeRecording hands out stay valid. */
export const RECORDING_URL_TTL_MS = 60 * 60 * 1000;
/** No recording is longer than this, however long the conversation stayed open. */
export const MAX_RECORDING_MS = 30 * 60 * 1000;
/** Silence kept after the last turn (or after the hang-up), so a recording never ends mid-word. */
export const RECORDING_TAIL_MS = 500;
/** seed: 11 / 12.2 ListConversationDetails — Speaker is Customer or Chatbot. */
const CUSTOMER = 'Customer';
/** The caller's side is spoken by a voice of its own, at the neutral rate. */
const CUSTOMER_VOICE: Voice = { voice: 'customer', speechRate: 0, volume: 50, pitchRate: 0 };
/** Shanghai time, for file names like the seed's 2019080913202222.wav. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

export interface Slice {
  /** The turn's row id: unique even where a user turn and its answer share a sequence number. */
  turnId: number;
  sequence: number;
  speaker: string;
  startMs: number;
  durationMs: number;
  text: string;
  voice: Voice;
}

/** A conversation's recording laid out on a timeline (offsets in ms from its begin time). */
export interface RecordingLayout {
  durationMs: number;
  slices: Slice[];
}

/**
 * Where each turn sits in the recording. A turn starts at its own time, but never before the
 * previous turn has finished speaking (the bot answers right after the caller), and the silence
 * before it is at most the instance's silence timeout (a real call would have prompted by then).
 * The recording runs to the hang-up, with the same limit on the silence before it, plus a short
 * tail; it is cut at MAX_RECORDING_MS.
 */
export function layoutRecording(store: Store, conversation: ConversationRow): RecordingLayout {
  const ctx = { store };
  const turns = store.conversations.turns(conversation.instance_id, conversation.conversation_id);
  const silence = readNavigationConfig(ctx, conversation.instance_id).SilenceTimeoutConfig;
  const maxGapMs = Math.max(1, Number(silence?.Timeout) || 10) * 1000;
  const botVoice = instanceVoice(ctx, conversation.instance_id);
  const slices: Slice[] = [];
  let cursor = 0;
  for (const turn of turns) {
    const text = turn.utterance ?? '';
    const voice = turn.speaker === CUSTOMER ? CUSTOMER_VOICE : botVoice;
    const durationMs = speechDurationMs(text, voice.speechRate);
    if (durationMs === 0) continue;
    const at = turn.create_time - conversation.begin_time;
    const startMs = Math.max(cursor, Math.min(at, cursor + maxGapMs));
    if (startMs >= MAX_RECORDING_MS) break;
    slices.push({ turnId: turn.id, sequence: turn.sequence, speaker: turn.speaker, startMs, durationMs, text, voice });
    cursor = startMs + durationMs;
  }
  const hangUpAt = conversation.end_time === null ? cursor : conversation.end_time - conversation.begin_time;
  const trailing = Math.max(0, Math.min(hangUpAt - cursor, maxGapMs));
  return { durationMs: Math.min(cursor + trailing + RECORDING_TAIL_MS, MAX_RECORDING_MS), slices };
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

function unb64(s: string): string {
  return Buffer.from(s, 'base64url').toString('utf8');
}

/** Ids travel base64url-encoded, so no id can form a dot segment or need escaping in the path. */
export function recordingPath(instanceId: string, conversationId: string, turnId?: number): string {
  const base = `/audio/recordings/${b64(instanceId)}/${b64(conversationId)}`;
  return turnId === undefined ? `${base}.wav` : `${base}/${turnId}.wav`;
}

export function recordingFileName(beginTime: number): string {
  const d = new Date(beginTime + CHINA_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${two(Math.floor(d.getUTCMilliseconds() / 10))}.wav`;
}

function sliceList(
  state: EmulatorState,
  conversation: ConversationRow,
  layout: RecordingLayout,
  fileName: string,
  expiresAt: number,
): Record<string, unknown>[] {
  const stem = fileName.replace(/\.wav$/, '');
  return layout.slices.map((s, i) => ({
    sequence: s.sequence,
    speaker: s.speaker,
    startTime: s.startMs,
    endTime: s.startMs + s.durationMs,
    duration: s.durationMs,
    fileName: `${stem}-${i + 1}.wav`,
    filePath: signedFileUrl(state, recordingPath(conversation.instance_id, conversation.conversation_id, s.turnId), expiresAt),
  }));
}

export const handlers = {
  DescribeRecording(ctx) {
    const p = ctx.params;
    const instanceId = getInstance(ctx, p.req('InstanceId')).instance_id;
    const conversationId = p.req('ConversationId');
    const conversation = ctx.store.conversations.find(instanceId, conversationId);
    if (!conversation) throw notFound.conversation(conversationId);
    const withSlices = p.bool('NeedVoiceSliceRecording') === true;
    const saved = ctx.store.recordings.find(instanceId, conversationId);
    if (saved) {
      // a recording uploaded to this emulator (GenerateUploadUrl) is handed out as a signed URL to its bytes
      const key = uploadKeyOf(saved.file_path, saved.file_name);
      const uploaded = key !== undefined && readUpload(ctx.state, key) !== undefined;
      return {
        FileName: saved.file_name,
        FilePath: uploaded ? signedFileUrl(ctx.state, `${UPLOAD_PATH}/${encodeKey(key)}`, ctx.now + RECORDING_URL_TTL_MS) : saved.file_path,
        ...(withSlices ? { VoiceSliceRecordingListJson: saved.voice_slice_json || '[]' } : {}),
      };
    }
    const expiresAt = ctx.now + RECORDING_URL_TTL_MS;
    const fileName = recordingFileName(conversation.begin_time);
    const body: Record<string, unknown> = {
      FileName: fileName,
      FilePath: signedFileUrl(ctx.state, recordingPath(instanceId, conversationId), expiresAt),
    };
    if (withSlices) {
      body.VoiceSliceRecordingListJson = JSON.stringify(sliceList(ctx.state, conversation, layoutRecording(ctx.store, conversation), fileName, expiresAt));
    }
    return body;
  },

  /**
   * An upload form for a recording (emulator/uploads.ts). Key, else FileName, pins the object's
   * name inside the form's own folder; without either the form takes any name in that folder. An
   * InstanceId, when given, must exist.
   */
  GenerateUploadUrl(ctx) {
    const p = ctx.params;
    const instanceId = p.str('InstanceId')?.trim() || undefined;
    if (instanceId) getInstance(ctx, instanceId);
    // Key: an object key, folders allowed (upload/greeting.wav); FileName: a plain file name (the model's rules)
    const name = p.str('Key')?.trim() || p.str('FileName')?.trim() || undefined;
    const form = createUploadForm(ctx.state, { instanceId, name, now: ctx.now });
    // the form's folder and the key together: one OSS object key (at most 1023 bytes of UTF-8)
    if (name && !isSafeKey(`${form.Folder}${name}`)) {
      throw invalidParameter(p.str('Key')?.trim() ? 'Key' : 'FileName', 'The object key is longer than 1023 bytes.');
    }
    return {
      Code: 'OK',
      Success: true,
      HttpStatusCode: 200,
      Message: 'successful',
      Data: { ...form, Success: true, Message: 'successful' },
    };
  },

  SaveRecording(ctx) {
    const p = ctx.params;
    const instanceId = getInstance(ctx, p.req('InstanceId')).instance_id;
    const conversationId = p.req('ConversationId');
    if (!ctx.store.conversations.exists(instanceId, conversationId)) throw notFound.conversation(conversationId);
    // FileName/FilePath/Type not blank, Duration a number, StartTime ≥ 0, the slices a JSON array: the model's rules
    const duration = p.req('Duration').trim();
    const startTime = p.int('StartTime') as number;
    const slices = p.str('VoiceSliceRecordingList');
    ctx.store.recordings.save({
      instance_id: instanceId,
      conversation_id: conversationId,
      file_name: p.req('FileName'),
      file_path: p.req('FilePath'),
      duration,
      start_time: startTime,
      type: p.req('Type'),
      voice_slice_json: slices?.trim() ? slices : null,
      create_time: ctx.now,
    });
    return {};
  },
} satisfies Partial<HandlerTable>;

const RECORDING_ROUTE = /^\/audio\/recordings\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)(?:\.wav|\/(\d+)\.wav)$/;

function noSuchKey(): FileResponse {
  return {
    status: 404,
    contentType: 'application/xml',
    body: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>'),
  };
}

/** An object key in a URL path: each segment percent-encoded, the slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export const fileRoutes: FileRoute[] = [
  (state: EmulatorState, url: URL) => {
    if (!url.pathname.startsWith(`${UPLOAD_PATH}/`)) return undefined;
    let key: string;
    try {
      key = url.pathname
        .slice(UPLOAD_PATH.length + 1)
        .split('/')
        .map(decodeURIComponent)
        .join('/');
    } catch {
      return noSuchKey();
    }
    const upload = readUpload(state, key);
    if (!upload) return noSuchKey();
    return { status: 200, contentType: upload.content_type, body: upload.content, fileName: key.slice(key.lastIndexOf('/') + 1) };
  },
  (state: EmulatorState, url: URL) => {
    const m = RECORDING_ROUTE.exec(url.pathname);
    if (!m) return undefined;
    // the file is rendered from the conversation as it stands when fetched
    const conversation = state.store.conversations.find(unb64(m[1] ?? ''), unb64(m[2] ?? ''));
    if (!conversation) return noSuchKey();
    const layout = layoutRecording(state.store, conversation);
    const fileName = recordingFileName(conversation.begin_time);
    if (m[3] === undefined) {
      const segments: TimelineSegment[] = layout.slices.map((s) => ({ startMs: s.startMs, text: s.text, voice: s.voice }));
      return { status: 200, contentType: 'audio/wav', body: timelineWav(segments, layout.durationMs, RECORDING_SAMPLE_RATE), fileName };
    }
    const index = layout.slices.findIndex((s) => s.turnId === Number(m[3]));
    const slice = layout.slices[index];
    if (!slice) return noSuchKey();
    return {
      status: 200,
      contentType: 'audio/wav',
      body: synthesizeWav(slice.text, slice.voice, RECORDING_SAMPLE_RATE),
      fileName: fileName.replace(/\.wav$/, `-${index + 1}.wav`),
    };
  },
];
