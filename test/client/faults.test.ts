import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, type Recorded, startRecordingServer } from '../helpers/http-server.js';
import { BIN, spawnVn, tempDir } from '../helpers/run.js';

/**
 * The spawned CLI against a loopback server that misbehaves in one stated way per test: each of
 * these broke a promise of the README before issue 11 (a crash, a false success, a wrong exit code).
 */
describe('a misbehaving server', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  let mode = 'ok';
  const cfg = tempDir();
  const work = tempDir('vn-faults-');
  const env = (extra: Record<string, string> = {}) => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKID-FAULTS',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'faults-secret-1234',
    VN_ENDPOINT: server.url,
    VN_CONFIG_DIR: cfg.dir,
    VN_RETRY_BASE_MS: '1',
    ...extra,
  });
  const apiCalls = () => server.requests.filter((r) => r.params.Action);
  const appearing = join(work.dir, 'appearing.wav');

  /** Announces 2 MB, sends 1 MB and closes cleanly (FIN) with Connection: close. */
  function shortBody(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': 2_000_000, connection: 'close' });
    res.write(Buffer.alloc(1_000_000, 7), () => res.socket?.end());
  }

  /** Sends a little, then stalls (until the test kills the client). */
  function stall(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': 1_000_000 });
    res.write(Buffer.alloc(1000, 65));
  }

  function answer(req: Recorded, res: ServerResponse) {
    if (req.url.pathname === '/file') {
      if (mode === 'appear') {
        // someone else writes the target while vn downloads it
        writeFileSync(appearing, 'theirs');
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': 1000 });
        return void res.end(Buffer.alloc(1000, 9));
      }
      return mode === 'stall' ? stall(res) : shortBody(res);
    }
    const file = `${server.url}/file`;
    switch (mode) {
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(`<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>${'Please log in. '.repeat(50)}</body></html>`);
      case 'null':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('null');
    }
    switch (req.params.Action) {
      case 'DescribeExportProgress':
        return json(res, 200, { RequestId: 'R-EXP', Status: 'FINISHED', FileHttpUrl: file });
      case 'DescribeTTSConfig':
        return json(res, 200, { RequestId: 'R-TTS', Voice: 'xiaoyun', SpeechRate: 0, Volume: 50 });
      case 'AuditTTSVoice':
        return json(res, 200, { RequestId: 'R-AUD', AuditionUrl: file });
      case 'DescribeRecording':
        return json(res, 200, { RequestId: 'R-REC', FileName: 'c.wav', FilePath: file });
      case 'CreateInstance':
        return json(res, 200, { RequestId: 'R-CRE', InstanceId: 'i-new' });
      default:
        return json(res, 200, { RequestId: 'R-OK', Instances: [], TotalCount: 0 });
    }
  }

  beforeAll(async () => {
    server = await startRecordingServer(answer);
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
    work.cleanup();
  });
  beforeEach(() => {
    mode = 'ok';
    server.requests.length = 0;
  });

  const downloads: [string, (target: string) => string[]][] = [
    ['export download --output-file', (t) => ['export', 'download', 'a1111111-0000-4000-8000-000000000001', 'task-1', '--output-file', t]],
    ['tts audition --save', (t) => ['tts', 'audition', 'a1111111-0000-4000-8000-000000000001', '--text', 'hello', '--save', t]],
    ['recording get --download', (t) => ['recording', 'get', 'a1111111-0000-4000-8000-000000000001', 'conv-1', '--download', t]],
  ];

  it.each(downloads)('%s: a body cut short of its Content-Length is one line, exit 3, and no file', async (_name, argv) => {
    const target = join(work.dir, `short-${_name.split(' ')[0]}.bin`);
    const r = await spawnVn(argv(target), { env: env() });
    expect(r.stderr).not.toMatch(/AssertionError|at .*\.js:\d+/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: download from 127\.0\.0\.1:\d+ failed after 1000000 of 2000000 bytes/);
    expect(r.code).toBe(3);
    expect(readdirSync(work.dir).filter((f) => f.startsWith(`short-${_name.split(' ')[0]}`))).toEqual([]);
  });

  it('a usage error after a change was carried out is exit 6, never 2 ("nothing sent")', async () => {
    mode = 'appear';
    const r = await spawnVn(['tts', 'audition', 'a1111111-0000-4000-8000-000000000001', '--text', 'hello', '--save', appearing], { env: env() });
    expect(r.stderr).toMatch(/^error: .*appeared while downloading; not overwritten .* — after AuditTTSVoice was carried out \(exit 6\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(6);
    expect(readdirSync(work.dir).filter((f) => f.startsWith('appearing'))).toEqual(['appearing.wav']);
  });

  it('SIGHUP (the terminal closed) mid-download removes the part file', async () => {
    mode = 'stall';
    const dir = join(work.dir, 'hup');
    const target = join(dir, 'out.csv');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const child = spawn(process.execPath, [BIN, 'export', 'download', 'a1111111-0000-4000-8000-000000000001', 'task-1', '--output-file', target], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
    // wait until the part file exists and the stalled body has started
    for (let i = 0; i < 200 && !(readdirSync(dir).some((f) => f.endsWith('.part')) && server.requests.some((q) => q.url.pathname === '/file')); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(readdirSync(dir).some((f) => f.endsWith('.part'))).toBe(true);
    child.kill('SIGHUP');
    const end = await exited;
    expect(end.signal).toBe('SIGHUP');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes part files that a killed earlier run left beside the same target, and no others', async () => {
    const dir = join(work.dir, 'stale');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const target = join(dir, 'out.csv');
    // what SIGKILL leaves: the old naming (no pid) and the new one with a pid that is not running
    const stale = ['out.csv.0123456789ab.part', 'out.csv.999999-0123456789ab.part'];
    const kept = ['other.csv.0123456789ab.part', `out.csv.${process.pid}-0123456789ab.part`, 'notes.txt'];
    for (const f of [...stale, ...kept]) writeFileSync(join(dir, f), 'x');
    const r = await spawnVn(['export', 'download', 'a1111111-0000-4000-8000-000000000001', 'task-1', '--output-file', target], { env: env() });
    expect(r.code).toBe(3); // the short body of this server
    expect(readdirSync(dir).sort()).toEqual([...kept].sort());
  });

  it('SIGKILL mid-download leaves a part file that the next download of the target removes; a live download keeps its own', async () => {
    mode = 'stall';
    const dir = join(work.dir, 'killed');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const target = join(dir, 'out.csv');
    const parts = () => readdirSync(dir).filter((f) => f.endsWith('.part'));
    const start = async () => {
      const before = new Set(parts());
      const child = spawn(process.execPath, [BIN, 'export', 'download', 'a1111111-0000-4000-8000-000000000001', 'task-1', '--output-file', target], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_code, signal) => r(signal)));
      let mine: string | undefined;
      for (let i = 0; i < 200 && !mine; i++) {
        await new Promise((r) => setTimeout(r, 25));
        mine = parts().find((f) => !before.has(f) && f.includes(`.${child.pid}-`));
      }
      expect(mine).toBeDefined();
      return { child, exited, part: mine as string };
    };
    const files = () => server.requests.filter((r) => r.url.pathname === '/file').length;
    const filesBefore = files();
    const killed = await start();
    const live = await start();
    // both bodies are stalled on the server before the mode changes (a busy machine can make the
    // second child's GET arrive late, and it would then be answered by the next mode)
    for (let i = 0; i < 200 && files() < filesBefore + 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(files()).toBe(filesBefore + 2);
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');
    expect(parts().sort()).toEqual([killed.part, live.part].sort());
    mode = 'ok';
    const next = await spawnVn(['export', 'download', 'a1111111-0000-4000-8000-000000000001', 'task-1', '--output-file', target], { env: env() });
    expect(next.code).toBe(3); // the short body of this server; its own part file is removed too
    expect(parts()).toEqual([live.part]);
    live.child.kill('SIGTERM');
    await live.exited;
    expect(parts()).toEqual([]);
  });

  it('an HTML page answered with HTTP 200 is not a success: exit 3 with what arrived, shortened', async () => {
    mode = 'html';
    const r = await spawnVn(['instance', 'create', '--name', 'x', '--concurrency', '1'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: the endpoint answered HTTP 200, text\/html with something that is not a JSON API response/);
    expect(r.stderr).toContain('Hotel Wi-Fi');
    expect(r.stderr).toContain('may have been carried out, so it was not re-sent');
    expect(r.stderr.length).toBeLessThan(600);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(apiCalls()).toHaveLength(1);
    // -o xml asks for XML, and an HTML page is not that either
    const x = await spawnVn(['instance', 'list', '-o', 'xml', '--retries', '0'], { env: env() });
    expect(x.code).toBe(3);
    expect(x.stdout).toBe('');
    expect(x.stderr).toMatch(/not an XML API response/);
  });

  it('a 200 with the body null is a clear error, not a TypeError', async () => {
    mode = 'null';
    const r = await spawnVn(['instance', 'create', '--name', 'x', '--concurrency', '1'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: the endpoint answered HTTP 200, application\/json with something that is not a JSON API response .*"null"/);
    expect(r.stderr).not.toMatch(/Cannot read properties/);
  });

  it.each([
    [['--endpoint', ''], /^error: --endpoint is empty/],
    [['--endpoint', '   '], /^error: --endpoint is empty/],
    [['--endpoint', 'http://'], /^error: invalid --endpoint "http:\/\/"/],
    [['--endpoint', 'ftp://127.0.0.1'], /only http and https/],
    [['--endpoint', 'not a host'], /^error: invalid --endpoint "not a host"/],
  ])('%j is exit 2 and nothing is sent', async (flags, message) => {
    // VN_ENDPOINT is the loopback server: an empty --endpoint must not fall back to it, nor to the public endpoint
    const r = await spawnVn([...flags, 'instance', 'list'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [['--timeout', '3000000'], /--timeout must be a number of seconds from 0\.001 to 86400/],
    [['--timeout', '5000000'], /--timeout must be/],
    [['--timeout', '99999999999999999999'], /--timeout must be/],
    [['--timeout', '0'], /--timeout must be/],
    [['--timeout', '-1'], /--timeout must be/],
    [['--retries', '1.5'], /--retries must be a whole number from 0 to 10, got "1\.5"/],
    [['--retries', '11'], /--retries must be a whole number from 0 to 10/],
    [['--retries', '1e3'], /--retries must be/],
  ])('%j is refused with exit 2 before anything is sent', async (flags, message) => {
    const r = await spawnVn([...flags, 'instance', 'list'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/TimeoutOverflowWarning|RangeError/);
    expect(server.requests).toHaveLength(0);
  });

  it('--from 0001-01-01T00:00Z is refused (exit 2, nothing sent), not sent as 1901', async () => {
    const r = await spawnVn(['stats', 'query', 'a1111111-0000-4000-8000-000000000001', '--from', '0001-01-01T00:00Z'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --from is before 1970-01-01T00:00Z/);
    expect(server.requests).toHaveLength(0);
  });

  it('VN_TIMEOUT is held to the same bounds', async () => {
    const r = await spawnVn(['instance', 'list'], { env: env({ VN_TIMEOUT: '3000000' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--timeout must be/);
    expect(server.requests).toHaveLength(0);
  });

  it('the largest --timeout and --retries still work', async () => {
    const r = await spawnVn(['--timeout', '86400', '--retries', '10', 'instance', 'list', '-o', 'json'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(cfg.dir)).toBe(true);
  });
});
