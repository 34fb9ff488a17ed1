import { helpWidth, topLevelHelp } from './help.js';
import { VERSION } from './version.js';

/**
 * The answers that need no command machinery: `vn --version` and the top-level `vn --help`
 * (`-V`, `-h`, `help`). Built on its own as dist/quick.cjs, which bin/vn.js requires before anything
 * else, so these two start without Node's ES module loader; cli.ts uses the same function in-process.
 * Returns false when argv asks for something else.
 */
export function quickAnswer(argv: readonly string[], out: { write(s: string): unknown; isTTY: boolean; columns?: number }): boolean {
  if (argv.length !== 1) return false;
  const a = argv[0];
  if (a === '--version' || a === '-V') {
    out.write(`${VERSION}\n`);
    return true;
  }
  if (a === '--help' || a === '-h' || a === 'help') {
    out.write(topLevelHelp(helpWidth(out.isTTY, out.columns)));
    return true;
  }
  return false;
}
