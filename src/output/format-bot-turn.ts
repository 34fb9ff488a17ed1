import type { ChalkInstance } from 'chalk';

import { type BotTurn, parsedParams } from '../api/bot-turn.js';
import { sanitizeDeep } from './sanitize.js';

export { ENDING_ACTIONS } from '../api/bot-actions.js';
// BotTurn and parsedParams live in api/ (what every layer reads); re-exported for the output layer's callers
export { type BotTurn, parsedParams } from '../api/bot-turn.js';

/** Colour per action kind: Broadcast plain talk, transfers and hang-up stand out. */
export function actionColor(chalk: ChalkInstance, action: string): (s: string) => string {
  switch (action) {
    case 'Broadcast':
      return chalk.green;
    case 'TransferToAgent':
      return chalk.magenta;
    case 'TransferToIVR':
      return chalk.blue;
    case 'RedirectToPage':
      return chalk.cyan;
    case 'HangUp':
      return chalk.red;
    default:
      return chalk.yellow;
  }
}

/**
 * Lines for one bot turn: the text, then `Action {params} · interruptible · 123 ms`.
 * Used by `vn dialogue begin|say|dtmf|silence` (table mode) and by the chat.
 */
export function formatTurn(chalk: ChalkInstance, raw: BotTurn, opts: { latencyMs?: number; prefix?: string } = {}): string {
  // the bot's text and params came from the network: shown, never obeyed (the chat prints this)
  const turn = sanitizeDeep(raw);
  const action = turn.Action ?? '';
  const meta: string[] = [];
  if (action) {
    const params = parsedParams(turn);
    meta.push(actionColor(chalk, action)(action) + (params === undefined ? '' : ` ${typeof params === 'string' ? params : JSON.stringify(params)}`));
  }
  if (turn.Interruptible) meta.push('interruptible');
  if (opts.latencyMs !== undefined) meta.push(`${Math.round(opts.latencyMs)} ms`);
  const text = `${opts.prefix ?? ''}${turn.TextResponse ?? ''}`;
  return meta.length ? `${text}\n${chalk.dim('  ↳ ')}${meta.join(chalk.dim(' · '))}` : text;
}
