/** A bot turn as the dialogue actions return it (seed: 11 BeginDialogue … response), read by the CLI, the chat, the suite runner and the emulator's tests. */

export interface BotTurn {
  TextResponse?: string;
  Action?: string;
  ActionParams?: string;
  Interruptible?: boolean;
}

/**
 * ActionParams parsed when it is JSON with content; undefined when empty ("", "{}", null). The
 * service sends a JSON string; any other type (an object, a number) is taken as it came.
 */
export function parsedParams(turn: BotTurn): Record<string, unknown> | string | undefined {
  const raw = (turn as { ActionParams?: unknown } | undefined)?.ActionParams;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'object') return Object.keys(raw).length === 0 ? undefined : (raw as Record<string, unknown>);
  if (typeof raw !== 'string') return String(raw);
  if (raw.trim() === '' || raw.trim() === '{}') return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object' && Object.keys(v).length === 0) return undefined;
    return v as Record<string, unknown>;
  } catch {
    return raw;
  }
}
