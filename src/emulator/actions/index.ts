import type { FileRoute, HandlerTable } from './types.js';

/**
 * Every group's handlers and file routes, loaded once when the emulator starts. The table is typed
 * by the model: an action of the spec without a handler here fails `npm run check`.
 */
export async function loadHandlers(): Promise<{ handlers: HandlerTable; fileRoutes: FileRoute[] }> {
  const [instance, stats, exports, tts, ivr, asr, recording, dialogue, chatbot] = await Promise.all([
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
  const handlers: HandlerTable = {
    ...instance.handlers,
    ...stats.handlers,
    ...exports.handlers,
    ...tts.handlers,
    ...ivr.handlers,
    ...asr.handlers,
    ...recording.handlers,
    ...dialogue.handlers,
    ...chatbot.handlers,
  };
  const fileRoutes: FileRoute[] = [exports, tts, recording].flatMap((m) => ('fileRoutes' in m ? (m.fileRoutes as FileRoute[]) : []));
  return { handlers, fileRoutes };
}
