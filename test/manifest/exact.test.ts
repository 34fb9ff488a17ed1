import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';
import { type CountingProxy, startCountingProxy } from './proxy.js';

/**
 * Export is not output (issue #18): the configuration file carries the instance's values exactly
 * (only the credentials of the profile in use are masked), values are read with their document,
 * and two entries for one live instance are refused before anything is sent.
 */
let emu: TestEmulator;
let proxy: CountingProxy;
let env: Record<string, string>;
let client: Client;
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
  client = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
});
afterAll(async () => {
  await proxy.close();
  await emu.stop();
});

async function newInstance(name: string): Promise<string> {
  return String((await client.call('CreateInstance', { Name: name, Concurrency: 1 })).data.InstanceId);
}

describe('vn instance export carries the values exactly', () => {
  const GREETING = '您好 AccessKey=1234567 "SecurityToken": "abcdefgh" Password=hunter22';
  const PARAMS = { AccessKey: 'abc1234567', skillGroupId: 'vip' };

  it('keeps secret-looking text of a greeting and a JSON field, so diff finds no drift and apply writes nothing', async () => {
    const id = await newInstance('像密钥的热线');
    await client.call('ModifyGreetingConfig', { InstanceId: id, GreetingWords: GREETING, SourceType: 'chatbotIntent' });
    await client.call('ModifySilenceTimeoutConfig', {
      InstanceId: id,
      Prompt: '在吗',
      FinalPrompt: '再见',
      FinalAction: 'TransferToAgent',
      FinalActionParams: JSON.stringify(PARAMS),
      Threshold: 2,
      Timeout: 10,
      SourceType: 'chatbotIntent',
    });
    const file = join(emu.dir, 'exact.yaml');
    const jsonFile = join(emu.dir, 'exact.json');
    const yaml = (await ok('instance', 'export', id)).stdout;
    const json = (await ok('instance', 'export', id, '-o', 'json')).stdout;
    await ok('instance', 'export', id, '--output-file', file);
    await ok('instance', 'export', id, '-o', 'json', '--output-file', jsonFile);
    for (const text of [yaml, json, readFileSync(file, 'utf8'), readFileSync(jsonFile, 'utf8')]) expect(text).not.toContain('<redacted>');
    for (const text of [json, readFileSync(jsonFile, 'utf8')]) {
      const doc = JSON.parse(text);
      expect(doc.greeting.greetingWords).toBe(GREETING);
      expect(doc.silenceTimeout.finalActionParams).toEqual(PARAMS);
    }
    expect(readFileSync(file, 'utf8')).toBe(yaml);
    expect(yaml).toContain('AccessKey=1234567');
    for (const f of [file, jsonFile]) {
      proxy.reset();
      const diff = await vn('diff', '-f', f);
      expect(diff.code, diff.stdout + diff.stderr).toBe(0);
      const apply = await ok('apply', '-f', f, '--yes');
      expect(apply.stdout).toContain('= unchanged 像密钥的热线');
      expect(proxy.writes()).toEqual([]);
    }
  });

  it('quotes text that YAML would read as a number, so that it comes back as the same text', async () => {
    const id = await newInstance('1e3');
    await client.call('ModifyInstance', { InstanceId: id, Name: '1e3', Description: '0x1F', Concurrency: 1 });
    const file = join(emu.dir, 'numbers.yaml');
    await ok('instance', 'export', id, '--output-file', file);
    expect(readFileSync(file, 'utf8')).toMatch(/^name: "1e3"$/m);
    expect(readFileSync(file, 'utf8')).toMatch(/^description: "0x1F"$/m);
    proxy.reset();
    await ok('diff', '-f', file);
    expect(proxy.writes()).toEqual([]);
  });

  it('never carries the AccessKey secret of the profile in use, on stdout or in a file, and says so', async () => {
    const id = await newInstance('泄密热线');
    await client.call('ModifyGreetingConfig', { InstanceId: id, GreetingWords: `密钥是 ${TEST_KEY.secret} 哦`, SourceType: 'chatbotIntent' });
    const file = join(emu.dir, 'leak.yaml');
    for (const argv of [
      ['instance', 'export', id],
      ['instance', 'export', id, '-o', 'json'],
      ['instance', 'export', id, '--output-file', file],
    ]) {
      const r = await ok(...argv);
      const text = argv.includes('--output-file') ? readFileSync(file, 'utf8') : r.stdout;
      expect(text + r.stderr, argv.join(' ')).not.toContain(TEST_KEY.secret);
      expect(text, argv.join(' ')).toContain('密钥是 <redacted> 哦');
      expect(r.stderr, argv.join(' ')).toMatch(/^warning: a value holds the credentials of the profile in use; it is exported as <redacted>/m);
    }
  });
});

describe('vn apply reads values with their document', () => {
  it('resolves an alias inside a JSON field before sending it', async () => {
    const file = join(emu.dir, 'alias.yaml');
    writeFileSync(
      file,
      [
        'name: 别名热线',
        'concurrency: 1',
        'silenceTimeout:',
        '  finalAction: TransferToAgent',
        '  finalActionParams: &params {source: sg, skillGroupId: vip}',
        'unrecognizing:',
        '  finalAction: TransferToAgent',
        '  finalActionParams: {copy: *params, queue: &q vip-2, again: *q}',
        '',
      ].join('\n'),
    );
    await ok('apply', '-f', file, '--yes');
    const id = JSON.parse((await ok('instance', 'list', '--name', '别名热线', '-o', 'json')).stdout).Instances[0].InstanceId as string;
    const nav = (await client.call('DescribeNavigationConfig', { InstanceId: id })).data as Record<string, Record<string, string>>;
    expect(JSON.parse(nav.SilenceTimeoutConfig?.FinalActionParams ?? '')).toEqual({ source: 'sg', skillGroupId: 'vip' });
    expect(JSON.parse(nav.UnrecognizingConfig?.FinalActionParams ?? '')).toEqual({
      copy: { source: 'sg', skillGroupId: 'vip' },
      queue: 'vip-2',
      again: 'vip-2',
    });
  });
});

describe('two entries for one live instance', () => {
  it('are refused (exit 2, naming both entries) before anything is sent', async () => {
    const id = await newInstance('甲热线');
    const file = join(emu.dir, 'twice.yaml');
    writeFileSync(file, ['name: 甲热线', 'concurrency: 2', '---', 'name: 乙热线', `id: ${id}`, 'concurrency: 3', ''].join('\n'));
    for (const argv of [
      ['apply', '-f', file, '--yes'],
      ['diff', '-f', file],
    ]) {
      proxy.reset();
      const r = await vn(...argv);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        `${file}:4:1: this entry (pinned by id) and the one at ${file}:1:1 (by its name "甲热线") are the same instance ${id} ("甲热线"): declare each instance once`,
      ]);
      expect(proxy.writes()).toEqual([]);
    }
    expect((await client.call('DescribeInstance', { InstanceId: id })).data).toMatchObject({ Name: '甲热线', Concurrency: 1 });
  });
});
