import { Chalk } from 'chalk';
import { actionColor } from '../format-bot-turn.js';
import { formatCell } from '../format-value.js';
import { keyValueTable } from '../table.js';
import type { RenderTarget, ViewFormat } from '../types.js';

/** The sections of DescribeNavigationConfig in the order a call meets them, with a readable title. */
const SECTIONS: [key: string, title: string][] = [
  ['GreetingConfig', 'Greeting'],
  ['UnrecognizingConfig', 'Unrecognized input'],
  ['SilenceTimeoutConfig', 'Silence timeout'],
  ['RepeatingConfig', 'Repeating'],
  ['AskingBackConfig', 'Asking back'],
  ['ComplainingConfig', 'Complaining'],
];

const ACTION_FIELD = /Action$/;
const PARAMS_FIELD = /ActionParams$/;

function cell(chalk: InstanceType<typeof Chalk>, key: string, value: unknown): string {
  if (value === undefined || value === null || value === '') return chalk.dim('(none)');
  if (ACTION_FIELD.test(key) && typeof value === 'string') return actionColor(chalk, value)(value);
  if (PARAMS_FIELD.test(key) && typeof value === 'string') {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (parsed && typeof parsed === 'object' && Object.keys(parsed).length === 0) return chalk.dim('(none)');
      return JSON.stringify(parsed);
    } catch {
      return value;
    }
  }
  if (key === 'Timeout' && typeof value === 'number') return `${value} s`;
  return formatCell(key, value);
}

/** `vn ivr get` in table mode: one titled section per config, its fields as key/value lines. */
export default function renderIvr(data: unknown, format: ViewFormat, target: RenderTarget): boolean {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  const chalk = new Chalk({ level: target.color ? 1 : 0 });
  const body = data as Record<string, unknown>;
  const known = new Set(SECTIONS.map(([k]) => k));
  const sections = [
    ...SECTIONS,
    ...Object.keys(body)
      .filter((k) => k.endsWith('Config') && !known.has(k))
      .map((k): [string, string] => [k, k]),
  ];
  const blocks: string[] = [];
  for (const [key, title] of sections) {
    const section = body[key];
    if (!section || typeof section !== 'object') continue;
    const pairs = Object.entries(section as Record<string, unknown>).map(([k, v]): [string, string] => [k, cell(chalk, k, v)]);
    const lines = keyValueTable(pairs, target, 2)
      .split('\n')
      .map((l) => `  ${l}`.trimEnd());
    blocks.push([chalk.bold.underline(title), ...lines].join('\n'));
  }
  if (blocks.length === 0) return false;
  target.write(`${blocks.join('\n\n')}\n`);
  return true;
}
