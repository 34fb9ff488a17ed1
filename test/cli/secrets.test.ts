import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, spawnVn, tempDir } from '../helpers/run.js';

const SECRET = 'k9F2-never-print-me-Q7';
const TOKEN = 'sts-never-print-me-T3';

/** Every path a secret could leak through: results, tables, errors, --debug, --dry-run, listings. */
describe('secrets stay secret', () => {
  const cfg = tempDir();
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const env = () => ({ VN_CONFIG_DIR: cfg.dir, VN_RETRY_BASE_MS: '1' });

  beforeAll(async () => {
    server = await startRecordingServer((req, res) => {
      if (req.params.InstanceId === 'bad00000-0000-4000-8000-000000000bad')
        return json(res, 400, { RequestId: 'R1', Code: 'InvalidParameter', Message: 'The specified parameter InstanceId is invalid.' });
      json(res, 200, { RequestId: 'R2', Instances: [], TotalCount: 0, PageNumber: 1, PageSize: 10 });
    });
    const r = await runVn(['configure', 'set', '--profile', 'p', '--access-key-id', 'AKIDSECRETTEST', '--sts-token', '--endpoint', server.url], {
      env: env(),
      stdin: `${SECRET}\n${TOKEN}\n`,
    });
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
  });

  it('is stored 0600 and appears in no output', async () => {
    const file = join(cfg.dir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(SECRET);
    const runs = [
      ['instance', 'list', '--debug', '-o', 'json'],
      ['instance', 'list', '--dry-run'],
      ['instance', 'list', '--dry-run', '--signature-version', 'v3'],
      ['instance', 'describe', 'bad00000-0000-4000-8000-000000000bad', '--debug'],
      ['instance', 'list', '--endpoint', 'http://127.0.0.1:9', '--retries', '0', '--debug'],
      ['configure', 'list', '-o', 'json'],
      ['configure', 'list', '-o', 'table'],
      ['configure', 'get', 'access-key-secret'],
      ['configure', 'get', 'sts-token'],
    ];
    for (const argv of runs) {
      const r = await runVn(argv, { env: env() });
      const all = r.stdout + r.stderr;
      expect(all, argv.join(' ')).not.toContain(SECRET);
      expect(all, argv.join(' ')).not.toContain(TOKEN);
    }
    // the token was sent (to the server), and only there
    await runVn(['instance', 'list'], { env: env() });
    expect(server.requests.at(-1)?.params.SecurityToken).toBe(TOKEN);
  });
});

/**
 * The real gateway quotes the string to sign in a SignatureDoesNotMatch message: with an STS
 * token that string holds the token, percent-encoded twice. This server does the same, and
 * echoes every parameter it got, so every path that prints server text is tried.
 */
describe('secrets the server echoes back', () => {
  // characters that change under percent-encoding, so every encoding of them must be caught
  const S = 'k9F2/never+print=me~Q7';
  const T = 'CAIS+sts/Never=Print~me:T3';
  // AuditTTSVoice's engine credentials (an AppKey names a project and is no secret: see src/redact.ts)
  const APP = { SecretKey: 'tts-secret-key-Z81', AccessKey: 'tts-access-key-Y72' };
  const cfg = tempDir();
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

  beforeAll(async () => {
    server = await startRecordingServer((req, res) => {
      const p = { ...req.params };
      delete p.Signature;
      const canonical = Object.keys(p)
        .sort()
        .map((k) => `${enc(k)}=${enc(p[k] as string)}`)
        .join('&');
      const v3 = String(req.headers.authorization ?? '').startsWith('ACS3');
      const stringToSign = v3
        ? `ACS3-HMAC-SHA256\nGET\n/\n${req.url.search.slice(1)}\nhost:${req.headers.host}\nx-acs-security-token:${req.headers['x-acs-security-token'] ?? ''}\n`
        : `${req.method}&%2F&${enc(canonical)}`;
      const message = `Specified signature is not matched with our calculation. server string to sign is:${stringToSign} (echo: ${JSON.stringify(req.params)})`;
      if (req.params.Format === 'XML') {
        res.writeHead(400, { 'content-type': 'application/xml' });
        const x = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        return void res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><RequestId>R-SIG</RequestId><Code>SignatureDoesNotMatch</Code><Message>${x}</Message></Error>`,
        );
      }
      if (req.params.InstanceId === 'ec000000-0000-4000-8000-0000000000ec')
        return json(res, 200, { RequestId: 'R-OK', Echo: req.params, Token: T, Note: `token=${T}` });
      json(res, 400, { RequestId: 'R-SIG', Code: 'SignatureDoesNotMatch', Message: message });
    });
    const r = await runVn(['configure', 'set', '--profile', 's', '--access-key-id', 'AKID-ECHO', '--sts-token', '--endpoint', server.url], {
      env: { VN_CONFIG_DIR: cfg.dir },
      stdin: `${S}\n${T}\n`,
    });
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
  });

  function forms(v: string): string[] {
    return [v, enc(v), enc(enc(v)), encodeURIComponent(v), JSON.stringify(v).slice(1, -1)];
  }
  function expectClean(text: string, label: string, values: string[] = [S, T, ...Object.values(APP)]): void {
    for (const v of values) for (const f of forms(v)) expect(text, `${label}: ${f}`).not.toContain(f);
  }

  const audit = [
    'call',
    'AuditTTSVoice',
    '--InstanceId',
    'a1111111-0000-4000-8000-000000000001',
    '--Text',
    'hi',
    '--SpeechRate',
    '0',
    '--Voice',
    'x',
    '--Volume',
    '50',
  ];
  const auditSecrets = ['--SecretKey', APP.SecretKey, '--AccessKey', APP.AccessKey, '--AppKey', 'tts-app-key-X63'];
  const profile = { VN_CONFIG_DIR: cfg.dir };
  const fromEnv = {
    VN_CONFIG_DIR: cfg.dir,
    VN_ENDPOINT: '',
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKID-ENV',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: S,
    ALIBABA_CLOUD_SECURITY_TOKEN: T,
  };

  it.each([
    ['profile', ['--profile', 's', 'instance', 'describe', 'a1111111-0000-4000-8000-0000000000a1'], profile],
    ['profile --debug', ['--profile', 's', '--debug', 'instance', 'describe', 'a1111111-0000-4000-8000-0000000000a1'], profile],
    ['profile -o xml', ['--profile', 's', '-o', 'xml', 'instance', 'describe', 'a1111111-0000-4000-8000-0000000000a1'], profile],
    ['profile -o xml --debug', ['--profile', 's', '-o', 'xml', '--debug', 'instance', 'describe', 'a1111111-0000-4000-8000-0000000000a1'], profile],
    ['profile v3 --debug', ['--profile', 's', '--signature-version', 'v3', '--debug', 'instance', 'describe', 'a1111111-0000-4000-8000-0000000000a1'], profile],
    ['environment credentials', ['instance', 'describe', 'a1111111-0000-4000-8000-0000000000a1'], fromEnv],
    ['environment credentials --debug', ['--debug', 'instance', 'describe', 'a1111111-0000-4000-8000-0000000000a1'], fromEnv],
    ['AuditTTSVoice secret parameters', ['--profile', 's', ...audit, ...auditSecrets], profile],
    ['AuditTTSVoice secret parameters --debug', ['--profile', 's', '--debug', ...audit, ...auditSecrets], profile],
    ['AuditTTSVoice --dry-run', ['--profile', 's', '--dry-run', ...audit, ...auditSecrets], profile],
    ['AuditTTSVoice --dry-run v3', ['--profile', 's', '--dry-run', '--signature-version', 'v3', ...audit, ...auditSecrets], profile],
  ])('%s: a server-echoed string to sign leaks nothing (spawned)', async (label, argv, env) => {
    const e = { ...env } as Record<string, string>;
    if (e.VN_ENDPOINT === '') e.VN_ENDPOINT = server.url;
    const before = server.requests.length;
    const r = await spawnVn(argv, { env: e });
    expectClean(r.stdout + r.stderr, label);
    if (!argv.includes('--dry-run')) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/SignatureDoesNotMatch/);
      expect(r.stderr).toContain('<redacted>');
      // the secrets did travel, to the server only
      const sent = server.requests.at(-1);
      expect(server.requests.length).toBe(before + 1);
      if (sent?.headers['x-acs-security-token']) expect(sent.headers['x-acs-security-token']).toBe(T);
      else expect(sent?.params.SecurityToken).toBe(T);
      if (argv.includes('--SecretKey')) expect(sent?.params.SecretKey).toBe(APP.SecretKey);
    } else {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('<redacted>');
      expect(server.requests.length).toBe(before);
    }
  });

  it('a successful answer that carries the token prints it redacted in json, table and tsv', async () => {
    for (const o of ['json', 'table', 'tsv']) {
      const r = await spawnVn(['--profile', 's', '-o', o, 'instance', 'describe', 'ec000000-0000-4000-8000-0000000000ec'], { env: profile });
      expect(r.code, r.stderr).toBe(0);
      expectClean(r.stdout + r.stderr, `-o ${o}`);
      expect(r.stdout).toContain('<redacted>');
    }
  });
});
