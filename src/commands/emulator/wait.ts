import { readFileSync } from 'node:fs';
import { RuntimeFailure, ServiceError, UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';

const POLL_MS = 100;

export default defineCommand({
  description:
    'Waits until an emulator answers GET /_vn/health, then prints its URL and exits 0. Exits 1 at the --timeout, and at once when the process given with --pid has exited (the emulator failed to start), so a CI step never hangs. The URL comes from the argument, --endpoint, VN_ENDPOINT, or the --ready-file `vn emulator start` writes.',
  args: [{ name: 'url', optional: true, description: 'the emulator, e.g. http://127.0.0.1:8080' }],
  flags: [
    { name: 'timeout', description: 'seconds to wait at most', default: '30', valueName: 'seconds' },
    { name: 'pid', type: 'int', description: "the emulator's process id: stop waiting when it has exited", valueName: 'pid' },
    { name: 'ready-file', description: 'the file `vn emulator start --ready-file` writes (its URL is used)', valueName: 'file', complete: 'file' },
    { name: 'admin-key', description: "the emulator's --admin-key (or VN_ADMIN_KEY)", valueName: 'key' },
  ],
  examples: [
    'vn emulator wait http://127.0.0.1:8080 --timeout 30',
    'vn emulator start --port 0 --ready-file emu.json & vn emulator wait --ready-file emu.json --pid $! --timeout 30',
  ],
  async run(ctx, { args, flags }) {
    const timeoutS = Number(flags.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 86_400) throw new UsageError('--timeout must be a number of seconds above 0 (at most 86400)');
    const pid = flags.pid as number | undefined;
    if (pid !== undefined && pid <= 0) throw new UsageError('--pid must be a process id above 0');
    const readyFile = flags.readyFile as string | undefined;
    const given = args.url as string | undefined;
    if (given === undefined && readyFile === undefined && !ctx.globals.endpoint && !ctx.env.VN_ENDPOINT) {
      throw new UsageError('give the emulator URL (or --ready-file FILE, --endpoint URL, VN_ENDPOINT)');
    }
    const { adminTarget, adminCall } = await import('./admin-client.js');
    const { readFile } = await import('node:fs/promises');
    const deadline = Date.now() + timeoutS * 1000;
    let last = 'no answer yet';
    for (;;) {
      if (pid !== undefined && !alive(pid)) throw new RuntimeFailure(`the emulator (pid ${pid}) exited before it was ready (${last})`);
      let url = given;
      if (url === undefined && readyFile !== undefined) {
        try {
          const ready = JSON.parse(await readFile(readyFile, 'utf8')) as { url?: unknown };
          if (typeof ready.url === 'string') url = ready.url;
        } catch {
          last = `${readyFile} not written yet`;
        }
      } else if (url === undefined) url = ctx.globals.endpoint ?? ctx.env.VN_ENDPOINT;
      if (url !== undefined) {
        const target = adminTarget(ctx, url, flags.adminKey);
        try {
          const health = await adminCall<{ ready?: unknown }>(ctx, target, 'GET', '/health', undefined, {
            timeoutMs: Math.max(100, Math.min(2000, deadline - Date.now())),
          });
          if (health.ready === true) {
            ctx.out(target.url);
            return undefined;
          }
          last = 'it answered, not ready';
        } catch (err) {
          // an emulator that refuses us will not change its mind
          if (err instanceof ServiceError && err.httpStatus === 403) throw err;
          last = (err as Error).message;
        }
      }
      if (Date.now() + POLL_MS > deadline) throw new RuntimeFailure(`the emulator was not ready within ${timeoutS}s (${last})`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  },
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // an exited child its shell has not reaped yet is a zombie: dead all the same (Linux)
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
