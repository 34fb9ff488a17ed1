import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    'Writes the configuration of one, several or all instances — name, description, concurrency, status, TTS, greeting, ' +
    'silence timeout, unrecognized input, ASR, and read-only parts for information — in the format of docs/config-as-code.md. ' +
    'Applying the file to the same instances changes nothing.',
  action: 'DescribeInstance',
  alsoSends: ['ListInstances', 'DescribeTTSConfig', 'DescribeNavigationConfig', 'GetAsrConfig'],
  args: [{ name: 'instance-id', optional: true, variadic: true, description: 'instances to export' }],
  flags: [
    { name: 'all', type: 'bool', description: 'export every instance' },
    { name: 'output', short: 'o', choices: ['yaml', 'json'], valueName: 'format', description: 'file format (default yaml)' },
    { name: 'output-file', valueName: 'file', complete: 'file', description: 'write to this file (atomically) instead of stdout' },
  ],
  examples: ['vn instance export 3f6e… > hotline.yaml', 'vn instance export --all -o json --output-file instances.json'],
  async run(ctx, { args, flags }) {
    const ids = (args.instanceId as string[] | undefined) ?? [];
    if (flags.all === true && ids.length) throw new UsageError('give instance ids or --all, not both');
    if (flags.all !== true && ids.length === 0) throw new UsageError('give one or more instance ids, or --all');
    for (const id of ids) if (id.trim() === '') throw new UsageError('<instance-id> must not be empty');
    const { apiFor } = await import('../../manifest/io.js');
    const { exportInstances, formatExport } = await import('../../manifest/export.js');
    const docs = await exportInstances(apiFor(ctx.api), flags.all === true ? 'all' : ids);
    // `vn -o json instance export …` (the global flag, before the command) means JSON too
    const format = flags.output ?? (ctx.globals.output === 'json' ? 'json' : 'yaml');
    const exact = await formatExport(docs, format === 'json' ? 'json' : 'yaml');
    // export is not output: the file carries the instance's values exactly (a greeting saying
    // `AccessKey=1234567` stays as it is), but never the credentials of the profile in use
    const { redactKnown } = await import('../../redact.js');
    const text = redactKnown(exact);
    if (text !== exact) {
      ctx.err('warning: a value holds the credentials of the profile in use; it is exported as <redacted> (applying the file writes that text)');
    }
    const file = flags.outputFile as string | undefined;
    if (file) {
      const { writeFileAtomic } = await import('../../atomic-file.js');
      await writeFileAtomic(file, text);
      ctx.err(`wrote ${docs.length} instance${docs.length === 1 ? '' : 's'} to ${file}`);
    } else {
      ctx.write('stdout', text, { knownSecretsOnly: true });
    }
    return undefined;
  },
});
