import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PROFILE_NAME_RE } from '../../config/profiles.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { openStore } from './shared.js';

interface AliyunProfile {
  name?: string;
  mode?: string;
  access_key_id?: string;
  access_key_secret?: string;
  sts_token?: string;
  region_id?: string;
  output_format?: string;
}

export default defineCommand({
  description:
    'Imports the profiles of mode AK and StsToken from the Alibaba Cloud CLI configuration. Other modes ' +
    '(RamRoleArn, EcsRamRole, …) are listed as skipped. Existing vn profiles of the same name are kept unless --overwrite.',
  flags: [
    { name: 'file', description: 'the aliyun CLI config file (default ~/.aliyun/config.json)', valueName: 'path', complete: 'file' },
    { name: 'overwrite', type: 'bool', description: 'replace vn profiles of the same name' },
  ],
  async run(ctx, { flags }) {
    const file = (flags.file as string | undefined) ?? join(ctx.env.HOME || homedir(), '.aliyun', 'config.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UsageError(`no aliyun CLI configuration at ${file}`);
      if (code === 'EISDIR') throw new UsageError(`${file} is a directory, not the aliyun CLI's config.json`);
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    let parsed: { current?: string; profiles?: AliyunProfile[] };
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${file} is not valid JSON (${(e as Error).message}); give the aliyun CLI's config.json with --file`);
    }
    if (!parsed || typeof parsed !== 'object' || (parsed.profiles !== undefined && !Array.isArray(parsed.profiles))) {
      throw new UsageError(`${file} is not an aliyun CLI configuration (expected {"profiles": [...]}); give its config.json with --file`);
    }
    const store = await openStore(ctx);
    const rows: { Name: string; Result: string }[] = [];
    for (const p of parsed.profiles ?? []) {
      if (!p || typeof p !== 'object') {
        rows.push({ Name: '', Result: 'skipped: not a profile object' });
        continue;
      }
      const name = typeof p.name === 'string' ? p.name : '';
      if (!PROFILE_NAME_RE.test(name) || name === 'local') {
        rows.push({ Name: name, Result: 'skipped: name not usable in vn' });
        continue;
      }
      if (p.mode !== 'AK' && p.mode !== 'StsToken') {
        rows.push({ Name: name, Result: `skipped: mode ${p.mode ?? '?'} is not supported` });
        continue;
      }
      if (!p.access_key_id || !p.access_key_secret) {
        rows.push({ Name: name, Result: 'skipped: no AccessKey' });
        continue;
      }
      if (store.get(name) && !flags.overwrite) {
        rows.push({ Name: name, Result: 'skipped: exists (use --overwrite)' });
        continue;
      }
      await store.set(name, {
        accessKeyId: p.access_key_id,
        accessKeySecret: p.access_key_secret,
        securityToken: p.mode === 'StsToken' ? p.sts_token : undefined,
        region: p.region_id === 'cn-hangzhou' ? 'cn-hangzhou' : p.region_id === 'cn-shanghai' ? 'cn-shanghai' : undefined,
        output: p.output_format === 'json' ? 'json' : undefined,
      });
      rows.push({ Name: name, Result: `imported (${p.mode})` });
    }
    if (parsed.current && !store.current && store.get(parsed.current)) await store.use(parsed.current);
    return { data: { Imported: rows }, view: { listField: 'Imported' } };
  },
});
