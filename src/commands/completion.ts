import { type CommandTree, defineCommand } from './define.js';

export default defineCommand({
  description:
    'Prints a completion script for groups, commands, flags and their fixed values (--output, --final-action, --env, ' +
    'profile names, …), generated from the command tree. The same scripts are in completions/ of the package.',
  args: [{ name: 'shell', description: 'bash, zsh or fish' }],
  examples: [
    'source <(vn completion bash)                 # bash, this session',
    'vn completion bash > ~/.local/share/bash-completion/completions/vn',
    'vn completion zsh > ~/.zfunc/_vn               # zsh, with ~/.zfunc in $fpath',
    'vn completion fish > ~/.config/fish/completions/vn.fish',
  ],
  async run(ctx, { args, commands }) {
    const { completionScript } = await import('../completion/index.js');
    // a script, not data: printed as is whatever the output format
    ctx.out(await completionScript(String(args.shell), commands as CommandTree));
    return undefined;
  },
});
