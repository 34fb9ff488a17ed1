import { describe, expect, it } from 'vitest';
import { encodeWav, rateFactor, speechDurationMs, synthesizeWav, timelineWav, UNIT_MS, type Voice } from '../../src/emulator/audio.js';

/** Reads a canonical 44-byte WAV header by hand (no code shared with src/). */
function readHeader(buf: Buffer) {
  return {
    riff: buf.toString('ascii', 0, 4),
    riffSize: buf.readUInt32LE(4),
    wave: buf.toString('ascii', 8, 12),
    fmt: buf.toString('ascii', 12, 16),
    fmtSize: buf.readUInt32LE(16),
    format: buf.readUInt16LE(20),
    channels: buf.readUInt16LE(22),
    sampleRate: buf.readUInt32LE(24),
    byteRate: buf.readUInt32LE(28),
    blockAlign: buf.readUInt16LE(32),
    bits: buf.readUInt16LE(34),
    data: buf.toString('ascii', 36, 40),
    dataSize: buf.readUInt32LE(40),
  };
}

function samplesOf(buf: Buffer): number[] {
  const out: number[] = [];
  for (let i = 44; i + 1 < buf.length; i += 2) out.push(buf.readInt16LE(i));
  return out;
}

const XIAOYUN: Voice = { voice: 'xiaoyun', speechRate: 0, volume: 50, pitchRate: 0 };

describe('encodeWav', () => {
  it.each([8000, 16000] as const)('writes a PCM 16-bit mono RIFF header at %i Hz', (rate) => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768]);
    const wav = encodeWav(samples, rate);
    expect(wav.length).toBe(44 + 10);
    expect(readHeader(wav)).toEqual({
      riff: 'RIFF',
      riffSize: 36 + 10,
      wave: 'WAVE',
      fmt: 'fmt ',
      fmtSize: 16,
      format: 1,
      channels: 1,
      sampleRate: rate,
      byteRate: rate * 2,
      blockAlign: 2,
      bits: 16,
      data: 'data',
      dataSize: 10,
    });
    expect(samplesOf(wav)).toEqual([0, 1, -1, 32767, -32768]);
  });

  it('encodes an empty file as a bare header', () => {
    const wav = encodeWav(new Int16Array(0), 8000);
    expect(wav.length).toBe(44);
    expect(readHeader(wav).dataSize).toBe(0);
  });
});

describe('duration rule', () => {
  it('maps NLS rates to 0.5×..2× with 1× at 0', () => {
    expect(rateFactor(0)).toBe(1);
    expect(rateFactor(-500)).toBeCloseTo(0.5);
    expect(rateFactor(500)).toBeCloseTo(2);
    expect(rateFactor(-150)).toBeCloseTo(1 / 1.3);
    expect(rateFactor(100)).toBeCloseTo(1 / 0.9);
    // out-of-range values are clamped rather than producing a negative speed
    expect(rateFactor(-5000)).toBeCloseTo(0.5);
  });

  it('adds up syllables, letters, spaces and pauses at 1×', () => {
    expect(UNIT_MS).toEqual({ syllable: 250, letter: 90, space: 120, pause: 300 });
    expect(speechDurationMs('你好', 0)).toBe(500);
    expect(speechDurationMs('您好，欢迎', 0)).toBe(4 * 250 + 300);
    expect(speechDurationMs('ok 1', 0)).toBe(3 * 90 + 120);
    expect(speechDurationMs('「」', 0)).toBe(0);
    expect(speechDurationMs('', 0)).toBe(0);
  });

  it('stretches or shrinks with the speech rate', () => {
    expect(speechDurationMs('你好', -500)).toBe(1000);
    expect(speechDurationMs('你好', 500)).toBe(250);
    expect(speechDurationMs('你好', -150)).toBe(650);
    expect(speechDurationMs('你好', 100)).toBe(450);
  });
});

describe('synthesizeWav', () => {
  it('is as long as the duration rule says, at the requested rate', () => {
    for (const rate of [8000, 16000] as const) {
      const wav = synthesizeWav('您好，欢迎致电', { ...XIAOYUN, speechRate: -150 }, rate);
      const ms = speechDurationMs('您好，欢迎致电', -150);
      expect(ms).toBe(Math.round((6 * 250 + 300) * 1.3));
      expect(readHeader(wav).sampleRate).toBe(rate);
      expect(readHeader(wav).dataSize).toBe(Math.round((ms * rate) / 1000) * 2);
    }
  });

  it('is deterministic and depends on text, voice and pitch', () => {
    const a = synthesizeWav('测试一下', XIAOYUN, 16000);
    expect(synthesizeWav('测试一下', XIAOYUN, 16000).equals(a)).toBe(true);
    expect(synthesizeWav('测试两下', XIAOYUN, 16000).equals(a)).toBe(false);
    expect(synthesizeWav('测试一下', { ...XIAOYUN, voice: 'xiaogang' }, 16000).equals(a)).toBe(false);
    expect(synthesizeWav('测试一下', { ...XIAOYUN, pitchRate: 300 }, 16000).equals(a)).toBe(false);
  });

  it('sounds during syllables, is silent during pauses, and scales with volume', () => {
    const rate = 8000;
    const wav = synthesizeWav('好，好', XIAOYUN, rate);
    const s = samplesOf(wav);
    const peak = (from: number, to: number) => Math.max(...s.slice(from, to).map(Math.abs));
    const ms = (t: number) => Math.round((t * rate) / 1000);
    expect(peak(ms(0), ms(200))).toBeGreaterThan(5000);
    expect(peak(ms(250), ms(550))).toBe(0);
    expect(peak(ms(550), ms(750))).toBeGreaterThan(5000);
    const loud = samplesOf(synthesizeWav('好', { ...XIAOYUN, volume: 100 }, rate));
    expect(Math.max(...loud.map(Math.abs))).toBeGreaterThan(peak(0, s.length));
    expect(samplesOf(synthesizeWav('好', { ...XIAOYUN, volume: 0 }, rate)).every((v) => v === 0)).toBe(true);
  });
});

describe('timelineWav', () => {
  it('places each segment at its offset inside a file of the given length', () => {
    const rate = 8000;
    const wav = timelineWav(
      [
        { startMs: 0, text: '你', voice: XIAOYUN },
        { startMs: 1000, text: '好', voice: { ...XIAOYUN, voice: 'customer' } },
      ],
      2000,
      rate,
    );
    expect(readHeader(wav).dataSize).toBe(2000 * 8 * 2);
    const s = samplesOf(wav);
    const peak = (fromMs: number, toMs: number) => Math.max(...s.slice(fromMs * 8, toMs * 8).map(Math.abs));
    expect(peak(0, 200)).toBeGreaterThan(0);
    expect(peak(260, 1000)).toBe(0);
    expect(peak(1000, 1200)).toBeGreaterThan(0);
    expect(peak(1260, 2000)).toBe(0);
  });

  it('clips speech that runs past the end', () => {
    const wav = timelineWav([{ startMs: 900, text: '你好你好', voice: XIAOYUN }], 1000, 8000);
    expect(readHeader(wav).dataSize).toBe(1000 * 8 * 2);
  });
});
