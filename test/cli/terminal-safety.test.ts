import { Chalk } from 'chalk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTurn } from '../../src/output/format-bot-turn.js';
import { sanitizeDeep, sanitizeText, terminalSafe } from '../../src/output/sanitize.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, spawnVn, tempDir } from '../helpers/run.js';

// what a hostile server (or a bot's text) might carry: an OSC title change, a clipboard write
// (OSC 52), a screen clear, a carriage return that hides what precedes it, a one-byte CSI (0x9b),
// and a right-to-left override
const HOSTILE = 'ok \u001b]0;pwned\u0007 \u001b]52;c;ZWNobyBoaQ==\u0007 \u001b[2J\rhidden \u009b31m \u202eevil';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('network text never drives the terminal', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const cfg = tempDir();
  const env = () => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKID-TTY',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'tty-secret-1234',
    VN_ENDPOINT: server.url,
    VN_CONFIG_DIR: cfg.dir,
  });

  beforeAll(async () => {
    server = await startRecordingServer((req, res) => {
      if (req.params.Format === 'XML') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        return void res.end(`<?xml version="1.0"?><ListInstancesResponse><RequestId>R</RequestId><Name>${HOSTILE}</Name></ListInstancesResponse>`);
      }
      if (req.params.InstanceId === 'bad00000-0000-4000-8000-000000000bad')
        return json(res, 400, { RequestId: `R\u001b[31m`, Code: `Evil\u001b[2J`, Message: HOSTILE });
      json(res, 200, {
        RequestId: 'R-LIST',
        TotalCount: 1,
        PageNumber: 1,
        PageSize: 10,
        Instances: [
          { InstanceId: 'a1111111-0000-4000-8000-000000000001', Name: HOSTILE, Status: 'Published', Concurrency: 1, Description: `line1\nline2\r${HOSTILE}` },
        ],
      });
    });
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
  });

  it('an error message from the server is one line with its control characters shown, not obeyed (spawned)', async () => {
    const r = await spawnVn(['instance', 'describe', 'bad00000-0000-4000-8000-000000000bad'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).not.toMatch(CONTROLS);
    expect(r.stderr).toContain('\\x1b]0;pwned\\x07');
    expect(r.stderr).toContain('\\rhidden');
    expect(r.stderr).toContain('\\x9b31m');
    expect(r.stderr).toContain('\\u202eevil');
    expect(r.stderr).toMatch(/^error: Evil\\x1b\[2J: ok /);
  });

  it.each(['table', 'tsv'])('table cells from the server are neutralised in -o %s (spawned, not a terminal)', async (o) => {
    const r = await spawnVn(['instance', 'list', '-o', o], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\n/g, '')).not.toMatch(CONTROLS);
    expect(r.stdout).toContain('\\x1b]0;pwned');
  });

  it('on a terminal: json stays valid JSON with the same data, xml and tables are shown safe', async () => {
    const j = await runVn(['instance', 'list', '-o', 'json'], { env: env(), tty: { stdout: true } });
    expect(j.code).toBe(0);
    expect(j.stdout.replace(/\n/g, '')).not.toMatch(CONTROLS);
    expect(JSON.parse(j.stdout).Instances[0].Name).toBe(HOSTILE);
    const x = await runVn(['instance', 'list', '-o', 'xml'], { env: env(), tty: { stdout: true } });
    expect(x.code).toBe(0);
    expect(x.stdout.replace(/\n/g, '')).not.toMatch(CONTROLS);
    expect(x.stdout).toContain('\\x1b[2J');
    const t = await runVn(['instance', 'list', '-o', 'table'], { env: { ...env(), FORCE_COLOR: '1' }, tty: { stdout: true } });
    expect(t.code).toBe(0);
    // vn's own colours (SGR) may remain; nothing else does
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping SGR codes
    expect(t.stdout.replace(/\u001b\[[0-9;]*m/g, '').replace(/\n/g, '')).not.toMatch(CONTROLS);
  });

  it('piped json keeps the raw body byte for byte (a script gets the data as sent)', async () => {
    const r = await spawnVn(['instance', 'list', '-o', 'json'], { env: env() });
    expect(JSON.parse(r.stdout).Instances[0].Name).toBe(HOSTILE);
  });
});

describe('the sanitiser', () => {
  it('keeps text without controls as it is (the same string), and newlines and tabs unless told', () => {
    const plain = '客服热线 Published\tok\n';
    expect(sanitizeText(plain)).toBe(plain);
    expect(sanitizeText('a\nb\tc', { newlines: false })).toBe('a\\nb\\tc');
    const data = { a: ['x', 1, null, { b: true }] };
    expect(sanitizeDeep(data)).toBe(data);
    expect(sanitizeDeep({ 'k\u001b': ['\r'] })).toEqual({ 'k\\x1b': ['\\r'] });
  });

  it('a bot turn in the chat shows its hostile text and params as escapes, with vn’s colours', () => {
    const text = formatTurn(new Chalk({ level: 1 }), { TextResponse: HOSTILE, Action: 'Broadcast', ActionParams: `{"x":"\u001b[2J"}`, Interruptible: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping SGR codes
    expect(text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\n/g, '')).not.toMatch(CONTROLS);
    expect(text).toContain('\\x1b]0;pwned');
  });

  it('terminalSafe keeps SGR colours and neutralises every other sequence', () => {
    expect(terminalSafe('\u001b[1;31mred\u001b[0m')).toBe('\u001b[1;31mred\u001b[0m');
    expect(terminalSafe('\u001b]8;;http://x\u0007link\r')).toBe('\\x1b]8;;http://x\\x07link\\r');
    expect(terminalSafe('\u001b[2J\u001b[H')).toBe('\\x1b[2J\\x1b[H');
  });
});
