import { isAlibabaSts } from '../../config/credentials/sts.js';
import { PROFILE_MODES, type Profile, type ProfileMode, profileMode, shownName } from '../../config/profiles.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../define.js';
import type { HandlerContext } from '../handler-context.js';
import { openStore, readStdin } from './shared.js';

/** The settings each mode takes (besides region, endpoint and output), by flag. */
export const FLAG_SETTING = {
  'access-key-id': 'accessKeyId',
  'ram-role-arn': 'ramRoleArn',
  'role-session-name': 'roleSessionName',
  'external-id': 'externalId',
  policy: 'policy',
  'duration-seconds': 'durationSeconds',
  'sts-endpoint': 'stsEndpoint',
  'sts-region': 'stsRegion',
  'source-profile': 'sourceProfile',
  'ram-role-name': 'ramRoleName',
  'oidc-provider-arn': 'oidcProviderArn',
  'oidc-token-file': 'oidcTokenFile',
  'credentials-uri': 'credentialsUri',
  'process-command': 'processCommand',
} as const satisfies Record<string, keyof Profile>;
type Flag = keyof typeof FLAG_SETTING;

const ROLE: Flag[] = ['ram-role-arn', 'role-session-name', 'duration-seconds', 'policy', 'sts-endpoint', 'sts-region'];
/** Per mode: the flags it takes, and those it needs. */
export const MODE_FLAGS: Record<ProfileMode, { takes: Flag[]; needs: Flag[]; secret?: boolean }> = {
  AK: { takes: ['access-key-id'], needs: ['access-key-id'], secret: true },
  StsToken: { takes: ['access-key-id'], needs: ['access-key-id'], secret: true },
  RamRoleArn: { takes: ['access-key-id', ...ROLE, 'external-id'], needs: ['access-key-id', 'ram-role-arn'], secret: true },
  ChainableRamRoleArn: { takes: ['source-profile', ...ROLE, 'external-id'], needs: ['source-profile', 'ram-role-arn'] },
  EcsRamRole: { takes: ['ram-role-name'], needs: [] },
  OIDC: { takes: [...ROLE, 'oidc-provider-arn', 'oidc-token-file'], needs: ['ram-role-arn', 'oidc-provider-arn', 'oidc-token-file'] },
  CredentialsURI: { takes: ['credentials-uri'], needs: ['credentials-uri'] },
  External: { takes: ['process-command'], needs: ['process-command'] },
};

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

export default defineCommand({
  description:
    'Creates or updates a profile of any mode (--mode, default AK): AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, ' +
    'CredentialsURI or External. An AccessKey secret (AK, StsToken, RamRoleArn) is never taken as a flag (it would land in shell ' +
    'history and ps): pipe it on stdin, or run on a terminal to be asked for it (typed masked). Keeping the stored secret: --keep-secret.',
  flags: [
    { name: 'mode', choices: PROFILE_MODES, description: "the credential mode (default: AK, or StsToken with --sts-token, or the profile's)" },
    { name: 'access-key-id', description: 'AccessKey ID (AK, StsToken; RamRoleArn: the key that assumes the role)', valueName: 'id' },
    { name: 'sts-token', type: 'bool', description: 'mode StsToken: also read an STS security token (a second line on stdin, or asked for)' },
    { name: 'keep-secret', type: 'bool', description: 'update other settings and keep the stored secret' },
    { name: 'ram-role-arn', description: 'the role to assume (acs:ram::ACCOUNT:role/NAME)', valueName: 'arn' },
    { name: 'role-session-name', description: 'the role session name (default: ALIBABA_CLOUD_ROLE_SESSION_NAME, else vn-cli)', valueName: 'name' },
    { name: 'external-id', description: 'RamRoleArn, ChainableRamRoleArn: the external id the role trusts', valueName: 'id' },
    { name: 'policy', description: 'a session policy (JSON) narrowing the role', valueName: 'json' },
    {
      name: 'duration-seconds',
      type: 'int',
      description: 'session duration, 900 to 43200 (default 3600; from 1 with an --sts-endpoint other than Alibaba Cloud’s)',
      valueName: 'n',
    },
    { name: 'sts-endpoint', description: 'STS endpoint (default sts.aliyuncs.com)', valueName: 'url' },
    { name: 'sts-region', description: 'STS region: sts.REGION.aliyuncs.com', valueName: 'region' },
    { name: 'source-profile', description: 'ChainableRamRoleArn: the profile (of any mode) that assumes the role', valueName: 'name', complete: 'profile' },
    { name: 'ram-role-name', description: 'EcsRamRole: the instance RAM role (default: the one the metadata service names)', valueName: 'name' },
    { name: 'oidc-provider-arn', description: 'OIDC: the OIDC provider (acs:ram::ACCOUNT:oidc-provider/NAME)', valueName: 'arn' },
    { name: 'oidc-token-file', description: 'OIDC: the file holding the OIDC token (read again on each refresh)', valueName: 'path', complete: 'file' },
    {
      name: 'credentials-uri',
      description: 'CredentialsURI: the URL answering {Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration}',
      valueName: 'url',
    },
    { name: 'process-command', description: "External: a command printing the aliyun CLI's credential JSON (run without a shell)", valueName: 'command' },
  ],
  examples: [
    'printf %s "$SECRET" | vn configure set --profile prod --access-key-id LTAI5t…',
    'printf %s "$SECRET" | vn configure set --profile ops --mode RamRoleArn --access-key-id LTAI5t… --ram-role-arn acs:ram::123456789012:role/ops --role-session-name alice',
    'vn configure set --profile cross --mode ChainableRamRoleArn --source-profile ops --ram-role-arn acs:ram::210987654321:role/voice --external-id abc',
    'vn configure set --profile runner --mode EcsRamRole',
  ],
  async run(ctx, { flags }) {
    // --profile is the global flag
    const name = ctx.globals.profile ?? 'default';
    const store = await openStore(ctx);
    const existing = store.get(name);
    const mode: ProfileMode = (flags.mode as ProfileMode | undefined) ?? defaultMode(existing, flags);
    if (flags.stsToken && mode !== 'StsToken') throw new UsageError(`--sts-token does not apply to mode ${mode}`);
    const spec = MODE_FLAGS[mode];
    const given = (Object.keys(FLAG_SETTING) as Flag[]).filter((f) => flags[camel(f)] !== undefined);
    const foreign = given.filter((f) => !spec.takes.includes(f));
    if (foreign.length > 0) throw new UsageError(foreign.map((f) => `--${f} does not apply to mode ${mode}`).join('; '));
    if (!spec.secret && flags.keepSecret) throw new UsageError(`--keep-secret does not apply to mode ${mode} (it stores no secret)`);
    // the settings given, over the stored ones when the mode stays the same
    const kept = existing && (profileMode(existing) === mode || (mode === 'AK' && profileMode(existing) === 'StsToken')) ? existing : undefined;
    const profile: Profile = { mode };
    for (const f of spec.takes) {
      const key = FLAG_SETTING[f];
      const value = flags[camel(f)] ?? kept?.[key];
      if (value !== undefined) (profile as Record<string, unknown>)[key] = value;
    }
    const missing = spec.needs.filter((f) => profile[FLAG_SETTING[f]] === undefined || profile[FLAG_SETTING[f]] === '');
    if (missing.length > 0) throw new UsageError(missing.map((f) => `missing required option --${f} (mode ${mode})`).join('; '));
    checkSettings(profile, name, store.get.bind(store));
    if (spec.secret) await readSecrets(ctx, profile, mode, flags, kept);
    // --region, --endpoint and --output are the global flags (already checked and normalised)
    // AK and StsToken profiles are written as before modes existed (an older vn reads them alike)
    if (mode === 'AK' || mode === 'StsToken') delete profile.mode;
    await store.set(name, {
      ...profile,
      region: ctx.globals.region ?? existing?.region,
      endpoint: ctx.globals.endpoint ?? existing?.endpoint,
      output: ctx.globals.output ?? existing?.output,
    });
    ctx.err(`saved profile "${name}" (${mode})${store.current === name ? ' (current)' : ''} in ${store.path}`);
    return undefined;
  },
});

/**
 * Without --mode: StsToken with --sts-token; a role profile stays of its mode; an StsToken one
 * stays so with --keep-secret (its token kept); otherwise AK (as before modes existed).
 */
function defaultMode(existing: Profile | undefined, flags: Record<string, unknown>): ProfileMode {
  if (flags.stsToken) return 'StsToken';
  const mode = existing ? profileMode(existing) : 'AK';
  if (mode === 'StsToken') return flags.keepSecret ? 'StsToken' : 'AK';
  return mode;
}

/** The AccessKey secret (and the STS token): stdin when piped, else asked for masked; or the stored ones with --keep-secret. */
async function readSecrets(ctx: HandlerContext, profile: Profile, mode: ProfileMode, flags: Record<string, unknown>, kept: Profile | undefined): Promise<void> {
  const wantsToken = mode === 'StsToken';
  let secret = flags.keepSecret ? kept?.accessKeySecret : undefined;
  let token = flags.keepSecret ? kept?.securityToken : undefined;
  if (!secret) {
    if (ctx.io.stdinIsTTY) {
      const { password } = await ctx.io.prompts();
      secret = await password({ message: 'AccessKey secret:', mask: '*' });
      if (wantsToken) token = await password({ message: 'STS security token:', mask: '*' });
    } else {
      const text = await readStdin(ctx);
      const [first, second] = text.split(/\r?\n/);
      secret = first?.trim();
      if (wantsToken) token = second?.trim();
    }
  }
  if (!secret) throw new UsageError('no AccessKey secret given: pipe it on stdin, or run on a terminal to be asked');
  if (wantsToken && !token) throw new UsageError('mode StsToken: no token given (a second line on stdin)');
  profile.accessKeySecret = secret;
  if (wantsToken) profile.securityToken = token;
}

/** Each setting's form, checked before anything is written (exit 2). */
export function checkSettings(p: Profile, name: string, get: (n: string) => Profile | undefined): void {
  const problems: string[] = [];
  if (p.ramRoleArn !== undefined && !/^acs:ram::\d*:role\/\S+$/i.test(p.ramRoleArn))
    problems.push(`--ram-role-arn ${JSON.stringify(p.ramRoleArn)} is not a role ARN (acs:ram::ACCOUNT:role/NAME)`);
  if (p.oidcProviderArn !== undefined && !/^acs:ram::\d*:oidc-provider\/\S+$/i.test(p.oidcProviderArn)) {
    problems.push(`--oidc-provider-arn ${JSON.stringify(p.oidcProviderArn)} is not an OIDC provider ARN (acs:ram::ACCOUNT:oidc-provider/NAME)`);
  }
  if (p.roleSessionName !== undefined && !/^[\w.@-]{2,64}$/.test(p.roleSessionName)) problems.push('--role-session-name: 2 to 64 letters, digits and . @ - _');
  if (p.durationSeconds !== undefined) {
    // Alibaba Cloud's STS takes 900 s and more; an STS named with --sts-endpoint (the emulator's --sts-min-duration) decides for itself
    const least = p.stsEndpoint !== undefined && !isAlibabaSts(p.stsEndpoint) ? 1 : 900;
    if (!Number.isInteger(p.durationSeconds) || p.durationSeconds < least || p.durationSeconds > 43200)
      problems.push(
        `--duration-seconds: from ${least} to 43200${least === 900 ? ' (less only with an --sts-endpoint other than Alibaba Cloud’s, such as the emulator’s)' : ''}`,
      );
  }
  if (p.policy !== undefined) {
    try {
      JSON.parse(p.policy);
    } catch {
      problems.push('--policy is not JSON (a RAM policy document)');
    }
  }
  if (p.stsEndpoint !== undefined) {
    try {
      const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(p.stsEndpoint) ? p.stsEndpoint : `https://${p.stsEndpoint}`);
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) throw new Error('scheme');
    } catch {
      problems.push(`--sts-endpoint ${JSON.stringify(p.stsEndpoint)} is not a host or an http(s) URL`);
    }
  }
  if (p.stsRegion !== undefined && !/^[a-z0-9-]{1,40}$/.test(p.stsRegion)) problems.push(`--sts-region ${JSON.stringify(p.stsRegion)} is not a region id`);
  if (p.credentialsUri !== undefined && !/^https?:\/\/[^\s/]+/i.test(p.credentialsUri)) problems.push('--credentials-uri is not an http(s) URL');
  if (p.ramRoleName !== undefined && !/^[A-Za-z0-9._@+=,-]{1,64}$/.test(p.ramRoleName)) problems.push('--ram-role-name is not a RAM role name');
  if (p.sourceProfile !== undefined) {
    if (p.sourceProfile === name) problems.push('--source-profile cannot be the profile itself');
    else if (!get(p.sourceProfile)) problems.push(`--source-profile: no profile named ${shownName(p.sourceProfile)}`);
  }
  if (p.processCommand !== undefined && p.processCommand.trim() === '') problems.push('--process-command is empty');
  if (problems.length > 0) throw new UsageError(problems.join('; '));
}
