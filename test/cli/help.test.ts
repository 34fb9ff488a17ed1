import { describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { topLevelHelp } from '../../src/help.js';
import { IOStreams } from '../../src/output/iostreams.js';
import { runProgram } from '../../src/program.js';
import { runVn } from '../helpers/run.js';

/** commander's own rendering of the top-level help, for a terminal of `columns` (or a pipe). */
async function commanderHelp(columns: number | undefined): Promise<string> {
  const t = IOStreams.test({ tty: { stdout: columns !== undefined }, columns, env: { NO_COLOR: '1' } });
  const ctx = new Context(t.io);
  // `help instance`-style words make runProgram go through commander; `--help` alone is what we compare
  expect(await runProgram(['--help'], ctx)).toBe(0);
  return t.stdout();
}

describe('top-level help without commander', () => {
  it.each([undefined, 60, 80, 100, 160])('renders exactly what commander renders (columns %s)', async (columns) => {
    expect(topLevelHelp(columns ?? 80)).toBe(await commanderHelp(columns));
  });

  it('is what `vn --help`, `vn -h` and `vn help` print', async () => {
    const expected = topLevelHelp(80);
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await runVn(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(expected);
    }
    expect(expected).toContain('instance');
    expect(expected).toContain('--signature-version <v>');
  });
});
