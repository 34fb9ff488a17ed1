import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changeLines } from '../../src/output/changes.js';
import { action, HttpMock, json } from '../helpers/httpmock.js';
import { runVn } from '../helpers/run.js';

/**
 * The read-merge-write commands (instance modify, tts set, ivr set-*) say what changes as
 * `field old → new` lines: above the signed request under --dry-run, on stderr after the write,
 * `no change` (and nothing sent) when the values are already so. On the HTTP seam.
 */

const dir = mkdtempSync(join(tmpdir(), 'vn-changes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'changes-secret-value-1';
const ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK-CHANGES',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
  VN_ENDPOINT: 'https://vn.test',
  VN_CONFIG_DIR: join(dir, 'config'),
  VN_RETRY_BASE_MS: '0',
};
const I = '3f6e0c55-0b5c-4b8e-9a53-5d3f2c1e8a01';

const nav = (silence: Record<string, unknown> = {}) =>
  json({
    GreetingConfig: { GreetingWords: 'hello', IntentTrigger: '', SourceType: 'chatbotIntent' },
    SilenceTimeoutConfig: {
      Prompt: 'still there?',
      Timeout: 5,
      Threshold: 3,
      FinalPrompt: 'bye',
      FinalAction: 'HangUp',
      FinalActionParams: '{}',
      SourceType: 'chatbotIntent',
      ...silence,
    },
    UnrecognizingConfig: { Prompt: 'sorry?', Threshold: 3, FinalPrompt: 'agent', FinalAction: 'TransferToAgent', FinalActionParams: '{}' },
  });
const tts = json({ Voice: 'xiaoyun', SpeechRate: -150, Volume: 50, PitchRate: 0 });
const instance = json({ InstanceId: I, Name: 'hotline', Description: 'main', Concurrency: 5, Status: 'Published' });

async function vn(argv: string[], http: HttpMock, tty = false) {
  const r = await runVn(argv, { env: ENV, transport: http, ...(tty ? { tty: { stdout: true, stderr: true } } : {}) });
  http.verify();
  return r;
}

describe('--dry-run of a read-merge-write command', () => {
  it('prints the changed fields above the signed request, and sends only the read', async () => {
    const http = new HttpMock().register(action('DescribeNavigationConfig', { InstanceId: I }), nav());
    const r = await vn(['--dry-run', 'ivr', 'set-silence-timeout', I, '--threshold', '4', '--prompt', 'still there?'], http);
    expect(r.code, r.stderr).toBe(0);
    const [first, second, ...rest] = r.stdout.split('\n');
    // the unchanged prompt is not listed
    expect(first).toBe('silenceTimeout.threshold 3 → 4');
    expect(second).toMatch(/^POST https:\/\/vn\.test\/\?.*Action=ModifySilenceTimeoutConfig/);
    expect(rest.join('\n')).not.toContain('→');
    expect(http.actions()).toEqual(['DescribeNavigationConfig']);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('lists every changed field, one per line, in the order of the action’s parameters', async () => {
    const http = new HttpMock().register(action('DescribeNavigationConfig'), nav());
    const r = await vn(
      ['--dry-run', 'ivr', 'set-unrecognizing', I, '--threshold', '4', '--final-action-params', '{"skillGroupId":"vip"}', '--prompt', '再说一遍'],
      http,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'unrecognizing.finalActionParams {} → {"skillGroupId":"vip"}',
      'unrecognizing.prompt sorry? → 再说一遍',
      'unrecognizing.threshold 3 → 4',
    ]);
  });

  it('says `no change` and shows no request when the values are already so', async () => {
    const http = new HttpMock().register(action('DescribeNavigationConfig'), nav());
    const r = await vn(['--dry-run', 'ivr', 'set-silence-timeout', I, '--threshold', '3', '--final-action', 'hangup'], http);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('no change\n');
    expect(http.actions()).toEqual(['DescribeNavigationConfig']);
  });

  it('tts set, instance modify and set-greeting too (tts set reads the config first)', async () => {
    let http = new HttpMock().register(action('DescribeTTSConfig', { InstanceId: I }), tts);
    let r = await vn(['--dry-run', 'tts', 'set', I, '--voice', 'aixia', '--speech-rate', '-150'], http);
    expect(r.stdout).toMatch(/^tts\.voice xiaoyun → aixia\nPOST .*Action=ModifyTTSConfig/);
    http = new HttpMock().register(action('DescribeInstance', { InstanceId: I }), instance);
    r = await vn(['--dry-run', 'instance', 'modify', I, '--concurrency', '20'], http);
    expect(r.stdout).toMatch(/^concurrency 5 → 20\nPOST .*Action=ModifyInstance/);
    http = new HttpMock().register(action('DescribeNavigationConfig'), nav());
    r = await vn(['--dry-run', 'ivr', 'set-greeting', I, '--words', '您好'], http);
    expect(r.stdout).toMatch(/^greeting\.greetingWords hello → 您好\nPOST .*Action=ModifyGreetingConfig/);
  });
});

describe('after the write', () => {
  it('says what changed on stderr (human output), the confirmation on stdout', async () => {
    const http = new HttpMock()
      .register(action('DescribeInstance', { InstanceId: I }), instance)
      .register(action('ModifyInstance', { InstanceId: I, Concurrency: '20', Name: 'hotline', Description: 'peak' }), json({}));
    const r = await vn(['instance', 'modify', I, '--concurrency', '20', '--description', 'peak', '-o', 'table'], http);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('description main → peak\nconcurrency 5 → 20\n');
    expect(r.stdout).toBe(`modified instance ${I}\n`);
  });

  it('tts set sends only the flags given and says what changed', async () => {
    const http = new HttpMock()
      .register(action('DescribeTTSConfig', { InstanceId: I }), tts)
      .register(action('ModifyTTSConfig', { InstanceId: I, Voice: 'aixia', Volume: '50' }), json({}));
    const r = await vn(['tts', 'set', I, '--voice', 'aixia', '--volume', '50', '-o', 'table'], http);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('tts.voice xiaoyun → aixia\n');
    const sent = http.requests[1]?.params ?? {};
    expect(sent.SpeechRate).toBeUndefined();
  });

  it('sends nothing when the values are already so, and says `no change`', async () => {
    let http = new HttpMock().register(action('DescribeTTSConfig'), tts);
    let r = await vn(['tts', 'set', I, '--voice', 'xiaoyun', '--speech-rate', '-150', '-o', 'table'], http);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('no change\n');
    expect(r.stdout).toBe(`the TTS config of instance ${I} already has these values: nothing sent\n`);
    expect(http.actions()).toEqual(['DescribeTTSConfig']);
    http = new HttpMock().register(action('DescribeNavigationConfig'), nav());
    r = await vn(['ivr', 'set-silence-timeout', I, '--timeout', '5', '-o', 'json'], http);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ changes: [] });
    expect(http.actions()).toEqual(['DescribeNavigationConfig']);
  });

  it('-o json gives the changes as data (the shape of vn apply’s), and nothing on stderr', async () => {
    const http = new HttpMock()
      .register(action('DescribeNavigationConfig'), nav())
      .register(action('ModifySilenceTimeoutConfig', { Threshold: '4', Prompt: 'still there?' }), json({ RequestId: 'REQ-1' }));
    const r = await vn(['ivr', 'set-silence-timeout', I, '--threshold', '4', '-o', 'json'], http);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ RequestId: 'REQ-1', changes: [{ section: 'silenceTimeout', field: 'threshold', from: 3, to: 4 }] });
    expect(r.stderr).toBe('');
  });

  it('values read from the service reach a terminal through the one writer: control characters neutralised', async () => {
    const http = new HttpMock()
      .register(action('DescribeNavigationConfig'), nav({ Prompt: 'hi\u001b[2Jthere' }))
      .register(action('ModifySilenceTimeoutConfig'), json({}));
    const r = await vn(['ivr', 'set-silence-timeout', I, '--prompt', 'hello', '-o', 'table'], http, true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('silenceTimeout.prompt hi');
    expect(r.stderr).not.toContain('\u001b[2J');
  });
});

describe('changeLines', () => {
  it('never shows the value of a secret-named field', () => {
    expect(changeLines([{ section: 'x', field: 'secretKey', from: 'old-secret-1', to: 'new-secret-2' }])).toEqual(['x.secretKey <redacted> → <redacted>']);
    expect(changeLines([{ section: 'instance', field: 'concurrency', from: 1, to: 2 }])).toEqual(['concurrency 1 → 2']);
    expect(changeLines([])).toEqual(['no change']);
  });
});
