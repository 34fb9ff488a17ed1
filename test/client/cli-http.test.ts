import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type Recorded, startRecordingServer } from '../helpers/http-server.js';
import { BIN, ROOT, runVn, spawnVn, tempDir } from '../helpers/run.js';

const SECRET = 'Very-Secret-Key-7734';
const TOKEN = 'STS-Token-Value-9911';

/** Independent V1 check (seed: 签名机制), sharing no code with src/. */
function verifyV1(req: Recorded, secret: string): boolean {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const p = { ...req.params };
  const sig = p.Signature;
  delete p.Signature;
  const canon = Object.keys(p)
    .sort()
    .map((k) => `${enc(k)}=${enc(p[k] as string)}`)
    .join('&');
  const expected = createHmac('sha1', `${secret}&`)
    .update(`${req.method}&%2F&${enc(canon)}`)
    .digest('base64');
  return sig === expected;
}

const listBody = {
  RequestId: 'REQ-LIST',
  TotalCount: 3,
  PageNumber: 1,
  PageSize: 10,
  Instances: [
    {
      InstanceId: 'a1111111-0000-4000-8000-000000000001',
      Name: '客服 热线',
      Status: 'Published',
      Concurrency: 5,
      Description: 'main',
      ModifyTime: 1764064800000,
    },
    { InstanceId: 'i-2', Name: 'b', Status: 'Disabled', Concurrency: 1, Description: '', ModifyTime: 1764064800000 },
  ],
};

describe('vn against a recording HTTP server', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  let mode = 'ok';
  const cfg = tempDir();
  const env = () => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKID-TEST',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
    VN_ENDPOINT: server.url,
    VN_CONFIG_DIR: cfg.dir,
    VN_RETRY_BASE_MS: '1',
  });

  beforeAll(async () => {
    server = await startRecordingServer((req, res, i) => {
      const action = req.params.Action;
      if (mode === 'throttle-then-ok' && i % 2 === 0) return json(res, 503, { RequestId: `R${i}`, Code: 'Throttling.User', Message: 'slow down' });
      if (mode === 'drop') return res.socket?.destroy();
      if (mode === 'slow') return void setTimeout(() => json(res, 200, { RequestId: 'SLOW' }), 600);
      if (mode === '500') return json(res, 500, { RequestId: 'R500', Code: 'InternalError', Message: 'boom' });
      if (action === 'DescribeInstance' && req.params.InstanceId === '00000000-0000-4000-8000-00000000dead') {
        return json(res, 404, { RequestId: 'REQ-404', Code: 'InvalidInstanceId.NotFound', Message: 'The specified InstanceId does not exist.' });
      }
      if (req.params.Format === 'XML') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        return res.end(`<?xml version="1.0" encoding="UTF-8"?><${action}Response><RequestId>X1</RequestId></${action}Response>`);
      }
      if (action === 'ListInstances') return json(res, 200, listBody);
      if (action === 'CreateInstance') return json(res, 200, { RequestId: 'REQ-C', InstanceId: 'i-new' });
      json(res, 200, { RequestId: 'REQ-D', InstanceId: req.params.InstanceId, Name: 'n', Concurrency: 2, Status: 'Published', CreateTime: 1764064800000 });
    });
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
  });
  const reset = (m = 'ok') => {
    mode = m;
    server.requests.length = 0;
  };

  it('signs a GET with V1 that an independent check accepts, with Chinese, spaces and reserved characters', async () => {
    reset();
    const r = await spawnVn(['instance', 'list', '--name', '客服 热线*~/+&=', '-o', 'json', '--no-paginate'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(listBody);
    const req = server.requests[0] as Recorded;
    expect(req.method).toBe('GET');
    expect(req.params).toMatchObject({
      Action: 'ListInstances',
      Version: '2018-06-12',
      Format: 'JSON',
      AccessKeyId: 'AKID-TEST',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      Name: '客服 热线*~/+&=',
      PageNumber: '1',
      PageSize: '10',
    });
    expect(req.params.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(req.params.SignatureNonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.url.search).not.toContain('+');
    expect(verifyV1(req, SECRET)).toBe(true);
    expect(verifyV1(req, 'other')).toBe(false);
  });

  it('signs a POST (parameters in the query, as the SDKs send them) with an STS token and keeps the token out of --debug', async () => {
    reset();
    const r = await runVn(['instance', 'create', '--name', '新 实例', '--concurrency', '2', '--debug', '-o', 'json'], {
      env: { ...env(), ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN },
    });
    expect(r.code).toBe(0);
    const req = server.requests[0] as Recorded;
    expect(req.method).toBe('POST');
    expect(req.params.SecurityToken).toBe(TOKEN);
    expect(verifyV1(req, SECRET)).toBe(true);
    expect(r.stderr).toContain('[debug] > POST');
    expect(r.stderr).toContain('SecurityToken=<redacted>');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('--dry-run prints the signed request and sends nothing', async () => {
    reset();
    const r = await runVn(['instance', 'create', '--name', 'x', '--concurrency', '1', '--dry-run'], { env: { ...env(), ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN } });
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(r.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).toContain('Signature=');
    expect(r.stdout).toContain('Action=CreateInstance');
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(SECRET);
  });

  it('signs with V3 when asked (Authorization header and x-acs-* headers)', async () => {
    reset();
    const r = await runVn(['instance', 'describe', 'a9999999-0000-4000-8000-000000000009', '--signature-version', 'v3', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const req = server.requests[0] as Recorded;
    expect(req.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=AKID-TEST,SignedHeaders=host;x-acs-action;/);
    expect(req.headers['x-acs-action']).toBe('DescribeInstance');
    expect(req.headers['x-acs-version']).toBe('2018-06-12');
    expect(req.params.InstanceId).toBe('a9999999-0000-4000-8000-000000000009');
  });

  it('prints tables with local times on a terminal, TSV when asked, and applies --query', async () => {
    reset();
    // on a terminal: one page, and the footer says so (piped, every page is followed)
    let r = await runVn(['instance', 'list', '-o', 'table'], { env: env(), tty: { stdout: true } });
    expect(r.stdout).toMatch(/ID\s+NAME\s+STATUS\s+CONCURRENCY/);
    expect(r.stdout).toMatch(/a1111111-0000-4000-8000-000000000001\s+客服 热线\s+Published\s+5/);
    expect(r.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(r.stdout).toContain('page 1 of 1 · 2 shown of 3');
    r = await runVn(['instance', 'list', '-o', 'tsv'], { env: env() });
    expect(r.stdout.split('\n')[0]).toMatch(/^a1111111-0000-4000-8000-000000000001\t客服 热线\tPublished\t5\t/);
    r = await runVn(['instance', 'list', '-o', 'json', '--query', 'Instances[].InstanceId'], { env: env() });
    expect(JSON.parse(r.stdout)).toEqual(['a1111111-0000-4000-8000-000000000001', 'i-2']);
    r = await runVn(['instance', 'list', '-o', 'tsv', '--query', 'Instances[].[InstanceId,Status]'], { env: env() });
    expect(r.stdout).toBe('a1111111-0000-4000-8000-000000000001\tPublished\ni-2\tDisabled\n');
    r = await runVn(['instance', 'describe', 'a1111111-0000-4000-8000-000000000001', '-o', 'table'], { env: env() });
    expect(r.stdout).toMatch(/^RequestId\s+REQ-D$/m);
    expect(r.stdout).toMatch(/^CreateTime\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  });

  it('asks for XML and prints the raw body with -o xml', async () => {
    reset();
    const r = await runVn(['instance', 'describe', 'a1111111-0000-4000-8000-000000000001', '-o', 'xml'], { env: env() });
    expect(r.code).toBe(0);
    expect(server.requests[0]?.params.Format).toBe('XML');
    expect(r.stdout).toContain('<DescribeInstanceResponse><RequestId>X1</RequestId></DescribeInstanceResponse>');
  });

  it('maps service errors to exit 1 with the code, HTTP status and RequestId', async () => {
    reset();
    const r = await spawnVn(['instance', 'describe', '00000000-0000-4000-8000-00000000dead'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('error: InvalidInstanceId.NotFound: The specified InstanceId does not exist. (HTTP 404, RequestId: REQ-404)');
    expect(r.stderr).not.toMatch(/\bat .*\.js/);
  });

  it('bad input exits 2 with one line and sends nothing', async () => {
    reset();
    for (const argv of [
      ['instance', 'list', '--page-size', '0'],
      ['instance', 'list', '--page-size', 'ten'],
      ['instance', 'create', '--name', 'x'],
      ['instance', 'create', '--name', 'x', '--concurrency', '1.5'],
      ['instance', 'list', '--bogus'],
      ['instance', 'list', '--query', 'Instances[?'],
      ['instance', 'list', '-o', 'csv'],
      ['instance', 'delete', 'a1111111-0000-4000-8000-000000000001'],
      ['instance', 'list', '--endpoint', 'ftp://x'],
    ]) {
      const r = await runVn(argv, { env: env() });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: /);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('retries a read-only call through throttling and 5xx with a fresh nonce each time', async () => {
    reset('throttle-then-ok');
    const r = await runVn(['instance', 'describe', 'a1111111-0000-4000-8000-000000000001', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.params.SignatureNonce).not.toBe(server.requests[1]?.params.SignatureNonce);
  });

  it('never re-sends a create after the connection dropped mid-request, and says so', async () => {
    reset('drop');
    const r = await runVn(['instance', 'create', '--name', 'x', '--concurrency', '1'], { env: env() });
    expect(r.code).toBe(3);
    expect(server.requests).toHaveLength(1);
    expect(r.stderr).toMatch(/may have been carried out/);
    reset('drop');
    const d = await runVn(['instance', 'describe', 'a1111111-0000-4000-8000-000000000001', '--retries', '2'], { env: env() });
    expect(d.code).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('a bare host:port of a plain-HTTP server (https by default) fails the TLS handshake with the http:// to write', async () => {
    reset();
    const hostPort = server.url.replace(/^http:\/\//, '');
    const r = await runVn(['--endpoint', hostPort, 'instance', 'list', '--retries', '0'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `error: cannot connect to ${hostPort} over HTTPS (ERR_SSL_WRONG_VERSION_NUMBER): it answers plain HTTP. If that is meant ` +
        `(a \`vn emulator\`, a local proxy), write the endpoint as http://${hostPort} (a bare host:port means https)\n`,
    );
    expect(server.requests).toHaveLength(0);
    // as written, it works
    expect((await runVn(['--endpoint', `http://${hostPort}`, 'instance', 'list', '-o', 'json'], { env: env() })).code).toBe(0);
  });

  it('a global flag a command shadows still works before the command', async () => {
    reset('slow');
    const argv = [
      'ivr',
      'set-silence-timeout',
      'a1111111-0000-4000-8000-000000000001',
      '--prompt',
      'p',
      '--final-prompt',
      'f',
      '--final-action',
      'HangUp',
      '--threshold',
      '2',
      '--timeout',
      '10',
    ];
    const late = await runVn([...argv, '-o', 'json'], { env: env() });
    expect(late.code).toBe(0); // --timeout after the command is the silence timeout, not the request's
    // (the current config is read first: a partial update)
    expect(server.requests.find((r) => r.params.Action === 'ModifySilenceTimeoutConfig')?.params.Timeout).toBe('10');
    reset('slow');
    const early = await runVn(['--timeout', '0.2', ...argv], { env: env() });
    expect(early.code).toBe(3); // before the command it is the request timeout (0.2 s < 0.6 s)
    expect(early.stderr).toMatch(/no answer .* within/);
    // the read of the current config (a partial update) is what ran out of time (retried, as a read may be); nothing was written
    expect([...new Set(server.requests.map((r) => r.params.Action))]).toEqual(['DescribeNavigationConfig']);
  });

  it('does not retry a create on a 500 (it may have been carried out)', async () => {
    reset('500');
    const r = await runVn(['instance', 'create', '--name', 'x', '--concurrency', '1'], { env: env() });
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(1);
  });
});

describe('exit codes without a server', () => {
  it('exits 3 when the endpoint cannot be reached, after retrying', async () => {
    const cfg = tempDir();
    const r = await spawnVn(['instance', 'list', '--endpoint', 'http://127.0.0.1:9', '--retries', '1'], {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b', VN_CONFIG_DIR: cfg.dir, VN_RETRY_BASE_MS: '1' },
    });
    cfg.cleanup();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot connect to 127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  });

  it('exits 4 with how to configure when there are no credentials', async () => {
    const cfg = tempDir();
    const r = await spawnVn(['instance', 'list'], { env: { VN_CONFIG_DIR: cfg.dir } });
    cfg.cleanup();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: no credentials: run `vn configure`/);
    expect(r.stderr).toContain('--profile local');
  });

  it('prints the version and help without loading heavy modules', async () => {
    const heavy = ['undici', 'conf', 'string-width', 'ora', '@inquirer', '@jmespath-community/jmespath', 'better-sqlite3', 'yaml'];
    const bundledPackages = JSON.parse(readFileSync(join(ROOT, 'dist', 'packages.json'), 'utf8')) as Record<string, string[]>;
    const t = tempDir();
    const loaded = async (argv: string[]) => {
      const file = join(t.dir, `${argv.join('_') || 'none'}.txt`);
      writeFileSync(file, '');
      const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', join(ROOT, 'test/helpers/trace-imports.mjs'), BIN, ...argv], {
          env: { PATH: process.env.PATH, HOME: t.dir, VN_TRACE_FILE: file, NO_COLOR: '1' },
        });
        let stdout = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
      });
      const all = readFileSync(file, 'utf8').split('\n');
      const urls = all.filter((u) => u.includes('/node_modules/'));
      // the packages bundled into the dist files the process loaded (dist/packages.json, written by the build)
      const bundled = all.flatMap((u) => {
        const m = /\/dist\/(chunks\/[^/]+\.js)$/.exec(u);
        return m?.[1] ? (bundledPackages[m[1]] ?? []) : [];
      });
      const loadedPackages = [...urls.map((u) => u.slice(u.lastIndexOf('/node_modules/') + 14)), ...bundled];
      // the project's own dist/ files (a package's dist/ folder under node_modules is not one)
      const dist = [...new Set(all.filter((u) => u.startsWith(`${pathToFileURL(join(ROOT, 'dist')).href}/`)))];
      return { ...r, heavy: heavy.filter((h) => loadedPackages.some((p) => p === h || p.startsWith(`${h}/`))), urls, dist };
    };
    const v = await loaded(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(v.urls).toEqual([]);
    const h = await loaded(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('instance');
    expect(h.heavy).toEqual([]);
    // the tracer really sees the heavy modules when a command needs them
    const list = await loaded(['--profile', 'local', 'instance', 'list', '-o', 'table']);
    expect(list.heavy).toEqual(expect.arrayContaining(['better-sqlite3', 'string-width']));
    // the embedded emulator (and better-sqlite3's JavaScript) is one chunk, not the ~25 of an automatic split
    const chunk = (u: string) => u.replace(/^.*\/dist\//, '').replace(/-[\w-]{8}\.js$/, '');
    expect(list.dist.map(chunk).filter((c) => c === 'chunks/emulator')).toHaveLength(1);
    // cli.js, the core, rolldown's runtime, the list command and the emulator; then the table's five
    // (cli-table3, string-width, emoji-regex, chalk and the table renderer): esbuild’s split read 97
    expect(list.dist.length, list.dist.join(' ')).toBeLessThanOrEqual(10);
    // a command that only reads a stored profile parses the file itself; configure, which writes it, loads conf
    const dir = join(t.dir, '.config', 'vn');
    mkdirSync(dir, { recursive: true });
    const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'REQ-D', InstanceId: 'a1111111-0000-4000-8000-000000000001' }));
    const profiles = { current: 'p', profiles: { p: { accessKeyId: 'AKID-TEST', accessKeySecret: SECRET, endpoint: server.url } } };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(profiles), { mode: 0o600 });
    const describeCmd = await loaded(['instance', 'describe', 'a1111111-0000-4000-8000-000000000001', '-o', 'json']);
    await server.close();
    expect(describeCmd.code).toBe(0);
    expect(describeCmd.stdout).toContain('"REQ-D"');
    expect(server.requests[0]?.params.AccessKeyId).toBe('AKID-TEST');
    // node:http, not undici: a signed call loads none of the heavy packages (issue #25)
    expect(describeCmd.heavy).toEqual([]);
    // the entry, the core chunk and the bundler's runtime, not the dozens of an automatic split:
    // each ES module is a resolve, read, compile and link at start-up (scripts/build.mjs CORE)
    expect(describeCmd.dist.map((u) => u.replace(/^.*\/dist\//, '').replace(/-[\w-]{8}\.js$/, ''))).toEqual(expect.arrayContaining(['cli.js', 'chunks/core']));
    expect(describeCmd.dist, describeCmd.dist.join(' ')).toHaveLength(3);
    const configure = await loaded(['configure', 'list']);
    expect(configure.code).toBe(0);
    expect(configure.heavy).toContain('conf');
    t.cleanup();
    const g = await spawnVn(['instance']);
    expect(g.code).toBe(2);
  });
});
