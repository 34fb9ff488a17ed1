import { type CommandTree, defineCommand } from './define.js';

export default defineCommand({
  description:
    'Prints a completion script for groups, commands, flags and their fixed values (--output, --final-action, --env, ' +
    'profile names, voices, report formats, …), file paths (test files for `vn dialogue test`), and instance ids with their names (fetched with a 2-second limit and cached for a minute, so TAB never ' +
    'hangs), generated from the command tree. The same scripts are in completions/ of the package.',
  args: [{ name: 'shell', optional: true, description: 'bash, zsh or fish' }],
  flags: [
    { name: 'instance-ids', type: 'bool', hidden: true, description: 'print the instance ids of the profile, for the scripts' },
    {
      name: 'instances',
      type: 'bool',
      hidden: true,
      description: 'print the instances of the profile as id<TAB>name lines, for the scripts that show descriptions (zsh, fish)',
    },
    { name: 'profile-names', type: 'bool', hidden: true, description: 'print the profile names, for the scripts' },
  ],
  examples: [
    'source <(vn completion bash)                 # bash, this session',
    'vn completion bash > ~/.local/share/bash-completion/completions/vn',
    'vn completion zsh > ~/.zfunc/_vn               # zsh, with ~/.zfunc in $fpath',
    'vn completion fish > ~/.config/fish/completions/vn.fish',
  ],
  async run(ctx, { args, flags, commands }) {
    if (flags.instanceIds === true) {
      const { instanceIds } = await import('../completion/instances.js');
      const ids = await instanceIds(ctx);
      if (ids.length) ctx.out(ids.join('\n'));
      return undefined;
    }
    if (flags.instances === true) {
      const { instances } = await import('../completion/instances.js');
      const list = await instances(ctx);
      if (list.length) ctx.out(list.map((i) => (i.name ? `${i.id}\t${i.name}` : i.id)).join('\n'));
      return undefined;
    }
    if (flags.profileNames === true) {
      const { profileNames } = await import('../completion/instances.js');
      const names = await profileNames(ctx);
      if (names.length) ctx.out(names.join('\n'));
      return undefined;
    }
    if (args.shell === undefined) {
      const { UsageError } = await import('../errors.js');
      throw new UsageError('missing argument <shell>: choose one of bash, zsh, fish');
    }
    const { completionScript } = await import('../completion/index.js');
    // a script, not data: printed as is whatever the output format
    ctx.out(await completionScript(String(args.shell), commands as CommandTree));
    return undefined;
  },
});
