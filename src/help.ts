import { GLOBAL_FLAGS } from './commands/globals.js';
import { GROUPS, TOP_VERBS } from './commands/registry.js';

/**
 * The top-level `vn --help`, rendered from the registry and the global-flag table without loading
 * commander, so the most common help stays as quick to start as --version. It follows commander's
 * layout to the character (test/cli/help.test.ts compares the two); every other help is
 * commander's own.
 */
export const PROGRAM_DESCRIPTION = 'Alibaba Cloud Intelligent Voice Navigator (智能语音导航) from the command line';
export const PROGRAM_EXAMPLES =
  '\nExamples:\n' +
  '  $ vn --profile local instance list      # the built-in offline emulator, no account needed\n' +
  '  $ vn configure                          # set up credentials\n' +
  '  $ vn instance list -o json --query "Instances[].InstanceId"\n';
export const VERSION_FLAG = { flags: '-V, --version', description: 'print the version' };
export const HELP_FLAG = { flags: '-h, --help', description: 'show help' };
const HELP_COMMAND = { term: 'help [command]', description: 'display help for command' };

/** commander's rule: the terminal's width on a TTY, else 80. */
export function helpWidth(isTTY: boolean, columns: number | undefined): number {
  return isTTY && columns ? columns : 80;
}

export function topLevelHelp(width: number): string {
  const options: [string, string][] = [
    [VERSION_FLAG.flags, VERSION_FLAG.description],
    ...GLOBAL_FLAGS.map((g): [string, string] => [g.flags, g.choices ? `${g.description} (one of: ${g.choices.join(', ')})` : g.description]),
    [HELP_FLAG.flags, HELP_FLAG.description],
  ];
  const commands: [string, string][] = [
    ...GROUPS.map((g): [string, string] => [g.name, g.summary]),
    ...TOP_VERBS.map((v): [string, string] => [v.aliases?.[0] ? `${v.name}|${v.aliases[0]}` : v.name, v.summary]),
    [HELP_COMMAND.term, HELP_COMMAND.description],
  ];
  const termWidth = Math.max(...[...options, ...commands].map(([t]) => t.length));
  const item = ([term, description]: [string, string]) => formatItem(term, termWidth, description, width);
  return (
    [
      'Usage: vn [options] [command]',
      '',
      boxWrap(PROGRAM_DESCRIPTION, width),
      '',
      'Options:',
      ...options.map(item),
      '',
      'Commands:',
      ...commands.map(item),
      '',
    ].join('\n') +
    PROGRAM_EXAMPLES +
    '\n'
  ); // commander ends added help text with a newline of its own
}

function formatItem(term: string, termWidth: number, description: string, width: number): string {
  const remaining = width - termWidth - 4;
  const text = remaining < 40 ? description : boxWrap(description, remaining).replace(/\n/g, `\n${' '.repeat(termWidth + 2)}`);
  return `  ${term.padEnd(termWidth)}  ${text.replace(/\n/g, '\n  ')}`;
}

/** Wraps at white space to `width`, as commander's Help.boxWrap does. */
function boxWrap(text: string, width: number): string {
  if (width < 40) return text;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (!chunks) {
      out.push('');
      continue;
    }
    let current = chunks.shift() as string;
    for (const chunk of chunks) {
      if (current.length + chunk.length <= width) {
        current += chunk;
      } else {
        out.push(current);
        current = chunk.trimStart();
      }
    }
    out.push(current);
  }
  return out.join('\n');
}
