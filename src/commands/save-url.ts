import { basename } from 'node:path';
import type { DownloadResult } from '../client/download.js';
import type { HandlerContext } from './handler-context.js';

/** Downloads a URL to a file with a progress bar on stderr (on a terminal) — the one path for --output-file, --download, --save. */
export async function saveUrl(ctx: HandlerContext, url: string, target: string, force: boolean): Promise<DownloadResult> {
  const [{ downloadToFile }, { progressBar }] = await Promise.all([import('../client/download.js'), import('../output/progress.js')]);
  const bar = progressBar(basename(target), ctx.io);
  try {
    return await downloadToFile(url, target, { force, onProgress: bar ? (p) => bar.update(p) : undefined, timeoutMs: ctx.globals.timeout * 1000 });
  } finally {
    bar?.done();
  }
}
