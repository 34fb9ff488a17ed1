import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';
import { hasTmux, inTerminal } from '../helpers/tmux.js';

describe('vn apply in a terminal', () => {
  it.skipIf(!hasTmux)('shows the plan and asks; "no" applies nothing, "yes" applies it', async () => {
    const emu = await startTestEmulator();
    try {
      const file = join(emu.dir, 'ask.yaml');
      writeFileSync(file, 'name: 提问热线\nconcurrency: 2\ntts:\n  voice: ruoxi\n');
      const count = async () =>
        (JSON.parse((await runVn(['instance', 'list', '--name', '提问热线', '-o', 'json'], { env: emu.env })).stdout).Instances as unknown[]).length;
      await inTerminal(['apply', '-f', file], emu.env, async (term) => {
        await term.waitFor((s) => s.includes('Apply this plan?'), 'the confirmation');
        expect(term.screen()).toContain('+ create 提问热线');
        expect(term.screen()).toContain('tts.voice: ruoxi');
        term.type('n');
        const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
        expect(end).toContain('not applied');
        expect(end).toContain('EXIT=0');
      });
      expect(await count()).toBe(0);
      await inTerminal(['apply', '-f', file], emu.env, async (term) => {
        await term.waitFor((s) => s.includes('Apply this plan?'), 'the confirmation');
        term.type('y');
        const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
        expect(end).toContain('created "提问热线"');
        expect(end).toContain('EXIT=0');
      });
      expect(await count()).toBe(1);
    } finally {
      await emu.stop();
    }
  });
});
