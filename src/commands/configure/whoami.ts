import { maskKeyId } from '../../config/profiles.js';
import { defineCommand } from '../define.js';

/** "1h 02m", "59m 10s", "12s": the time a token has left. */
export function timeLeft(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export default defineCommand({
  description:
    'Resolves credentials as every command does and asks STS GetCallerIdentity who they belong to: the source that won ' +
    '(and why each earlier one was skipped), the account, ARN and identity type, the time the token has left, the profile ' +
    'and the region. Never a secret. The first thing to run in a broken CI job; with --debug, each request is traced.',
  flags: [
    {
      name: 'sts-endpoint',
      description: "STS endpoint (default: the profile's, ALIBABA_CLOUD_STS_ENDPOINT, sts.<ALIBABA_CLOUD_STS_REGION>.aliyuncs.com, sts.aliyuncs.com)",
      valueName: 'url',
    },
  ],
  examples: ['vn configure whoami', 'vn configure whoami --debug -o json'],
  async run(ctx, { flags }) {
    const sts = await import('../../config/credentials/sts.js');
    const given = flags.stsEndpoint as string | undefined;
    // checked before anything is resolved or sent
    if (given !== undefined) ctx.factory.useStsEndpoint(sts.normalizeStsEndpoint(given));
    const profile = await ctx.factory.profile().catch(async (err: unknown) => {
      // the first thing run in a broken CI job: when no source yields, say why each one did not apply
      const { NoCredentialsError } = await import('../../config/credentials/chain.js');
      if (err instanceof NoCredentialsError)
        ctx.err(['no source yielded credentials; each one tried:', ...err.skipped.map((s) => `  ${s.provider}: ${s.reason}`)].join('\n'));
      throw err;
    });
    // the embedded emulator plays STS too: the local profile asks it
    const endpoint =
      profile.source === 'local' && given === undefined
        ? (await ctx.factory.endpoint()).url
        : sts.stsEndpoint({ env: ctx.env, stsEndpoint: given }, { stsEndpoint: profile.stsEndpoint, stsRegion: profile.stsRegion });
    const credentials = await profile.credentials.get();
    const { STS } = await import('../../client/products.js');
    const client = await ctx.factory.client(STS, { endpoint });
    const answer = (await client.call('GetCallerIdentity', {})).data;
    const text = (k: string) => (typeof answer[k] === 'string' ? (answer[k] as string) : '');
    const expiration = credentials.expiration;
    // a fixed STS token (a StsToken profile, ALIBABA_CLOUD_SECURITY_TOKEN) expires, but when is not stored with it
    const fixedToken = !expiration && credentials.securityToken !== undefined;
    const data = {
      Source: profile.description,
      Provider: profile.provider,
      Profile: profile.name,
      Region: profile.region,
      StsEndpoint: endpoint,
      AccessKeyId: maskKeyId(credentials.accessKeyId),
      AccountId: text('AccountId'),
      Arn: text('Arn'),
      IdentityType: text('IdentityType'),
      PrincipalId: text('PrincipalId'),
      UserId: text('UserId'),
      RoleId: text('RoleId'),
      Expiration: expiration ? expiration.toISOString() : '',
      TimeLeft: expiration ? timeLeft(expiration.getTime() - ctx.now().getTime()) : fixedToken ? 'unknown' : 'does not expire',
      Skipped: profile.skipped.map((s) => ({ Provider: s.provider, Reason: s.reason })),
    };
    const pad = (k: string) => `${k}:`.padEnd(10);
    const lines = [
      `${pad('source')}${data.Source}`,
      `${pad('profile')}${data.Profile}`,
      `${pad('region')}${data.Region}`,
      `${pad('account')}${data.AccountId}`,
      `${pad('arn')}${data.Arn}`,
      `${pad('type')}${data.IdentityType}`,
      `${pad('key')}${data.AccessKeyId}`,
      `${pad('expires')}${expiration ? `${data.Expiration} (${data.TimeLeft} left)` : fixedToken ? 'unknown (a fixed STS token: its expiry is not stored with it)' : 'never (a long-lived AccessKey)'}`,
      `${pad('sts')}${endpoint}`,
      ...data.Skipped.map((s, i) => `${pad(i === 0 ? 'skipped' : '')}${s.Provider}: ${s.Reason}`),
    ];
    return { data, view: { message: lines.join('\n') } };
  },
});
