import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';

let emu: TestEmulator;
let instance: string;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  tmp = tempDir('vn-as-test-');
  emu = await startTestEmulator();
  const r = await runVn(['instance', 'create', '--name', 'as-test', '--concurrency', '5', '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  instance = JSON.parse(r.stdout).InstanceId;
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

describe('vn stats conversation --as-test', () => {
  it('turns a real conversation (say, context, dtmf, silence, a transfer) into a test file that passes against the same configuration', async () => {
    const stdin = ['我想查余额', '/context {"vip":true}', '再说一遍', '/silence', '/dtmf 2', ''].join('\n');
    const chat = await runVn(['dialogue', 'chat', instance], { env: emu.env, stdin });
    expect(chat.code, chat.stderr).toBe(0);
    const id = JSON.parse(chat.stdout.split('\n')[0] as string).conversationId as string;
    const file = join(tmp.dir, 'from-history.test.yaml');
    const r = await runVn(['stats', 'conversation', instance, id, '--as-test', file], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`# made by vn stats conversation --as-test from conversation ${id}`);
    expect(text).toContain(`instance: ${instance}`);
    expect(text).toContain(`- name: conversation ${id}`);
    expect(text).toMatch(/- say: 再说一遍\n\s+context:\n\s+vip: true/);
    expect(text).toContain('- silence: true');
    expect(text).toContain('- dtmf: "2"');
    expect(text).toMatch(/action: TransferToAgent\n\s+params:\n\s+skillGroupId: cardLossSkillGroup/);
    // the record does not say whether an answer could be interrupted, so nothing is claimed about it
    expect(text).not.toContain('interruptible');
    const run = await runVn(['dialogue', 'test', file, '--reporter', 'json'], { env: emu.env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ passed: 1, turns: 5 });
    // to stdout without FILE; an existing FILE is kept unless --force
    const out = await runVn(['stats', 'conversation', instance, id, '--as-test'], { env: emu.env });
    expect(out.code).toBe(0);
    expect(out.stdout.replace(/on [\d-]+ [\d:]+ UTC/, '')).toBe(text.replace(/on [\d-]+ [\d:]+ UTC/, ''));
    writeFileSync(file, '# mine\n');
    const kept = await runVn(['stats', 'conversation', instance, id, '--as-test', file], { env: emu.env });
    expect(kept.code).toBe(2);
    expect(kept.stderr).toMatch(/exists: --force replaces it/);
    expect(readFileSync(file, 'utf8')).toBe('# mine\n');
    expect((await runVn(['stats', 'conversation', instance, id, '--as-test', file, '--force'], { env: emu.env })).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(`conversation ${id}`);
    // without --as-test it is the conversation as before
    const plain = await runVn(['stats', 'conversation', instance, id, '-o', 'json'], { env: emu.env });
    expect(JSON.parse(plain.stdout)).toMatchObject({ ConversationId: id });
  });
});
