import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let id: string;

/** A loopback server that records requests: a refused command must leave it empty. */
async function expectRefusedBeforeSending(argv: string[], message: RegExp): Promise<void> {
  const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'R' }));
  try {
    const r = await runVn(argv, {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: emu.env.VN_CONFIG_DIR,
      },
    });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(server.requests).toHaveLength(0);
  } finally {
    await server.close();
  }
}

function vn(argv: string[]) {
  return runVn(argv, { env: emu.env });
}

beforeAll(async () => {
  emu = await startTestEmulator();
  const r = await vn(['instance', 'create', '--name', 'tts-ivr', '--concurrency', '3', '-o', 'json']);
  expect(r.code).toBe(0);
  id = JSON.parse(r.stdout).InstanceId;
});

afterAll(async () => {
  await emu.stop();
});

describe('tts', () => {
  it('get shows the seed defaults in table, JSON and XML', async () => {
    const table = await vn(['tts', 'get', id, '-o', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Voice\s+xiaoyun$/m);
    expect(table.stdout).toMatch(/^SpeechRate\s+-150$/m);
    const j = await vn(['tts', 'get', id, '-o', 'json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ Voice: 'xiaoyun', Volume: 50 });
    const x = await vn(['tts', 'get', id, '-o', 'xml']);
    expect(x.code).toBe(0);
    expect(x.stdout).toMatch(/^\s*</);
    expect(x.stdout).toContain('<Voice>xiaoyun</Voice>');
  });

  it('set changes only the settings given', async () => {
    const r = await vn(['tts', 'set', id, '--voice', 'aixia', '--speech-rate', '100', '-o', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`changed the TTS config of instance ${id}\n`);
    const after = JSON.parse((await vn(['tts', 'get', id, '-o', 'json'])).stdout);
    expect(after).toMatchObject({ Voice: 'aixia', SpeechRate: 100, Volume: 50 });
    const j = await vn(['tts', 'set', id, '--volume', '0', '-o', 'json']);
    expect(JSON.parse(j.stdout).RequestId).toBeTruthy();
    expect(JSON.parse((await vn(['tts', 'get', id, '-o', 'json'])).stdout)).toMatchObject({ Voice: 'aixia', Volume: 0 });
  });

  it('set refuses out-of-range values and an empty change before sending', async () => {
    await expectRefusedBeforeSending(['tts', 'set', id, '--volume', '101'], /--volume must be an integer from 0 to 100, got 101/);
    await expectRefusedBeforeSending(['tts', 'set', id, '--speech-rate', '-501'], /--speech-rate must be an integer from -500 to 500, got -501/);
    await expectRefusedBeforeSending(['tts', 'set', id, '--pitch-rate', '501'], /--pitch-rate must be an integer from -500 to 500, got 501/);
    await expectRefusedBeforeSending(['tts', 'set', id, '--speech-rate', 'fast'], /--speech-rate must be an integer/);
    await expectRefusedBeforeSending(['tts', 'set', id, '--voice', ' '], /--voice must not be empty/);
    await expectRefusedBeforeSending(['tts', 'set', id], /nothing to change/);
  });

  it('the emulator refuses an unknown voice as a service error', async () => {
    const r = await vn(['tts', 'set', id, '--voice', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/InvalidParameter/);
  });

  it('audition fills unspecified voice settings from the instance’s TTS config', async () => {
    const server = await startRecordingServer((req, res) => {
      if (req.params.Action === 'DescribeTTSConfig') json(res, 200, { RequestId: 'R1', Voice: 'ruoxi', SpeechRate: -20, Volume: 70 });
      else json(res, 200, { RequestId: 'R2', AuditionUrl: 'http://127.0.0.1:9/a.wav' });
    });
    try {
      const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret, VN_ENDPOINT: server.url };
      const r = await runVn(['tts', 'audition', '11111111-2222-4333-8444-555555555555', '--text', '你好', '--volume', '30', '-o', 'table'], { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('http://127.0.0.1:9/a.wav\n');
      expect(server.requests.map((q) => q.params.Action)).toEqual(['DescribeTTSConfig', 'AuditTTSVoice']);
      expect(server.requests[1]?.params).toMatchObject({
        InstanceId: '11111111-2222-4333-8444-555555555555',
        Text: '你好',
        Voice: 'ruoxi',
        SpeechRate: '-20',
        Volume: '30',
      });
      // every setting given: no need to read the config first
      server.requests.length = 0;
      const all = await runVn(
        ['tts', 'audition', '11111111-2222-4333-8444-555555555555', '--text', 'x', '--voice', 'aixia', '--speech-rate', '0', '--volume', '1'],
        { env },
      );
      expect(all.code).toBe(0);
      expect(server.requests.map((q) => q.params.Action)).toEqual(['AuditTTSVoice']);
    } finally {
      await server.close();
    }
  });

  it('audition on the local profile says that its URL dies with the command, and --output-file keeps the audio', async () => {
    const { dir, cleanup } = tempDir('vn-audition-local-');
    try {
      const env = { VN_CONFIG_DIR: join(dir, 'config') };
      const created = await runVn(['--profile', 'local', 'instance', 'create', '--name', 'audition', '--concurrency', '1', '-o', 'json'], { env });
      expect(created.code, created.stderr).toBe(0);
      const local = JSON.parse(created.stdout).InstanceId as string;
      const r = await runVn(['--profile', 'local', 'tts', 'audition', local, '--text', '你好', '-o', 'json'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).AuditionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(r.stderr).toMatch(/embedded emulator of the `local` profile, which stops when this command exits: use --output-file FILE/);
      const file = join(dir, 'kept.wav');
      const saved = await runVn(['--profile', 'local', 'tts', 'audition', local, '--text', '你好', '--output-file', file], { env });
      expect(saved.code, saved.stderr).toBe(0);
      expect(saved.stderr).not.toMatch(/embedded emulator/);
      expect(readFileSync(file).subarray(0, 4).toString()).toBe('RIFF');
      // an emulator reached by --endpoint keeps running: no note
      const far = await vn(['tts', 'audition', id, '--text', '您好', '-o', 'json']);
      expect(far.stderr).not.toMatch(/embedded emulator/);
    } finally {
      cleanup();
    }
  });

  it('audition returns a URL in JSON and XML', async () => {
    const j = await vn(['tts', 'audition', id, '--text', '您好，欢迎致电', '-o', 'json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).AuditionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.wav\?/);
    const x = await vn(['tts', 'audition', id, '--text', '您好', '-o', 'xml']);
    expect(x.stdout).toMatch(/<AuditionUrl>http:\/\/127\.0\.0\.1/);
  });

  it('audition --save writes a WAV, and refuses to overwrite without --force', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'hello.wav');
      const r = await vn(['tts', 'audition', id, '--text', '您好，欢迎致电', '--save', file, '-o', 'table']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^saved \d+ bytes to .*hello\.wav$/m);
      const wav = readFileSync(file);
      expect(wav.subarray(0, 4).toString()).toBe('RIFF');
      expect(wav.subarray(8, 12).toString()).toBe('WAVE');
      expect(wav.length).toBeGreaterThan(44);
      const j = JSON.parse((await vn(['tts', 'audition', id, '--text', '您好', '--save', file, '--force', '-o', 'json'])).stdout);
      expect(j).toMatchObject({ SavedTo: file, Bytes: readFileSync(file).length });
      expect(j.AuditionUrl).toBeTruthy();
      // XML under --save comes from the parsed answer, since the URL had to be read
      const x = await vn(['tts', 'audition', id, '--text', '您好', '--save', file, '--force', '-o', 'xml']);
      expect(x.stdout).toContain(`<SavedTo>${file}</SavedTo>`);
      // on a terminal a progress line is drawn on stderr and cleared when done
      const tty = await runVn(['tts', 'audition', id, '--text', '您好', '--save', join(dir, 'tty.wav'), '-o', 'table'], {
        env: emu.env,
        tty: { stderr: true },
      });
      expect(tty.code).toBe(0);
      expect(tty.stderr).toMatch(/tty\.wav .*100%/);
      expect(tty.stderr.endsWith('\r\u001b[2K')).toBe(true);
      rmSync(join(dir, 'tty.wav'));
      writeFileSync(file, 'keep me');
      await expectRefusedBeforeSending(['tts', 'audition', id, '--text', '您好', '--save', file], /already exists \(add --force/);
      expect(readFileSync(file, 'utf8')).toBe('keep me');
      await expectRefusedBeforeSending(['tts', 'audition', id, '--text', '您好', '--save', join(dir, 'no', 'such', 'x.wav')], /does not exist/);
      expect(readdirSync(dir)).toEqual(['hello.wav']);
    } finally {
      cleanup();
    }
  });

  it('audition refuses bad input before sending', async () => {
    await expectRefusedBeforeSending(['tts', 'audition', id, '--text', ' '], /--text must not be empty/);
    await expectRefusedBeforeSending(['tts', 'audition', id], /missing required option --text/);
    await expectRefusedBeforeSending(['tts', 'audition', id, '--text', 'x', '--volume', '-1'], /--volume must be an integer from 0 to 100, got -1/);
  });

  it('an unknown instance is the service’s not-found error (exit 1)', async () => {
    const r = await vn(['tts', 'get', '00000000-0000-4000-8000-00000000dead']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/InvalidInstanceId\.NotFound/);
  });
});

describe('ivr', () => {
  it('get shows one readable section per config in table mode', async () => {
    const r = await vn(['ivr', 'get', id, '-o', 'table']);
    expect(r.code).toBe(0);
    const sections = r.stdout.split('\n').filter((l) => /^\S/.test(l));
    expect(sections).toEqual(['Greeting', 'Unrecognized input', 'Silence timeout', 'Repeating', 'Asking back', 'Complaining']);
    expect(r.stdout).toMatch(/^ {2}GreetingWords\s+您好，欢迎致电智能导航$/m);
    expect(r.stdout).toMatch(/^ {2}FinalActionParams\s+\{"skillGroupId":"fallbackSkillGroup"\}$/m);
    expect(r.stdout).toMatch(/^ {2}Timeout\s+10 s$/m);
    expect(r.stdout).toMatch(/^ {2}Utterances\s+没听清, 再说一遍$/m);
  });

  it('get in JSON and XML', async () => {
    const j = JSON.parse((await vn(['ivr', 'get', id, '-o', 'json'])).stdout);
    expect(j.SilenceTimeoutConfig).toMatchObject({ Threshold: 3, FinalAction: 'HangUp' });
    const x = await vn(['ivr', 'get', id, '-o', 'xml']);
    expect(x.stdout).toMatch(/<GreetingWords>您好，欢迎致电智能导航<\/GreetingWords>/);
    const t = await vn(['ivr', 'get', id, '-o', 'tsv']);
    expect(t.stdout).toMatch(/^GreetingConfig\.GreetingWords\t您好，欢迎致电智能导航$/m);
  });

  it('set-greeting changes the greeting (source type defaults to chatbotIntent)', async () => {
    const r = await vn(['ivr', 'set-greeting', id, '--words', '您好，这里是测试热线', '--intent-trigger', '开始', '-o', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`changed the greeting of instance ${id}\n`);
    const j = JSON.parse((await vn(['ivr', 'get', id, '-o', 'json'])).stdout);
    expect(j.GreetingConfig).toEqual({ GreetingWords: '您好，这里是测试热线', IntentTrigger: '开始', SourceType: 'chatbotIntent' });
    const x = await vn(['ivr', 'set-greeting', id, '--words', '您好', '-o', 'xml']);
    expect(x.stdout).toMatch(/<RequestId>[^<]+<\/RequestId>/);
  });

  it('set-silence-timeout and set-unrecognizing change their own section', async () => {
    const s = await vn([
      'ivr',
      'set-silence-timeout',
      id,
      '--prompt',
      '您还在吗？',
      '--final-prompt',
      '再见',
      '--final-action',
      'TransferToIVR',
      '--final-action-params',
      '{"route":"menu"}',
      '--threshold',
      '2',
      '--timeout',
      '15',
      '-o',
      'json',
    ]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).RequestId).toBeTruthy();
    const u = await vn([
      'ivr',
      'set-unrecognizing',
      id,
      '--prompt',
      '没听懂',
      '--final-prompt',
      '转人工',
      '--final-action',
      'TransferToAgent',
      '--threshold',
      '4',
      '-o',
      'table',
    ]);
    expect(u.stdout).toBe(`changed the unrecognizing config of instance ${id}\n`);
    const j = JSON.parse((await vn(['ivr', 'get', id, '-o', 'json'])).stdout);
    expect(j.SilenceTimeoutConfig).toMatchObject({ Prompt: '您还在吗？', FinalPrompt: '再见', FinalAction: 'TransferToIVR', Threshold: 2, Timeout: 15 });
    expect(JSON.parse(j.SilenceTimeoutConfig.FinalActionParams)).toEqual({ route: 'menu' });
    expect(j.UnrecognizingConfig).toMatchObject({ Prompt: '没听懂', FinalPrompt: '转人工', FinalAction: 'TransferToAgent', Threshold: 4 });
    expect(j.GreetingConfig.GreetingWords).toBe('您好');
  });

  it('refuses bad input before sending', async () => {
    const base = ['ivr', 'set-unrecognizing', id, '--prompt', 'p', '--final-prompt', 'f', '--threshold', '3'];
    await expectRefusedBeforeSending(
      [...base, '--final-action', 'Transfer'],
      /--final-action must be one of TransferToAgent, TransferToIVR, RedirectToPage, HangUp, got "Transfer"/,
    );
    await expectRefusedBeforeSending([...base, '--final-action', 'HangUp', '--final-action-params', '{oops'], /--final-action-params must be valid JSON/);
    await expectRefusedBeforeSending([...base, '--final-action', 'HangUp', '--final-action-params', '["a"]'], /must be a JSON object/);
    await expectRefusedBeforeSending(
      ['ivr', 'set-unrecognizing', id, '--prompt', 'p', '--final-prompt', 'f', '--final-action', 'HangUp', '--threshold', '0'],
      /--threshold must be an integer of 1 or more/,
    );
    const silence = ['ivr', 'set-silence-timeout', id, '--prompt', 'p', '--final-prompt', 'f', '--final-action', 'HangUp', '--threshold', '3'];
    await expectRefusedBeforeSending([...silence, '--timeout', '0'], /--timeout must be an integer of 1 or more/);
    await expectRefusedBeforeSending([...silence, '--timeout', 'ten'], /--timeout must be an integer/);
    // the others are read from the current config (a partial update): only "nothing given" is refused
    await expectRefusedBeforeSending(['ivr', 'set-silence-timeout', id], /nothing to change: give at least one of --prompt/);
    await expectRefusedBeforeSending(['ivr', 'set-greeting', id, '--words', ''], /--words must not be empty/);
    await expectRefusedBeforeSending(['ivr', 'set-greeting', id], /nothing to change: give at least one of --words/);
  });

  it('asr get and set, for an instance and the system default', async () => {
    const before = await vn(['ivr', 'asr', 'get', id, '-o', 'table']);
    expect(before.code).toBe(0);
    // the settings, as `tts get` shows its own: no envelope (Code, Success, HttpStatusCode), no Data. prefix
    expect(before.stdout).toMatch(/^Engine\s+ali$/m);
    expect(before.stdout).not.toMatch(/^(Code|Success|HttpStatusCode|Data\.)/m);
    const set = await vn(['ivr', 'asr', 'set', id, '--vocabulary-id', 'voc-1', '-o', 'table']);
    expect(set.stdout).toBe(`changed the ASR config of instance ${id}\n`);
    const after = JSON.parse((await vn(['ivr', 'asr', 'get', id, '-o', 'json'])).stdout);
    expect(after.Data.AsrVocabularyId).toBe('voc-1');
    // the system default is untouched by an instance's change
    const system = JSON.parse((await vn(['ivr', 'asr', 'get', '-o', 'json'])).stdout);
    expect(system.Data.AsrVocabularyId).toBe('');
    const x = await vn(['ivr', 'asr', 'get', id, '-o', 'xml']);
    expect(x.stdout).toContain('<AsrVocabularyId>voc-1</AsrVocabularyId>');
  });

  it('asr sends the instance as ConfigLevel 2 with its EntryId', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'R', Code: 'OK', Success: true, Data: { AffectedRows: 1 } }));
    try {
      const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret, VN_ENDPOINT: server.url };
      expect((await runVn(['ivr', 'asr', 'set', '99999999-2222-4333-8444-555555555555', '--engine', 'ali'], { env })).code).toBe(0);
      expect(server.requests[0]?.params).toMatchObject({
        Action: 'ModifyAsrConfig',
        ConfigLevel: '2',
        EntryId: '99999999-2222-4333-8444-555555555555',
        Engine: 'ali',
      });
      expect((await runVn(['ivr', 'asr', 'get', '--config-level', '1', '--entry-id', 'tenant-1'], { env })).code).toBe(0);
      expect(server.requests[1]?.params).toMatchObject({ Action: 'GetAsrConfig', ConfigLevel: '1', EntryId: 'tenant-1' });
    } finally {
      await server.close();
    }
  });

  it('asr refuses bad input before sending', async () => {
    await expectRefusedBeforeSending(['ivr', 'asr', 'set', id], /nothing to change/);
    await expectRefusedBeforeSending(['ivr', 'asr', 'get', '--config-level', '5'], /--config-level must be an integer from 0 to 2, got 5/);
    await expectRefusedBeforeSending(['ivr', 'asr', 'get', '--config-level', '1'], /needs the tenant/);
    await expectRefusedBeforeSending(['ivr', 'asr', 'get', id, '--config-level', '0'], /<instance-id> means --config-level 2/);
  });
});

describe('instance extras', () => {
  it('chatbots lists the demo bot in table, JSON and XML', async () => {
    const t = await vn(['instance', 'chatbots', '-o', 'table']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[0]).toMatch(/^CHATBOT ID\s+NAME\s+LANGUAGE/);
    expect(t.stdout).toContain('chatbot-demo-bank');
    const j = JSON.parse((await vn(['instance', 'chatbots', '-o', 'json'])).stdout);
    expect(j.Bots.map((b: { InstanceId: string }) => b.InstanceId)).toContain('chatbot-demo-bank');
    const x = await vn(['instance', 'chatbots', '-o', 'xml']);
    expect(x.stdout).toContain('chatbot-demo-bank');
    const all = JSON.parse((await vn(['instance', 'chatbots', '--all', '-o', 'json'])).stdout);
    expect(all.Bots.length).toBe(j.TotalCount);
  });

  it('associate-chatbot associates a known chatbot and refuses an unknown one', async () => {
    const r = await vn(['instance', 'associate-chatbot', id, '--chatbot-id', 'chatbot-demo-bank', '--chatbot-name', '银行', '-o', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`associated chatbot chatbot-demo-bank with instance ${id}\n`);
    const j = await vn(['instance', 'associate-chatbot', id, '--chatbot-id', 'chatbot-demo-bank', '-o', 'json']);
    expect(JSON.parse(j.stdout).RequestId).toBeTruthy();
    const bad = await vn(['instance', 'associate-chatbot', id, '--chatbot-id', 'chatbot-nope']);
    expect(bad.code).toBe(1);
    await expectRefusedBeforeSending(['instance', 'associate-chatbot', id], /missing required option --chatbot-id/);
  });

  it('concurrency shows live and maximum concurrency', async () => {
    const t = await vn(['instance', 'concurrency', id, '-o', 'table']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^RealTimeConcurrency\s+0$/m);
    expect(t.stdout).toMatch(/^MaxConcurrency\s+3$/m);
    const j = JSON.parse((await vn(['instance', 'concurrency', id, '-o', 'json'])).stdout);
    expect(j).toMatchObject({ RealTimeConcurrency: 0, MaxConcurrency: 3 });
    const x = await vn(['instance', 'concurrency', id, '-o', 'xml']);
    expect(x.stdout).toContain('<MaxConcurrency>3</MaxConcurrency>');
    await expectRefusedBeforeSending(['instance', 'concurrency', ''], /<instance-id> must not be empty/);
  });
});
