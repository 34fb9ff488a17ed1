import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { openStore, readStdin } from './shared.js';

export default defineCommand({
  description:
    'Creates or updates a profile. The AccessKey secret is never taken as a flag (it would land in shell history and ps): ' +
    'pipe it on stdin, or run on a terminal to be asked for it (typed masked). Keeping the stored secret: --keep-secret.',
  flags: [
    { name: 'access-key-id', description: 'AccessKey ID', valueName: 'id' },
    { name: 'sts-token', type: 'bool', description: 'also read an STS security token: a second line on stdin, or asked for' },
    { name: 'keep-secret', type: 'bool', description: 'update other settings and keep the stored secret' },
  ],
  examples: [
    'printf %s "$SECRET" | vn configure set --profile prod --access-key-id LTAI5t…',
    'vn configure set --profile dev --access-key-id LTAI5t… --region cn-hangzhou --output json',
  ],
  async run(ctx, { flags }) {
    // --profile is the global flag
    const name = ctx.globals.profile ?? 'default';
    const store = await openStore(ctx);
    const existing = store.get(name);
    const accessKeyId = (flags.accessKeyId as string | undefined) ?? existing?.accessKeyId;
    if (!accessKeyId) throw new UsageError('missing required option --access-key-id');
    let secret = flags.keepSecret ? existing?.accessKeySecret : undefined;
    let token = flags.keepSecret ? existing?.securityToken : undefined;
    if (!secret) {
      if (ctx.io.stdinIsTTY) {
        const { password } = await ctx.io.prompts();
        secret = await password({ message: 'AccessKey secret:', mask: '*' });
        if (flags.stsToken) token = await password({ message: 'STS security token:', mask: '*' });
      } else {
        const text = await readStdin(ctx);
        const [first, second] = text.split(/\r?\n/);
        secret = first?.trim();
        if (flags.stsToken) token = second?.trim();
      }
    }
    if (!secret) throw new UsageError('no AccessKey secret given: pipe it on stdin, or run on a terminal to be asked');
    if (flags.stsToken && !token) throw new UsageError('--sts-token: no token given (a second line on stdin)');
    // --region, --endpoint and --output are the global flags (already checked and normalised)
    const endpoint = ctx.globals.endpoint ?? existing?.endpoint;
    await store.set(name, {
      accessKeyId,
      accessKeySecret: secret,
      securityToken: token,
      region: ctx.globals.region ?? existing?.region,
      endpoint,
      output: ctx.globals.output ?? existing?.output,
    });
    ctx.err(`saved profile "${name}"${store.current === name ? ' (current)' : ''} in ${store.path}`);
    return undefined;
  },
});
