import { Chalk } from 'chalk';
import type { BotTurn } from '../../api/bot-turn.js';
import { formatTurn } from '../format-bot-turn.js';
import type { RenderTarget, ViewFormat } from '../types.js';

/** A bot answer (begin, say, dtmf, silence) in table mode: the text, then the action, its params and barge-in. */
export default function renderTurn(data: unknown, format: ViewFormat, target: RenderTarget): boolean {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  const turn = data as BotTurn & { ConversationId?: string };
  const chalk = new Chalk({ level: target.color ? 1 : 0 });
  const head = turn.ConversationId ? `${chalk.dim('conversation')} ${turn.ConversationId}\n` : '';
  target.write(`${head}${formatTurn(chalk, turn)}\n`);
  return true;
}
