import { beforeEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { topLevelHelp } from '../../src/help.js';
import { IOStreams } from '../../src/output/iostreams.js';
import { runProgram } from '../../src/program.js';
import { forgetSecrets } from '../../src/redact.js';
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
  // the unit files share one module graph: a secret another file's run registered ("secret") would
  // be masked in the help's own words; a vn process starts with none
  beforeEach(() => forgetSecrets());

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

describe('a misspelt command', () => {
  it('is one line suggesting the canonical name only, never an alias beside it', async () => {
    for (const [argv, hint] of [
      [['instance', 'lst'], '(Did you mean list?)'],
      [['instance', 'lss'], '(Did you mean list?)'], // nearest to the alias ls: named by its command
      [['configure', 'lis'], '(Did you mean list?)'],
      [['instance', 'descrbe'], '(Did you mean describe?)'],
      [['instanse', 'list'], '(Did you mean instance?)'],
    ] as const) {
      const r = await runVn([...argv]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: unknown command '${argv[argv.length === 2 && argv[0] === 'instanse' ? 0 : 1]}' ${hint} (see --help)\n`);
    }
    // nothing near: no guess
    const far = await runVn(['instance', 'zzzzzz']);
    expect(far.stderr).toBe("error: unknown command 'zzzzzz' (see --help)\n");
  });
});
