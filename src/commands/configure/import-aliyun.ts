import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type AliyunProfile, fromAliyunProfile, supportedMode } from '../../config/credentials/aliyun-cli.js';
import { PROFILE_NAME_RE, type Profile } from '../../config/profiles.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import { FLAG_SETTING, MODE_FLAGS } from './set.js';
import { openStore } from './shared.js';

export default defineCommand({
  description:
    'Imports the profiles of the Alibaba Cloud CLI configuration: AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, ' +
    'CredentialsURI and External (CloudSSO, OAuth and other modes are listed as skipped). Existing vn profiles of the same name are kept unless --overwrite.',
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
      const mode = supportedMode(p.mode);
      if (!mode) {
        rows.push({ Name: name, Result: `skipped: mode ${typeof p.mode === 'string' ? p.mode.slice(0, 40) : '?'} is not supported` });
        continue;
      }
      const profile: Profile = fromAliyunProfile(p, mode);
      const missing = MODE_FLAGS[mode].needs.filter((f) => profile[FLAG_SETTING[f]] === undefined);
      if ((MODE_FLAGS[mode].secret && !profile.accessKeySecret) || missing.length > 0) {
        rows.push({ Name: name, Result: mode === 'AK' || mode === 'StsToken' ? 'skipped: no AccessKey' : `skipped: incomplete ${mode} profile` });
        continue;
      }
      if (store.get(name) && !flags.overwrite) {
        rows.push({ Name: name, Result: 'skipped: exists (use --overwrite)' });
        continue;
      }
      // AK and StsToken profiles are written as before modes existed
      if (mode === 'AK' || mode === 'StsToken') delete profile.mode;
      await store.set(name, {
        ...profile,
        region: p.region_id === 'cn-hangzhou' ? 'cn-hangzhou' : p.region_id === 'cn-shanghai' ? 'cn-shanghai' : undefined,
        output: p.output_format === 'json' ? 'json' : undefined,
      });
      rows.push({ Name: name, Result: `imported (${mode})` });
    }
    if (parsed.current && !store.current && store.get(parsed.current)) await store.use(parsed.current);
    return { data: { Imported: rows }, view: { listField: 'Imported' } };
  },
});
