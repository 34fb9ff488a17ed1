import type { CommandTree } from '../commands/define.js';
import { UsageError } from '../errors.js';
import { SHELLS, type Shell } from './tree.js';

export { SHELLS, type Shell } from './tree.js';

/** The completion script for one shell, generated from the registry and every command's definition. */
export async function completionScript(shell: string, commands: CommandTree): Promise<string> {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`unknown shell "${shell}": choose one of ${SHELLS.join(', ')}`);
  const { buildCompletionTree } = await import('./tree.js');
  const tree = await buildCompletionTree(commands);
  switch (shell as Shell) {
    case 'bash':
      return (await import('./bash.js')).bashScript(tree);
    case 'zsh':
      return (await import('./zsh.js')).zshScript(tree);
    default:
      return (await import('./fish.js')).fishScript(tree);
  }
}
