import { Chalk } from 'chalk';
import { COLUMNS_BY_LIST_FIELD, NO_RATE } from '../columns.js';
import { formatCell } from '../format-value.js';
import { bar } from '../progress.js';
import type { ViewRenderer } from '../types.js';

interface Report {
  StatisticalDate?: string;
  TotalConversationNum?: number | string;
  ResolvedQuestionNum?: number | string;
  KnowledgeHitRate?: string;
  ValidAnswerRate?: string;
  ResolutionRate?: string;
  DialoguePassRate?: string;
}

interface Stats {
  ConversationTotalNum?: number | string;
  ResolvedQuestionTotalNum?: number | string;
  TotalKnowledgeHitRate?: string;
  TotalValidAnswerRate?: string;
  TotalResolutionRate?: string;
  TotalDialoguePassRate?: string;
  StatisticalDataReports?: Report[];
}

/** Statistics count live calls only: what `dialogue chat`, `dialogue test` and `--env debug` do is not in them. */
export const DEBUG_NOTE = 'Live conversations only: debug conversations (dialogue chat, dialogue test, --env debug) are not counted.';

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

/**
 * DescribeStatisticalData in table mode: the totals, one row per period, then a bar chart of
 * conversations per period as wide as the terminal allows. Other formats use the generic rows.
 */
const renderStats: ViewRenderer = async (data, format, target) => {
  if (format !== 'table' || !data || typeof data !== 'object') return false;
  const { keyValueTable, table, wrap } = await import('../table.js');
  const chalk = new Chalk({ level: target.color ? 1 : 0 });
  const d = data as Stats;
  const reports = Array.isArray(d.StatisticalDataReports) ? d.StatisticalDataReports : [];
  const none = Number(d.ConversationTotalNum ?? 0) === 0;
  const rate = (v: unknown) => (none ? NO_RATE : text(v));
  const totals: [string, string][] = [
    ['Conversations', text(d.ConversationTotalNum)],
    ['Resolved questions', text(d.ResolvedQuestionTotalNum)],
    ['Knowledge hit rate', rate(d.TotalKnowledgeHitRate)],
    ['Valid answer rate', rate(d.TotalValidAnswerRate)],
    ['Resolution rate', rate(d.TotalResolutionRate)],
    ['Dialogue pass rate', rate(d.TotalDialoguePassRate)],
  ];
  target.write(`${keyValueTable(totals, target)}\n`);
  const note = target.columns ? wrap(DEBUG_NOTE, target.columns) : [DEBUG_NOTE];
  target.write(`${note.map((l) => chalk.dim(l)).join('\n')}\n\n`);
  if (reports.length === 0) {
    target.write(`${chalk.dim('(no periods in this range)')}\n`);
    return true;
  }
  // the same columns, in the same order, as -o tsv prints
  const columns = COLUMNS_BY_LIST_FIELD.StatisticalDataReports ?? [];
  const rows = reports.map((r) => {
    const row = r as Record<string, unknown>;
    return columns.map((c) => (c.format ? c.format(row[c.key], row) : formatCell(c.key, row[c.key])));
  });
  const headers = columns.map((c) => c.header ?? c.key);
  target.write(`${table(headers, rows, target)}\n\n`);
  target.write(`${chart(reports, target.columns ?? 80, chalk)}\n`);
  return true;
};

/** One bar per period, scaled to the busiest period, in eighth-cell steps. */
export function chart(reports: Report[], columns: number, chalk: InstanceType<typeof Chalk>): string {
  const values = reports.map((r) => Math.max(0, Number(r.TotalConversationNum) || 0));
  const max = Math.max(0, ...values);
  const labels = reports.map((r) => text(r.StatisticalDate));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const countWidth = String(max).length;
  const width = Math.max(10, Math.min(60, columns - labelWidth - countWidth - 3));
  const lines = [chalk.bold('Conversations per period (UTC)')];
  reports.forEach((_, i) => {
    const v = values[i] as number;
    const drawn = max === 0 ? ' '.repeat(width) : bar(v / max, width);
    lines.push(`${(labels[i] as string).padEnd(labelWidth)} ${chalk.cyan(drawn)} ${String(v).padStart(countWidth)}`.trimEnd());
  });
  return lines.join('\n');
}

export default renderStats;
