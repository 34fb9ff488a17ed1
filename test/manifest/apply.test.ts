import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';
import { type CountingProxy, startCountingProxy } from './proxy.js';

let emu: TestEmulator;
let proxy: CountingProxy;
let env: Record<string, string>;
const vn = (...argv: string[]) => runVn(argv, { env });
const ok = async (...argv: string[]) => {
  const r = await vn(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

beforeAll(async () => {
  emu = await startTestEmulator();
  proxy = await startCountingProxy(emu.url);
  env = { ...emu.env, VN_ENDPOINT: proxy.url };
});
afterAll(async () => {
  await proxy.close();
  await emu.stop();
});
beforeEach(() => {
  proxy.fault = undefined;
  proxy.reset();
});

/** Sets every section of a new instance through the ordinary commands. */
async function configureEverything(name: string): Promise<string> {
  const id = JSON.parse((await ok('instance', 'create', '--name', name, '--concurrency', '7', '--description', '售后 hotline', '-o', 'json')).stdout)
    .InstanceId as string;
  await ok('tts', 'set', id, '--voice', 'aixia', '--speech-rate', '120', '--volume', '65', '--pitch-rate', '-30');
  await ok('call', 'ModifyTTSConfig', '--InstanceId', id, '--BackgroundMusicName', 'calm', '--ExtParams', '{"sampleRate":8000}');
  await ok('ivr', 'set-greeting', id, '--words', '您好，这里是售后', '--intent-trigger', 'greet');
  await ok(
    'ivr',
    'set-silence-timeout',
    id,
    '--prompt',
    '您还在吗？',
    '--final-prompt',
    '再见',
    '--final-action',
    'TransferToAgent',
    '--threshold',
    '2',
    '--timeout',
    '15',
    '--final-action-params',
    '{"skillGroupId":"vip"}',
    '--intent-trigger',
    'silence',
  );
  await ok(
    'ivr',
    'set-unrecognizing',
    id,
    '--prompt',
    '没听懂',
    '--final-prompt',
    '转到网页',
    '--final-action',
    'RedirectToPage',
    '--threshold',
    '4',
    '--final-action-params',
    '{"url":"https://example.com/help"}',
  );
  await ok('ivr', 'asr', 'set', id, '--vocabulary-id', 'vocab-1', '--app-key', 'asr-key', '--customization-id', 'lm-2');
  await ok('instance', 'associate-chatbot', id, '--chatbot-id', 'chatbot-demo-bank');
  await ok('instance', 'disable', id);
  return id;
}

function docsOf(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => d.toJSON() as Record<string, unknown>);
}

/** An export without what differs between accounts by nature: ids and times. */
function withoutIdsAndTimes(docs: Record<string, unknown>[]): Record<string, unknown>[] {
  return docs.map((d) => {
    const { instanceId: _i, modifyTime: _t, ...info } = d.readOnly as Record<string, unknown>;
    return { ...d, readOnly: info };
  });
}

describe('vn instance export → vn apply → vn instance export', () => {
  it('round-trips an instance configured through every section onto a fresh emulator, then a second apply writes nothing', async () => {
    const id = await configureEverything('往返热线');
    const first = (await ok('instance', 'export', id)).stdout;
    const exported = docsOf(first)[0] as Record<string, unknown>;
    expect(exported).toMatchObject({
      name: '往返热线',
      concurrency: 7,
      description: '售后 hotline',
      enabled: false,
      tts: { voice: 'aixia', speechRate: 120, volume: 65, pitchRate: -30, backgroundMusicName: 'calm', extParams: { sampleRate: 8000 } },
      greeting: { greetingWords: '您好，这里是售后', intentTrigger: 'greet' },
      silenceTimeout: { timeout: 15, threshold: 2, finalAction: 'TransferToAgent', finalActionParams: { skillGroupId: 'vip' }, intentTrigger: 'silence' },
      unrecognizing: { threshold: 4, finalAction: 'RedirectToPage', finalActionParams: { url: 'https://example.com/help' } },
      asr: { asrVocabularyId: 'vocab-1', appKey: 'asr-key', asrCustomizationId: 'lm-2' },
      readOnly: { instanceId: id, status: 'Disabled' },
    });
    expect((exported.readOnly as Record<string, unknown>).complaining).toBeDefined();

    const fresh = await startTestEmulator();
    const freshProxy = await startCountingProxy(fresh.url);
    try {
      const freshEnv = { ...fresh.env, VN_ENDPOINT: freshProxy.url };
      const file = join(fresh.dir, 'hotline.yaml');
      writeFileSync(file, first);
      const applied = await runVn(['apply', '-f', file, '--yes'], { env: freshEnv });
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain('+ create 往返热线');
      expect(freshProxy.writes()[0]).toBe('CreateInstance');
      expect(freshProxy.writes().filter((w) => w === 'CreateInstance')).toHaveLength(1);

      const again = await runVn(['instance', 'export', '--all'], { env: freshEnv });
      expect(again.code, again.stderr).toBe(0);
      expect(withoutIdsAndTimes(docsOf(again.stdout))).toEqual(withoutIdsAndTimes(docsOf(first)));

      freshProxy.reset();
      const second = await runVn(['apply', '-f', file, '--yes'], { env: freshEnv });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('= unchanged 往返热线');
      expect(freshProxy.actions.length).toBeGreaterThan(0);
      expect(freshProxy.writes()).toEqual([]);
    } finally {
      await freshProxy.close();
      await fresh.stop();
    }

    // and applying the export to the instance it came from changes nothing
    const file = join(emu.dir, 'self.yaml');
    writeFileSync(file, first);
    proxy.reset();
    await ok('apply', '-f', file, '--yes');
    expect(proxy.writes()).toEqual([]);
  });

  it('exports JSON (one object, or a list) that apply and diff take too', async () => {
    const a = await configureEverything('JSON热线-a');
    const b = JSON.parse((await ok('instance', 'create', '--name', 'JSON热线-b', '--concurrency', '1', '-o', 'json')).stdout).InstanceId as string;
    const one = JSON.parse((await ok('instance', 'export', a, '-o', 'json')).stdout);
    expect(one.name).toBe('JSON热线-a');
    // the global -o / --output before the command means the same
    expect(JSON.parse((await ok('-o', 'json', 'instance', 'export', a)).stdout)).toEqual(one);
    expect(JSON.parse((await ok('--output', 'json', 'instance', 'export', a)).stdout)).toEqual(one);
    const file = join(emu.dir, 'two.json');
    await ok('instance', 'export', a, b, '-o', 'json', '--output-file', file);
    const { readFileSync } = await import('node:fs');
    const two = JSON.parse(readFileSync(file, 'utf8'));
    expect(two.map((d: { name: string }) => d.name)).toEqual(['JSON热线-a', 'JSON热线-b']);
    proxy.reset();
    const r = await ok('diff', '-f', file);
    expect(r.stdout).toContain('no differences');
    expect(proxy.writes()).toEqual([]);
  });
});

describe('vn apply', () => {
  it('--dry-run (after the command or before it) prints the plan and sends no write', async () => {
    const file = join(emu.dir, 'dry.yaml');
    writeFileSync(file, 'name: 演练热线\nconcurrency: 3\ntts:\n  voice: xiaogang\n');
    for (const argv of [
      ['apply', '-f', file, '--dry-run'],
      ['--dry-run', 'apply', '-f', file],
    ]) {
      proxy.reset();
      const r = await vn(...argv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('+ create 演练热线');
      expect(r.stdout).toContain('tts.voice: xiaogang');
      expect(r.stderr).toContain('dry run: nothing was changed');
      expect(proxy.actions).toContain('ListInstances');
      expect(proxy.writes()).toEqual([]);
    }
    const list = JSON.parse((await ok('instance', 'list', '--name', '演练热线', '-o', 'json')).stdout);
    expect(list.Instances).toEqual([]);
  });

  it('names every changed field in the plan, and sends one write per changed section', async () => {
    const id = await configureEverything('计划热线');
    const file = join(emu.dir, 'plan.yaml');
    writeFileSync(file, (await ok('instance', 'export', id)).stdout);
    // someone changes one field of every section in the console
    await ok('instance', 'modify', id, '--concurrency', '9', '--description', 'changed');
    await ok('instance', 'enable', id);
    await ok('tts', 'set', id, '--volume', '20');
    await ok('ivr', 'set-greeting', id, '--words', '改过的问候', '--intent-trigger', 'greet');
    await ok(
      'call',
      'ModifySilenceTimeoutConfig',
      '--InstanceId',
      id,
      '--Prompt',
      '您还在吗？',
      '--FinalPrompt',
      '再见',
      '--FinalAction',
      'HangUp',
      '--Threshold',
      '2',
      '--Timeout',
      '30',
      '--SourceType',
      'chatbotIntent',
      '--IntentTrigger',
      'silence',
      '--FinalActionParams',
      '{"skillGroupId":"vip"}',
    );
    await ok(
      'call',
      'ModifyUnrecognizingConfig',
      '--InstanceId',
      id,
      '--Prompt',
      '没听懂',
      '--FinalPrompt',
      '转到网页',
      '--FinalAction',
      'RedirectToPage',
      '--Threshold',
      '4',
      '--FinalActionParams',
      '{"url":"https://example.com/other"}',
    );
    await ok('ivr', 'asr', 'set', id, '--vocabulary-id', 'vocab-9');

    proxy.reset();
    const plan = await ok('apply', '-f', file, '--dry-run', '-o', 'json');
    const data = JSON.parse(plan.stdout);
    const entry = data.instances[0];
    expect(entry).toMatchObject({ name: '计划热线', instanceId: id, action: 'update' });
    const fields = entry.changes.map((c: { section: string; field: string }) => `${c.section}.${c.field}`).sort();
    expect(fields).toEqual(
      [
        'instance.concurrency',
        'instance.description',
        'instance.enabled',
        'tts.volume',
        'greeting.greetingWords',
        'silenceTimeout.timeout',
        'silenceTimeout.finalAction',
        'unrecognizing.finalActionParams',
        'asr.asrVocabularyId',
      ].sort(),
    );
    expect(entry.changes).toContainEqual({ section: 'tts', field: 'volume', from: 20, to: 65 });
    expect(entry.changes).toContainEqual({ section: 'instance', field: 'enabled', from: true, to: false });
    expect(entry.calls).toEqual([
      'ModifyInstance',
      'ModifyTTSConfig',
      'ModifyGreetingConfig',
      'ModifySilenceTimeoutConfig',
      'ModifyUnrecognizingConfig',
      'ModifyAsrConfig',
      'DisableInstance',
    ]);
    expect(data.writes).toBe(7);
    expect(proxy.writes()).toEqual([]);

    const text = await ok('apply', '-f', file, '--dry-run');
    for (const line of [
      'concurrency 9 → 7',
      'description changed → 售后 hotline',
      'enabled true → false',
      'tts.volume 20 → 65',
      'greeting.greetingWords 改过的问候 → 您好，这里是售后',
      'silenceTimeout.timeout 30 → 15',
      'silenceTimeout.finalAction HangUp → TransferToAgent',
      'unrecognizing.finalActionParams {"url":"https://example.com/other"} → {"url":"https://example.com/help"}',
      'asr.asrVocabularyId vocab-9 → vocab-1',
    ]) {
      expect(text.stdout).toContain(line);
    }

    proxy.reset();
    await ok('apply', '-f', file, '--yes');
    expect(proxy.writes()).toEqual(entry.calls);
    proxy.reset();
    const after = await ok('diff', '-f', file);
    expect(after.stdout).toContain('no differences');
  });

  it('refuses without --yes when not on a terminal, after showing the plan, and changes nothing', async () => {
    const file = join(emu.dir, 'noyes.yaml');
    writeFileSync(file, 'name: 无确认热线\nconcurrency: 1\n');
    const r = await vn('apply', '-f', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('+ create 无确认热线');
    expect(r.stderr).toContain('--yes');
    expect(proxy.writes()).toEqual([]);
    const piped = await runVn(['apply', '-f', '-'], { env, stdin: 'name: 无确认热线\nconcurrency: 1\n' });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('--yes');
    expect(proxy.actions).not.toContain('CreateInstance');
  });

  it('refuses an invalid file with file:line:col and a suggestion, exit 2, nothing sent', async () => {
    const file = join(emu.dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'name: 坏热线',
        'concurency: 3',
        'tts:',
        '  voise: aixia',
        'silenceTimeout:',
        '  timeout: ten',
        '  finalActionParams: "{broken"',
        'greting:',
        '  greetingWords: hi',
        '---',
        '- name: 第二个',
        '  enabled: maybe',
        '  asr: [1]',
        '',
      ].join('\n'),
    );
    for (const cmd of ['apply', 'diff']) {
      proxy.reset();
      const r = await vn(cmd, '-f', file, ...(cmd === 'apply' ? ['--yes'] : []));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${file}:2:1: unknown key \`concurency\` in an instance (did you mean \`concurrency\`?)`);
      expect(r.stderr).toContain(`${file}:4:3: unknown key \`voise\` in \`tts\` (did you mean \`voice\`?)`);
      expect(r.stderr).toContain(`${file}:6:12: \`silenceTimeout.timeout\` must be an integer`);
      expect(r.stderr).toMatch(new RegExp(`${file}:7:22: \`silenceTimeout.finalActionParams\` must be valid JSON`));
      expect(r.stderr).toContain(`${file}:8:1: unknown key \`greting\` in an instance (did you mean \`greeting\`?)`);
      expect(r.stderr).toContain(`${file}:12:12: \`enabled\` must be true or false`);
      expect(r.stderr).toContain(`${file}:13:8: \`asr\` must be a mapping`);
      expect(proxy.actions).toEqual([]);
    }
    const yamlError = join(emu.dir, 'broken.yaml');
    writeFileSync(yamlError, 'name: x\ntts: {voice: aixia\n');
    const r = await vn('apply', '-f', yamlError, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${yamlError}:\\d+:\\d+: `));
    expect(proxy.actions).toEqual([]);
  });

  it('refuses a new instance that lacks what CreateInstance needs, and a pinned id that does not exist, before any write', async () => {
    const file = join(emu.dir, 'noconc.yaml');
    writeFileSync(file, 'name: 没有并发\ntts:\n  voice: aixia\n');
    let r = await vn('apply', '-f', file, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1:1: \`concurrency\` is required to create "没有并发"`);
    writeFileSync(file, 'name: 钉住\nid: 00000000-0000-0000-0000-000000000000\nconcurrency: 1\n');
    r = await vn('apply', '-f', file, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:2:5: no instance has the pinned id 00000000-0000-0000-0000-000000000000`);
    expect(proxy.writes()).toEqual([]);
  });

  it('associates a declared chatbot when it creates the instance, and then (unreadable) only with --associate-chatbots', async () => {
    const file = join(emu.dir, 'bot.yaml');
    writeFileSync(file, 'name: 机器人热线\nconcurrency: 1\nchatbot:\n  chatbotInstanceId: chatbot-demo-bank\n  chatbotName: 银行\n');
    proxy.reset();
    let r = await ok('apply', '-f', file, '--yes');
    expect(r.stdout).toContain('chatbot.chatbotInstanceId: chatbot-demo-bank');
    expect(proxy.writes()).toEqual(['CreateInstance', 'AssociateChatbotInstance']);
    proxy.reset();
    r = await ok('apply', '-f', file, '--yes');
    expect(r.stdout).toContain('= unchanged 机器人热线');
    expect(r.stdout).toContain('chatbot: not compared');
    expect(proxy.writes()).toEqual([]);
    r = await ok('apply', '-f', file, '--yes', '--associate-chatbots');
    expect(r.stdout).toContain('~ update 机器人热线');
    expect(proxy.writes()).toEqual(['AssociateChatbotInstance']);
    const bad = join(emu.dir, 'nobot.yaml');
    writeFileSync(bad, 'name: 无此机器人\nconcurrency: 1\nchatbot:\n  chatbotInstanceId: chatbot-nope\n');
    r = await vn('apply', '-f', bad, '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AssociateChatbotInstance for "无此机器人" failed: InvalidChatbotInstanceId.NotFound');
    expect(r.stderr).toContain('applied: CreateInstance for "无此机器人"');
  });

  it('renames an instance pinned by id', async () => {
    const id = JSON.parse((await ok('instance', 'create', '--name', '旧名字', '--concurrency', '1', '-o', 'json')).stdout).InstanceId as string;
    const file = join(emu.dir, 'pin.yaml');
    writeFileSync(file, `name: 新名字\nid: ${id}\n`);
    proxy.reset();
    const r = await ok('apply', '-f', file, '--yes');
    expect(r.stdout).toContain('name 旧名字 → 新名字');
    expect(proxy.writes()).toEqual(['ModifyInstance']);
    expect(JSON.parse((await ok('instance', 'describe', id, '-o', 'json')).stdout).Name).toBe('新名字');
  });
});

describe('secrets', () => {
  it('the AccessKey secret appears in no export, diff, plan or --debug trace', async () => {
    const file = join(emu.dir, 'secret.yaml');
    writeFileSync(file, 'name: 保密热线\nconcurrency: 1\ntts: {voice: aixia}\n');
    const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET as string;
    const runs = [
      ['apply', '-f', file, '--yes', '--debug'],
      ['diff', '-f', file, '--debug'],
      ['apply', '-f', file, '--dry-run', '-o', 'json', '--debug'],
      ['instance', 'export', '--all', '--debug'],
    ];
    for (const argv of runs) {
      const r = await vn(...argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr, argv.join(' ')).toContain('[debug]');
      expect(r.stdout + r.stderr, argv.join(' ')).not.toContain(secret);
    }
  });
});
