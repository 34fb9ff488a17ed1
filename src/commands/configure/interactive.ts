import { UsageError } from '../../errors.js';
import { FORMATS, OUTPUT_FORMATS } from '../../output/formats/index.js';
import { defineCommand } from '../define.js';
import { openStore } from './shared.js';

export default defineCommand({
  description: 'Asks for a profile name, AccessKey ID, secret (typed masked), region and default output, and saves it (mode 0600).',
  async run(ctx) {
    if (!ctx.io.stdinIsTTY) {
      throw new UsageError(
        '`vn configure` asks questions and needs a terminal; in scripts use `vn configure set --profile NAME --access-key-id ID` with the secret on stdin',
      );
    }
    const { input, password, select } = await ctx.io.prompts();
    const store = await openStore(ctx);
    const name = await input({
      message: 'Profile name:',
      default: ctx.globals.profile ?? store.current ?? 'default',
      validate: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v) && v !== 'local') || 'letters, digits, dot, dash, underscore; not "local"',
    });
    const existing = store.get(name);
    const accessKeyId = await input({ message: 'AccessKey ID:', default: existing?.accessKeyId, validate: (v) => v.trim() !== '' || 'required' });
    const secret = await password({ message: existing ? 'AccessKey secret (empty keeps the stored one):' : 'AccessKey secret:', mask: '*' });
    if (!secret && !existing) throw new UsageError('an AccessKey secret is required');
    const region = await select({
      message: 'Region:',
      choices: [{ value: 'cn-shanghai' }, { value: 'cn-hangzhou' }],
      default: existing?.region ?? 'cn-shanghai',
    });
    const output = await select({
      message: 'Default output:',
      choices: [
        { value: 'auto', name: 'auto (table on a terminal, json when piped)' },
        // the formats in the order of the list, table, json and tsv first (the common ones)
        ...['table', 'json', 'tsv', ...OUTPUT_FORMATS.filter((f) => !['table', 'json', 'tsv'].includes(f))].map((value) => ({
          value,
          name: `${value} (${FORMATS[value as keyof typeof FORMATS].summary})`,
        })),
      ],
      default: existing?.output ?? 'auto',
    });
    await store.set(name, {
      accessKeyId: accessKeyId.trim(),
      accessKeySecret: secret || (existing?.accessKeySecret ?? ''),
      securityToken: existing?.securityToken,
      region,
      endpoint: existing?.endpoint,
      output: output === 'auto' ? undefined : output,
    });
    ctx.err(`saved profile "${name}" in ${store.path}`);
    return undefined;
  },
});
