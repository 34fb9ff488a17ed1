/**
 * The emulator's audio: WAV encoding (RIFF, PCM 16-bit, mono) and a deterministic stand-in for
 * speech synthesis. Every character becomes a short tone burst (or a pause), so a file's length
 * follows its text and speech rate exactly, the same input always gives the same bytes, and no
 * package or randomness is involved.
 */

import { endianness } from 'node:os';

export type SampleRate = 8000 | 16000;

/** Telephone recordings are narrow-band; TTS auditions are wide-band. */
export const RECORDING_SAMPLE_RATE: SampleRate = 8000;
export const AUDITION_SAMPLE_RATE: SampleRate = 16000;

const WAV_HEADER_BYTES = 44;
const BITS_PER_SAMPLE = 16;

/** A RIFF/WAVE file of 16-bit little-endian PCM, mono. */
export function encodeWav(samples: Int16Array, sampleRate: SampleRate): Buffer {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size for PCM
  buf.writeUInt16LE(1, 20); // audio format: PCM
  buf.writeUInt16LE(1, 22); // channels
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE((sampleRate * BITS_PER_SAMPLE) / 8, 28); // byte rate
  buf.writeUInt16LE(BITS_PER_SAMPLE / 8, 32); // block align
  buf.writeUInt16LE(BITS_PER_SAMPLE, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  if (endianness() === 'LE') Buffer.from(samples.buffer, samples.byteOffset, dataBytes).copy(buf, WAV_HEADER_BYTES);
  else for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i] ?? 0, WAV_HEADER_BYTES + i * 2);
  return buf;
}

export interface Voice {
  /** A speaker name (TTS voice, or 'customer' for the caller's side of a call). */
  voice: string;
  /** -500..500, as the TTS service takes it. */
  speechRate: number;
  /** 0..100. */
  volume: number;
  /** -500..500. */
  pitchRate: number;
}

/**
 * The speed multiplier of an NLS rate (-500..500 ↦ 0.5×..2×): the inverse of the conversion the
 * Alibaba speech service documents, rate = (1 - 1/x) / 0.002 below 1× and (1 - 1/x) / 0.001 above.
 */
export function rateFactor(rate: number): number {
  const r = Math.max(-500, Math.min(500, rate));
  return r < 0 ? 1 / (1 - 0.002 * r) : 1 / (1 - 0.001 * r);
}

/** Durations at 1× speed, in ms, per kind of character. */
export const UNIT_MS = {
  /** a Chinese character (or any other non-ASCII letter): one syllable */
  syllable: 250,
  /** an ASCII letter or digit */
  letter: 90,
  /** a space */
  space: 120,
  /** a pause mark: ，。！？、；：,.!?;: and line breaks */
  pause: 300,
} as const;

const PAUSE_MARKS = /[，。！？、；：,.!?;:\n\r…]/u;
const LETTER = /[A-Za-z0-9]/;
const SPEAKABLE = /[\p{L}\p{N}]/u;

type Unit = { kind: 'tone'; ms: number; codePoint: number } | { kind: 'silence'; ms: number };

function unitsOf(text: string): Unit[] {
  const units: Unit[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (LETTER.test(ch)) units.push({ kind: 'tone', ms: UNIT_MS.letter, codePoint: cp });
    else if (SPEAKABLE.test(ch)) units.push({ kind: 'tone', ms: UNIT_MS.syllable, codePoint: cp });
    else if (PAUSE_MARKS.test(ch)) units.push({ kind: 'silence', ms: UNIT_MS.pause });
    else if (/\s/u.test(ch)) units.push({ kind: 'silence', ms: UNIT_MS.space });
    // other symbols (quotes, brackets, emoji modifiers) are not pronounced
  }
  return units;
}

/**
 * How long `text` takes to say, in ms: the sum of its characters' units (see UNIT_MS) divided by
 * the speed multiplier of `speechRate`, rounded to whole milliseconds.
 */
export function speechDurationMs(text: string, speechRate: number): number {
  const base = unitsOf(text).reduce((sum, u) => sum + u.ms, 0);
  return Math.round(base / rateFactor(speechRate));
}

export function samplesForMs(ms: number, sampleRate: SampleRate): number {
  return Math.round((ms * sampleRate) / 1000);
}

/** Deep voices for the male speakers, a mid one for the caller, higher ones for the rest. */
const MALE_VOICES = new Set([
  'xiaogang',
  'sicheng',
  'aicheng',
  'aida',
  'aishuo',
  'ailun',
  'kenny',
  'stanley',
  'harry',
  'andy',
  'eric',
  'luca',
  'william',
  'xiaoze',
  'tomoya',
  'dahu',
  'laotie',
]);

function baseFrequency(voice: string): number {
  if (voice === 'customer') return 150;
  // a per-voice offset keeps two voices of the same kind apart, and is stable across runs
  let h = 0;
  for (const ch of voice) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 997;
  return (MALE_VOICES.has(voice) ? 110 : 200) + (h % 40);
}

const FULL_SCALE = 32767;
/** Loudest level at Volume 100, leaving headroom for the harmonic. */
const PEAK = 0.6;
const RAMP_MS = 8;

/**
 * Writes `text` spoken by `voice` into `out` from sample `start` on (clipped at the end of `out`).
 * Each syllable is a tone whose pitch steps with the character's code point, sounding for 80% of
 * its unit; pause marks and spaces are silence. Returns the number of samples the speech spans.
 */
export function renderSpeech(out: Int16Array, start: number, text: string, voice: Voice, sampleRate: SampleRate): number {
  const speed = rateFactor(voice.speechRate);
  const pitch = rateFactor(voice.pitchRate);
  const amplitude = (Math.max(0, Math.min(100, voice.volume)) / 100) * PEAK * FULL_SCALE;
  const base = baseFrequency(voice.voice) * pitch;
  const ramp = samplesForMs(RAMP_MS, sampleRate);
  let ms = 0;
  let cursor = start;
  for (const unit of unitsOf(text)) {
    // positions come from the running total in ms, so rounding never drifts from speechDurationMs
    const unitStart = start + samplesForMs(Math.round(ms / speed), sampleRate);
    ms += unit.ms;
    const unitEnd = start + samplesForMs(Math.round(ms / speed), sampleRate);
    cursor = unitEnd;
    if (unit.kind === 'silence' || amplitude === 0) continue;
    const toneLen = Math.floor((unitEnd - unitStart) * 0.8);
    const freq = base * 2 ** ((unit.codePoint % 8) / 12);
    const step = (2 * Math.PI * freq) / sampleRate;
    for (let i = 0; i < toneLen; i++) {
      const at = unitStart + i;
      if (at < 0 || at >= out.length) continue;
      const envelope = Math.min(1, i / ramp, (toneLen - 1 - i) / ramp);
      const v = amplitude * envelope * (0.75 * Math.sin(step * i) + 0.25 * Math.sin(2 * step * i));
      out[at] = Math.max(-FULL_SCALE, Math.min(FULL_SCALE, Math.round((out[at] ?? 0) + v)));
    }
  }
  return cursor - start;
}

/** A WAV of `text` alone, exactly speechDurationMs(text, voice.speechRate) long. */
export function synthesizeWav(text: string, voice: Voice, sampleRate: SampleRate): Buffer {
  const samples = new Int16Array(samplesForMs(speechDurationMs(text, voice.speechRate), sampleRate));
  renderSpeech(samples, 0, text, voice, sampleRate);
  return encodeWav(samples, sampleRate);
}

export interface TimelineSegment {
  startMs: number;
  text: string;
  voice: Voice;
}

/** A WAV `totalMs` long with each segment's speech placed at its start (silence between). */
export function timelineWav(segments: TimelineSegment[], totalMs: number, sampleRate: SampleRate): Buffer {
  const samples = new Int16Array(samplesForMs(totalMs, sampleRate));
  for (const s of segments) renderSpeech(samples, samplesForMs(s.startMs, sampleRate), s.text, s.voice, sampleRate);
  return encodeWav(samples, sampleRate);
}
