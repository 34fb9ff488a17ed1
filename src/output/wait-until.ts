import { UsageError, WaitTimedOut } from '../errors.js';
import type { Clock } from '../ports.js';
import type { OutputFormat } from './formats/index.js';
import type { Spinner } from './iostreams.js';
import type { Output, RenderTarget } from './types.js';

/**
 * `--wait-until EXPR` (the aliyun CLI's `--waiter`, done well): a read command is sent every
 * `--interval` seconds until the JMESPath expression is true of its answer, and that answer is
 * printed (with -o and --query as usual), exit 0. The expression is checked before anything is
 * sent. True is JMESPath's truth: false, null, "", [] and {} are false, anything else (0 too) is
 * true. When `--wait-timeout` passes first: exit 8 (WaitTimedOut), nothing on stdout, and stderr
 * says what the expression gave last. Errors of the read itself end the wait as they would end the
 * command (a service error is exit 1).
 */

export const DEFAULT_WAIT_UNTIL_SECONDS = 300;

/** What the wait needs of the shell: the output asked for, a spinner on stderr, the clock. */
export interface WaitHost {
  readonly now: Clock;
  readonly globals: { readonly query?: string };
  outputFormat(): Promise<OutputFormat>;
  renderTarget(): RenderTarget;
  spinner(text: string): Promise<Spinner>;
}

export interface WaitUntilOptions {
  expr: string;
  /** Seconds before giving up. */
  timeout: number;
  /** Seconds between polls. */
  interval: number;
  /** The command as typed, for the spinner and the timeout message. */
  title: string;
}

/** The flags checked (before anything is sent): the expression's syntax, the timeout and the interval. */
export async function waitOptions(flags: Record<string, unknown>): Promise<Omit<WaitUntilOptions, 'title'>> {
  const expr = flags.waitUntil;
  if (typeof expr !== 'string') throw new UsageError('--wait-timeout needs --wait-until');
  if (expr.trim() === '') throw new UsageError('--wait-until must not be empty');
  const { checkQuery } = await import('./query.js');
  await checkQuery(expr, '--wait-until');
  const timeout = flags.waitTimeout === undefined ? DEFAULT_WAIT_UNTIL_SECONDS : Number(flags.waitTimeout);
  if (!Number.isFinite(timeout) || timeout < 0 || timeout > 86_400) {
    throw new UsageError(`--wait-timeout must be a number of seconds from 0 to 86400, got "${String(flags.waitTimeout)}"`);
  }
  const { pollInterval } = await import('./watch.js');
  const interval = pollInterval(flags.interval);
  return { expr, timeout, interval };
}

/** JMESPath's truth of a value. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

export async function waitUntil(ctx: WaitHost, produce: () => Promise<Output | undefined>, opts: WaitUntilOptions): Promise<void> {
  const { applyQuery } = await import('./query.js');
  const started = Date.now();
  const deadline = started + opts.timeout * 1000;
  const spinner = await ctx.spinner(`waiting until ${opts.expr}`);
  let last: unknown;
  try {
    for (;;) {
      const out = await produce();
      if (out) {
        last = await applyQuery(out.data, opts.expr, '--wait-until');
        if (truthy(last)) {
          spinner.stop();
          const { render } = await import('./render.js');
          await render(out, { format: await ctx.outputFormat(), query: ctx.globals.query }, ctx.renderTarget());
          return;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      spinner.text = `waiting until ${opts.expr} (${Math.round((Date.now() - started) / 1000)}s, now ${JSON.stringify(last) ?? 'nothing'})`;
      await new Promise((resolve) => setTimeout(resolve, Math.min(opts.interval * 1000, left)));
    }
  } finally {
    spinner.stop();
  }
  throw new WaitTimedOut(`--wait-until "${opts.expr}" was still not true after ${opts.timeout}s (it gave ${JSON.stringify(last) ?? 'nothing'}): ${opts.title}`);
}
