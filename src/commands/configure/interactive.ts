import { PROFILE_MODES, type Profile, type ProfileMode, profileMode } from '../../config/profiles.js';
import { UsageError } from '../../errors.js';
import { FORMATS, OUTPUT_FORMATS } from '../../output/formats/index.js';
import { defineCommand } from '../define.js';
import { checkSettings, MODE_FLAGS } from './set.js';
import { openStore } from './shared.js';

const MODE_SUMMARY: Record<ProfileMode, string> = {
  AK: 'an AccessKey pair',
  StsToken: 'an AccessKey pair and an STS token',
  RamRoleArn: 'assume a RAM role with an AccessKey',
  ChainableRamRoleArn: "assume a RAM role with another profile's credentials",
  EcsRamRole: "an ECS instance's RAM role",
  OIDC: 'assume a RAM role with an OIDC token file',
  CredentialsURI: 'a URL that hands out credentials',
  External: 'a command that prints credentials',
};

export default defineCommand({
  description:
    'Asks for a profile name, the credential mode (AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, CredentialsURI, ' +
    "External), the mode's settings (secrets typed masked), region and default output, and saves it (mode 0600).",
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
    const mode = await select<ProfileMode>({
      message: 'Credential mode:',
      choices: PROFILE_MODES.map((value) => ({ value, name: `${value} (${MODE_SUMMARY[value]})` })),
      default: existing ? profileMode(existing) : 'AK',
    });
    const same = existing && profileMode(existing) === mode ? existing : undefined;
    const profile: Profile = { mode };
    const ask = async (key: keyof Profile, message: string, required = true) => {
      const v = (
        await input({
          message,
          default: same?.[key] === undefined ? undefined : String(same[key]),
          validate: (x) => !required || x.trim() !== '' || 'required',
        })
      ).trim();
      if (v !== '') (profile as Record<string, unknown>)[key] = key === 'durationSeconds' ? Number(v) : v;
    };
    if (MODE_FLAGS[mode].secret) {
      await ask('accessKeyId', 'AccessKey ID:');
      const secret = await password({ message: same ? 'AccessKey secret (empty keeps the stored one):' : 'AccessKey secret:', mask: '*' });
      if (!secret && !same?.accessKeySecret) throw new UsageError('an AccessKey secret is required');
      profile.accessKeySecret = secret || same?.accessKeySecret;
      if (mode === 'StsToken') {
        const token = await password({ message: same?.securityToken ? 'STS token (empty keeps the stored one):' : 'STS token:', mask: '*' });
        profile.securityToken = token || same?.securityToken;
        if (!profile.securityToken) throw new UsageError('an STS token is required');
      }
    }
    if (mode === 'ChainableRamRoleArn') await ask('sourceProfile', 'Source profile (any mode):');
    if (mode === 'RamRoleArn' || mode === 'ChainableRamRoleArn' || mode === 'OIDC') {
      await ask('ramRoleArn', 'Role ARN (acs:ram::ACCOUNT:role/NAME):');
      await ask('roleSessionName', 'Role session name (empty: vn-cli):', false);
    }
    if (mode === 'RamRoleArn' || mode === 'ChainableRamRoleArn') await ask('externalId', 'External id (empty: none):', false);
    if (mode === 'OIDC') {
      await ask('oidcProviderArn', 'OIDC provider ARN (acs:ram::ACCOUNT:oidc-provider/NAME):');
      await ask('oidcTokenFile', 'OIDC token file:');
    }
    if (mode === 'EcsRamRole') await ask('ramRoleName', 'Instance RAM role (empty: ask the metadata service):', false);
    if (mode === 'CredentialsURI') await ask('credentialsUri', 'Credentials URI:');
    if (mode === 'External') await ask('processCommand', 'Credential command (run without a shell):');
    checkSettings(profile, name, (n) => store.get(n));
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
    if (mode === 'AK' || mode === 'StsToken') delete profile.mode;
    await store.set(name, {
      ...profile,
      region,
      endpoint: existing?.endpoint,
      output: output === 'auto' ? undefined : output,
    });
    ctx.err(`saved profile "${name}" in ${store.path}`);
    return undefined;
  },
});
