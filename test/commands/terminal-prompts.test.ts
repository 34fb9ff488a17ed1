import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/config/profiles.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';
import { hasTmux, inTerminal } from '../helpers/tmux.js';

const SECRET = 'Typed-Secret-4411';

describe('prompts in a real terminal', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it.skipIf(!hasTmux)('vn configure asks for a profile with the secret masked and saves it 0600', async () => {
    const cfg = join(t.dir, 'cfg');
    await inTerminal(['configure'], { VN_CONFIG_DIR: cfg }, async (term) => {
      await term.waitFor((s) => s.includes('Profile name'), 'the name prompt');
      term.keys('C-u');
      term.type('work');
      await term.waitFor((s) => s.includes('Credential mode'), 'the mode choice');
      term.keys('Enter');
      await term.waitFor((s) => s.includes('AccessKey ID'), 'the key id prompt');
      term.type('LTAI5tTERMINAL01');
      await term.waitFor((s) => s.includes('AccessKey secret'), 'the secret prompt');
      term.type(SECRET);
      await term.waitFor((s) => s.includes('Region'), 'the region choice');
      term.keys('Down', 'Enter');
      await term.waitFor((s) => s.includes('Default output'), 'the output choice');
      term.keys('Down', 'Down', 'Enter');
      const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
      expect(end).toContain('EXIT=0');
      expect(end).toContain('saved profile "work"');
      expect(end).toMatch(/\*{8,}/);
      expect(end).not.toContain(SECRET);
    });
    const store = await ProfileStore.open(cfg);
    expect(store.get('work')).toMatchObject({ accessKeyId: 'LTAI5tTERMINAL01', accessKeySecret: SECRET, region: 'cn-hangzhou', output: 'json' });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(store.path, 'utf8')).toContain(SECRET);
  });

  it.skipIf(!hasTmux)('vn configure asks for the mode and its settings: a RamRoleArn profile', async () => {
    const cfg = join(t.dir, 'cfg-role');
    await inTerminal(['configure'], { VN_CONFIG_DIR: cfg }, async (term) => {
      await term.waitFor((s) => s.includes('Profile name'), 'the name prompt');
      term.keys('C-u');
      term.type('ops');
      await term.waitFor((s) => s.includes('Credential mode'), 'the mode choice');
      term.keys('Down', 'Down', 'Enter');
      await term.waitFor((s) => s.includes('AccessKey ID'), 'the key id prompt');
      term.type('LTAI5tROLESOURCE');
      await term.waitFor((s) => s.includes('AccessKey secret'), 'the secret prompt');
      term.type(SECRET);
      await term.waitFor((s) => s.includes('Role ARN'), 'the role prompt');
      term.type('acs:ram::1234567890123456:role/voice');
      await term.waitFor((s) => s.includes('Role session name'), 'the session prompt');
      term.type('alice');
      await term.waitFor((s) => s.includes('External id'), 'the external id prompt');
      term.type('');
      await term.waitFor((s) => s.includes('Region'), 'the region choice');
      term.keys('Enter');
      await term.waitFor((s) => s.includes('Default output'), 'the output choice');
      term.keys('Enter');
      const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
      expect(end).toContain('EXIT=0');
      expect(end).not.toContain(SECRET);
    });
    const store = await ProfileStore.open(cfg);
    expect(store.get('ops')).toEqual({
      mode: 'RamRoleArn',
      accessKeyId: 'LTAI5tROLESOURCE',
      accessKeySecret: SECRET,
      ramRoleArn: 'acs:ram::1234567890123456:role/voice',
      roleSessionName: 'alice',
      region: 'cn-shanghai',
    });
  });

  it.skipIf(!hasTmux)('vn instance delete asks first, naming the instance, and a "no" deletes nothing', async () => {
    const emu = await startTestEmulator();
    try {
      const created = await runVn(['instance', 'create', '--name', 'keep-me', '--concurrency', '1', '-o', 'json'], { env: emu.env });
      const id = JSON.parse(created.stdout).InstanceId as string;
      await inTerminal(['instance', 'delete', id], emu.env, async (term) => {
        await term.waitFor((s) => s.includes(`Delete instance keep-me (${id})? This cannot be undone.`), 'the confirmation');
        term.type('n');
        const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
        expect(end).toContain('not deleted');
      });
      expect((await runVn(['instance', 'describe', id, '-o', 'json'], { env: emu.env })).code).toBe(0);
      await inTerminal(['instance', 'delete', id], emu.env, async (term) => {
        await term.waitFor((s) => s.includes(`Delete instance keep-me (${id})? This cannot be undone.`), 'the confirmation');
        term.type('y');
        const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
        expect(end).toContain('EXIT=0');
        expect(end).toContain(`deleted instance ${id}`);
      });
      expect((await runVn(['instance', 'describe', id], { env: emu.env })).code).toBe(1);
    } finally {
      await emu.stop();
    }
  });
});
