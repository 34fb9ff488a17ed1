import { Chalk } from 'chalk';
import { formatTurn } from '../format-bot-turn.js';
import { formatTime } from '../format-value.js';
import type { ViewRenderer } from '../types.js';

interface Detail {
  ConversationId?: string;
  SequenceId?: string;
  Speaker?: string;
  Utterance?: string;
  Action?: string;
  ActionParams?: string;
  CreateTime?: number | string;
}

/** What a caller's turn was, when it was not speech (seed: 12.2 — the Customer row carries the action sent). */
const CUSTOMER_KINDS: Record<string, string> = { CollectedNumber: 'keys', SilenceTimeout: 'silence' };

/**
 * ListConversationDetails in table mode, as a chat: time, speaker, what was said, and for the bot
 * the action it took (coloured like `vn dialogue`), one turn after the other.
 */
const renderTranscript: ViewRenderer = (data, format, target) => {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  const turns = (data as { ConversationDetails?: Detail[] }).ConversationDetails;
  if (!Array.isArray(turns)) return false;
  const chalk = new Chalk({ level: target.color ? 1 : 0 });
  if (turns.length === 0) {
    target.write(`${chalk.dim('(no turns)')}\n`);
    return true;
  }
  const stamps = turns.map((t) => formatTime(t.CreateTime));
  const days = new Set(stamps.map((s) => s.slice(0, 10)));
  // one day: the date once in the heading, times alone on the turns
  const oneDay = days.size === 1 && /^\d{4}-\d{2}-\d{2} /.test(stamps[0] ?? '');
  const times = oneDay ? stamps.map((s) => s.slice(11)) : stamps;
  const timeWidth = Math.max(...times.map((t) => t.length));
  const speakers = turns.map((t) => t.Speaker ?? '');
  const speakerWidth = Math.max(...speakers.map((s) => s.length));
  // formatTurn indents its action line by two spaces already
  const gutter = ' '.repeat(timeWidth + speakerWidth + 2);
  const lines: string[] = [];
  const id = turns[0]?.ConversationId;
  if (id || oneDay) lines.push(chalk.bold([id ? `conversation ${id}` : '', oneDay ? [...days][0] : ''].filter(Boolean).join(' · ')));
  turns.forEach((t, i) => {
    const head = `${chalk.dim((times[i] as string).padEnd(timeWidth))}  `;
    const speaker = speakers[i] as string;
    let body: string;
    let who: string;
    if (speaker === 'Chatbot') {
      who = chalk.green(speaker.padEnd(speakerWidth));
      body = formatTurn(chalk, { TextResponse: t.Utterance, Action: t.Action, ActionParams: t.ActionParams });
    } else {
      who = chalk.bold(speaker.padEnd(speakerWidth));
      const kind = CUSTOMER_KINDS[t.Action ?? ''];
      body = kind ? `${chalk.dim(`[${kind}]`)} ${t.Utterance ?? ''}` : (t.Utterance ?? '');
    }
    const [first, ...rest] = body.split('\n');
    lines.push(`${head}${who}  ${first ?? ''}`.trimEnd());
    for (const r of rest) lines.push(`${gutter}${r}`);
  });
  target.write(`${lines.join('\n')}\n`);
  return true;
};

export default renderTranscript;
