import type { ActionHandler, FileRoute } from './types.js';

/** Every group's handlers and file routes, loaded once when the emulator starts. */
export async function loadHandlers(): Promise<{ handlers: Map<string, ActionHandler>; fileRoutes: FileRoute[] }> {
  const modules = await Promise.all([
    import('./instance.js'),
    import('./stats.js'),
    import('./export.js'),
    import('./tts.js'),
    import('./ivr.js'),
    import('./asr.js'),
    import('./recording.js'),
    import('./dialogue.js'),
    import('./chatbot.js'),
  ]);
  const handlers = new Map<string, ActionHandler>();
  const fileRoutes: FileRoute[] = [];
  for (const m of modules) {
    for (const [name, h] of Object.entries(m.handlers)) handlers.set(name, h);
    if ('fileRoutes' in m) fileRoutes.push(...(m.fileRoutes as FileRoute[]));
  }
  return { handlers, fileRoutes };
}
