import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatorState } from './state.js';

/** A URL to a file the emulator serves, valid until `expiresAt` (epoch ms), signed with the file key. */
export function signedFileUrl(state: EmulatorState, path: string, expiresAt: number): string {
  const expires = Math.floor(expiresAt / 1000);
  const sig = fileSignature(state.fileKey, path, expires);
  return `${state.baseUrl}${path}?Expires=${expires}&Signature=${sig}`;
}

function fileSignature(key: Buffer, path: string, expires: number): string {
  return createHmac('sha256', key).update(`${path}\n${expires}`).digest('hex');
}

/** 'ok', 'expired' or 'invalid' for a request to a signed file URL. */
export function checkFileUrl(state: EmulatorState, url: URL, now: number): 'ok' | 'expired' | 'invalid' {
  const expires = Number(url.searchParams.get('Expires'));
  const sig = url.searchParams.get('Signature') ?? '';
  if (!Number.isFinite(expires) || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
  const expected = Buffer.from(fileSignature(state.fileKey, url.pathname, expires));
  if (expected.length !== sig.length || !timingSafeEqual(expected, Buffer.from(sig))) return 'invalid';
  if (now > expires * 1000) return 'expired';
  return 'ok';
}
