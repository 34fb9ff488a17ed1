import { NetworkError, RuntimeFailure, ServiceError, UsageError } from '../../errors.js';
import type { WatchSpec } from '../../output/watch.js';
import type { FlagDef } from '../define.js';
import type { HandlerContext } from '../handler-context.js';
import { saveUrl } from '../save-url.js';

export const DEFAULT_WAIT_SECONDS = 300;

/** --wait, --wait-timeout, --output-file and --force, shared by the commands that start an export. */
export const WAIT_FLAGS: FlagDef[] = [
  { name: 'wait', type: 'bool', description: 'poll until the export has finished (or failed), then show its file URL' },
  { name: 'wait-timeout', type: 'int', valueName: 'seconds', default: DEFAULT_WAIT_SECONDS, description: 'give up waiting after this many seconds' },
  { name: 'output-file', valueName: 'file', complete: 'file', description: 'download the finished export to this file (implies --wait)' },
  { name: 'force', type: 'bool', description: 'overwrite --output-file when it exists' },
];

const FINISHED = /^(FINISHED|SUCCESS|SUCCEEDED|SUCCESSFUL|COMPLETED|DONE)$/i;
const FAILED = /FAIL|ERROR|CANCEL|EXPIRED|ABORT/i;

/** An export's final state, for `export status --watch`: it stops there (FileHttpUrl is signed afresh on every read). */
export const EXPORT_WATCH: WatchSpec = {
  final: (data) => {
    const status = String((data as { Status?: unknown } | undefined)?.Status ?? '');
    if (FINISHED.test(status)) return { ok: true, state: status };
    if (FAILED.test(status)) return { ok: false, state: status };
    return undefined;
  },
  volatile: ['FileHttpUrl'],
};

export interface ExportProgress {
  Status: string;
  FileHttpUrl?: string;
  RequestId?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls DescribeExportProgress with a growing pause (0.25 s up to 5 s) behind a spinner on stderr
 * until the task has finished; a failed status or the deadline is a RuntimeFailure that names the
 * task, so the user can look again later.
 */
export async function waitForExport(ctx: HandlerContext, instanceId: string, taskId: string, timeoutSeconds: number): Promise<ExportProgress> {
  const client = await ctx.client();
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  const spinner = await ctx.spinner(`export ${taskId}: waiting`);
  const later = `check it later with: vn export status ${instanceId} ${taskId}`;
  let delay = 250;
  try {
    for (;;) {
      const res = await client.call<Record<string, unknown>>('DescribeExportProgress', { InstanceId: instanceId, ExportTaskId: taskId }, { format: 'JSON' });
      const status = String(res.data.Status ?? '');
      const progress: ExportProgress = { Status: status, FileHttpUrl: res.data.FileHttpUrl as string | undefined, RequestId: res.requestId };
      spinner.text = `export ${taskId}: ${status || 'pending'} (${Math.round((Date.now() - started) / 1000)}s)`;
      if (FINISHED.test(status)) {
        spinner.succeed(`export ${taskId}: ${status}`);
        return progress;
      }
      if (FAILED.test(status)) {
        spinner.fail(`export ${taskId}: ${status}`);
        throw new RuntimeFailure(`export task ${taskId} ended with status ${status}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        spinner.fail(`export ${taskId}: still ${status || 'pending'}`);
        throw new RuntimeFailure(`export task ${taskId} is still ${status || 'pending'} after ${timeoutSeconds}s; ${later}`);
      }
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 1.6, 5000);
    }
  } catch (err) {
    spinner.stop();
    // the task exists whatever broke the polling: say how to find it again
    if (err instanceof ServiceError || err instanceof NetworkError) ctx.err(`the export task is ${taskId}; ${later}`);
    throw err;
  }
}

/** Refuses a bad --wait-timeout or a doomed --output-file before anything is sent. */
export async function checkExportFlags(flags: Record<string, unknown>): Promise<void> {
  if (flags.waitTimeout !== undefined && Number(flags.waitTimeout) < 0) throw new UsageError(`--wait-timeout must be 0 or more, got ${flags.waitTimeout}`);
  if (typeof flags.outputFile !== 'string') return;
  const { checkTarget } = await import('../../client/download.js');
  await checkTarget(flags.outputFile, flags.force === true);
}

/** True when the command should poll: --wait, or --output-file (which needs the finished file). */
export function wantsWait(flags: Record<string, unknown>): boolean {
  return flags.wait === true || typeof flags.outputFile === 'string';
}

/**
 * What the export commands share after they have an ExportTaskId: nothing more (plain), wait for
 * it (--wait), or wait and download it (--output-file).
 */
export async function finishExport(
  ctx: HandlerContext,
  instanceId: string,
  taskId: string,
  flags: Record<string, unknown>,
): Promise<{ data: Record<string, unknown>; message: string }> {
  const timeout = Number(flags.waitTimeout ?? DEFAULT_WAIT_SECONDS);
  const progress = await waitForExport(ctx, instanceId, taskId, timeout);
  const data: Record<string, unknown> = { ExportTaskId: taskId, ...progress };
  const target = flags.outputFile as string | undefined;
  if (!target) return { data, message: `export ${taskId} ${progress.Status}${progress.FileHttpUrl ? `: ${progress.FileHttpUrl}` : ''}` };
  if (!progress.FileHttpUrl) throw new RuntimeFailure(`export task ${taskId} is ${progress.Status} but has no FileHttpUrl to download`);
  const saved = await saveUrl(ctx, progress.FileHttpUrl, target, flags.force === true);
  return { data: { ...data, File: saved.path, Bytes: saved.bytes }, message: `saved ${saved.bytes} bytes to ${target} (export ${taskId})` };
}
