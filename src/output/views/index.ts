import type { RenderTarget, ViewFormat, ViewRenderer } from '../types.js';

export type { ViewRenderer } from '../types.js';

/**
 * Named views for results that read better as something other than a plain table
 * (loaded lazily: a view's code is read only when a command asks for it).
 */
const VIEWS: Record<string, () => Promise<ViewRenderer>> = {
  ivr: async () => (await import('./ivr.js')).default,
  turn: async () => (await import('./bot-turn.js')).default,
  stats: async () => (await import('./stats.js')).default,
  transcript: async () => (await import('./transcript.js')).default,
  context: async () => (await import('./conversation-context.js')).default,
  asr: async () => (await import('./asr.js')).default,
  recording: async () => (await import('./recording.js')).default,
  'manifest-diff': async () => (await import('./manifest.js')).diffView,
  'manifest-plan': async () => (await import('./manifest.js')).planView,
};

export async function renderView(kind: string, data: unknown, format: ViewFormat, target: RenderTarget): Promise<boolean> {
  const load = VIEWS[kind];
  if (!load) return false;
  return (await load())(data, format, target);
}
