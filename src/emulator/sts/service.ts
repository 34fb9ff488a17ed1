import { createHash, randomBytes } from 'node:crypto';
import { authenticate, type Credentials, EMULATOR_ACCOUNT_ID, type IncomingSigned, type Policy, type Verified } from '../auth/index.js';
import { header } from '../auth/types.js';
import { ApiError } from '../errors.js';
import type { DispatchOutcome } from '../gateway.js';
import type { Store } from '../store/index.js';
import { type OidcClaims, type SigningKey, verifyJwt } from './jwt.js';
import { OIDC_PROVIDER_ARN, ROLE_ARN, type Role, type StsSetup, trusts } from './roles.js';

/**
 * Security Token Service 2015-04-01, served on the emulator's own port: a request whose Version
 * (V1 parameter, V3 x-acs-version) is 2015-04-01 is STS's, anything else Voice Navigator's. So a
 * client reaches it by pointing its STS endpoint at the emulator's URL. AssumeRole and
 * GetCallerIdentity are signed as at STS (V1 or V3, the emulator's own authenticators);
 * AssumeRoleWithOIDC is anonymous, as at STS, and authenticated by its OIDC token. Keys it issues
 * (STS.…) are kept in the store, so every process on the data file accepts them, each with its
 * role's access. (docs/emulator.md, "STS and the metadata service")
 */

export const STS_VERSION = '2015-04-01';
const STS_HOST_ID = 'sts.aliyuncs.com';

/** Counts of the STS and metadata requests an emulator answered (the tests' request log). */
export class StsLog {
  private readonly counts = new Map<string, number>();
  record(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }
  /** How many requests of one kind (an STS action, or `metadata:<what>`), or of every kind. */
  count(kind?: string): number {
    if (kind !== undefined) return this.counts.get(kind) ?? 0;
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

export interface StsEnv {
  store: Store;
  credentials: Credentials;
  setup: StsSetup;
  /** The OIDC test signing key (made on first use). */
  signingKey: () => SigningKey;
  log: StsLog;
}

export interface StsRequest {
  method: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: IncomingSigned['headers'];
  raw: Buffer;
  now: number;
}

/** Whether a request is STS's: its version is 2015-04-01. */
export function isStsRequest(params: Record<string, string>, headers: IncomingSigned['headers']): boolean {
  return (header(headers, 'x-acs-version') ?? params.Version) === STS_VERSION;
}

function stsError(code: string, message: string, status: number): ApiError {
  return new ApiError(code, message, status, { HostId: STS_HOST_ID });
}

/** Answers one STS request: its body, or its error (never thrown). */
export function answerSts(req: StsRequest, env: StsEnv): DispatchOutcome {
  const signed = header(req.headers, 'authorization')?.startsWith('ACS3-') === true;
  const action = (signed ? header(req.headers, 'x-acs-action') : undefined) ?? req.params.Action ?? '';
  env.log.record(action || '(none)');
  try {
    if (action === 'AssumeRoleWithOIDC') return { action, body: assumeRoleWithOidc(req, env) };
    if (action !== 'AssumeRole' && action !== 'GetCallerIdentity') {
      throw stsError('InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', 404);
    }
    const who = authenticateSts(req, env);
    return { action, body: action === 'AssumeRole' ? assumeRole(req, who, env) : callerIdentity(who, env) };
  } catch (err) {
    if (err instanceof ApiError) return err.extra?.HostId ? err : new ApiError(err.code, err.message, err.httpStatus, { ...err.extra, HostId: STS_HOST_ID });
    throw err;
  }
}

function authenticateSts(req: StsRequest, env: StsEnv): Verified {
  const bodyHash = () => createHash('sha256').update(req.raw).digest('hex');
  return authenticate(
    {
      method: req.method,
      params: req.params,
      query: req.query,
      headers: req.headers,
      bodyHash,
      hasBody: req.raw.length > 0,
      now: req.now,
      inWriteTransaction: false,
    },
    env.credentials,
  );
}

// --- the actions ----------------------------------------------------------------------------

function assumeRole(req: StsRequest, who: Verified, env: StsEnv): Record<string, unknown> {
  const p = req.params;
  const roleArn = required(p, 'RoleArn');
  const session = required(p, 'RoleSessionName');
  const role = findRole(roleArn, session, env);
  const duration = durationOf(p.DurationSeconds, role);
  const access = sessionAccess(p.Policy, role.policy);
  const externalId = p.ExternalId;
  if (externalId !== undefined && externalId !== '' && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw stsError('InvalidParameter.ExternalId', 'The parameter ExternalId is wrongly formed.', 400);
  }
  const trusted = who.issued ? trusts(role, 'roles', who.issued.roleArn) : trusts(role, 'accessKeys', who.accessKeyId);
  if (!trusted || (role.externalId !== undefined && externalId !== role.externalId)) {
    throw stsError(
      'NoPermission',
      `You are not authorized to do this action. You should be authorized by RAM. No permission perform sts:AssumeRole on ${role.arn}: check the role's trust policy${role.externalId !== undefined ? ' and the ExternalId' : ''}.`,
      403,
    );
  }
  return issue(env, role, session, access, duration, who.accessKeyId, req.now);
}

function assumeRoleWithOidc(req: StsRequest, env: StsEnv): Record<string, unknown> {
  const p = req.params;
  const providerArn = required(p, 'OIDCProviderArn');
  const roleArn = required(p, 'RoleArn');
  const token = required(p, 'OIDCToken');
  const session = required(p, 'RoleSessionName');
  if (!OIDC_PROVIDER_ARN.test(providerArn)) throw stsError('InvalidParameter.OIDCProviderArn', 'The parameter OIDCProviderArn is wrongly formed.', 400);
  const provider = env.setup.oidcProviders.find((o) => o.arn === providerArn);
  if (!provider) throw stsError('AuthenticationFail.NoPermission', 'No such OIDC Provider registered.', 401);
  const claims: OidcClaims = verifyJwt(token, env.signingKey(), req.now);
  if (claims.iss !== provider.issuer) throw stsError('AuthenticationFail.OIDCToken.IssuerNotMatch', 'Invalid issuer.', 401);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((a) => provider.audiences.includes(String(a)))) throw stsError('AuthenticationFail.OIDCToken.AudienceNotMatch', 'Invalid audience.', 401);
  const role = findRole(roleArn, session, env);
  const duration = durationOf(p.DurationSeconds, role);
  const access = sessionAccess(p.Policy, role.policy);
  if (!trusts(role, 'oidcProviders', providerArn)) throw stsError('AuthenticationFail.NoPermission', 'There is no permission', 401);
  const issued = issue(env, role, session, access, duration, providerArn, req.now);
  return {
    ...issued,
    OIDCTokenInfo: {
      Subject: claims.sub,
      Issuer: claims.iss,
      ClientIds: audiences.join(','),
      ExpirationTime: isoSeconds(claims.exp * 1000),
      IssuanceTime: isoSeconds((typeof claims.iat === 'number' ? claims.iat : 0) * 1000),
      VerificationInfo: 'Success',
    },
  };
}

function callerIdentity(who: Verified, env: StsEnv): Record<string, unknown> {
  const issued = who.issued;
  if (issued) {
    const role = env.setup.roles.find((r) => r.arn === issued.roleArn);
    const accountId = role?.accountId ?? EMULATOR_ACCOUNT_ID;
    const roleName = role?.name ?? (ROLE_ARN.exec(issued.roleArn)?.[2] as string);
    const roleId = role?.roleId ?? '';
    return {
      IdentityType: 'AssumedRoleUser',
      AccountId: accountId,
      Arn: `acs:ram::${accountId}:assumed-role/${roleName}/${issued.sessionName}`,
      RoleId: roleId,
      PrincipalId: `${roleId}:${issued.sessionName}`,
    };
  }
  // the emulator's keys stand for RAM users of one account (auth/policy.ts), each named after its key id
  const userId = numericId(`user:${who.accessKeyId}`);
  return {
    IdentityType: 'RAMUser',
    AccountId: EMULATOR_ACCOUNT_ID,
    Arn: `acs:ram::${EMULATOR_ACCOUNT_ID}:user/${who.accessKeyId}`,
    UserId: userId,
    PrincipalId: userId,
  };
}

// --- issuing --------------------------------------------------------------------------------

export type IssuedCredentials = {
  Credentials: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string };
  AssumedRoleUser: { Arn: string; AssumedRoleId: string };
};

/** A temporary key for `role`, valid `durationSec` seconds from `now`, recorded in the store. */
export function issue(
  env: Pick<StsEnv, 'store'>,
  role: Role,
  session: string,
  policy: Policy,
  durationSec: number,
  source: string,
  now: number,
): IssuedCredentials {
  const accessKeyId = `STS.${alnum(25)}`;
  const secret = alnum(44);
  // STS tokens are long opaque base64 that start CAIS
  const securityToken = `CAIS${randomBytes(180).toString('base64')}`;
  const expireTime = now + durationSec * 1000;
  env.store.stsKeys.issue({
    access_key_id: accessKeyId,
    secret,
    security_token: securityToken,
    role_arn: role.arn,
    session_name: session,
    policy,
    source,
    create_time: now,
    expire_time: expireTime,
  });
  return {
    Credentials: { AccessKeyId: accessKeyId, AccessKeySecret: secret, SecurityToken: securityToken, Expiration: isoSeconds(expireTime) },
    AssumedRoleUser: { Arn: `acs:ram::${role.accountId}:role/${role.name.toLowerCase()}/${session}`, AssumedRoleId: `${role.roleId}:${session}` },
  };
}

function findRole(roleArn: string, session: string, env: StsEnv): Role {
  if (!ROLE_ARN.test(roleArn)) throw stsError('InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.', 400);
  // seed of the rule: STS's error table, "^[a-zA-Z0-9.@\-_]+$", 2 to 64 characters
  if (!/^[a-zA-Z0-9.@\-_]{2,64}$/.test(session)) throw stsError('InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.', 400);
  const role = env.setup.roles.find((r) => r.arn === roleArn);
  if (!role) throw stsError('EntityNotExist.Role', `The specified Role not exists: ${roleArn}.`, 404);
  return role;
}

/** DurationSeconds: a whole number between the role's least and most (default 3600, or the role's most when lower). */
function durationOf(text: string | undefined, role: Role): number {
  if (text === undefined || text === '') return Math.min(3600, role.maxSessionDuration);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < role.minSessionDuration || n > role.maxSessionDuration) {
    throw stsError(
      'InvalidParameter.DurationSeconds',
      `The Min/Max value of DurationSeconds is ${span(role.minSessionDuration)}/${span(role.maxSessionDuration)}.`,
      400,
    );
  }
  return n;
}

function span(sec: number): string {
  if (sec % 3600 === 0) return `${sec / 3600}hr`;
  if (sec % 60 === 0) return `${sec / 60}min`;
  return `${sec}s`;
}

const READ_ACTION = /^voicebot:(List|Describe|Query|Get|Export|CreateDownloadUrl)/;

/**
 * A session policy narrows the role: a key whose policy allows no Voice Navigator action that
 * writes is read-only. (The emulator knows two access levels; docs/emulator.md.)
 */
function sessionAccess(policyText: string | undefined, roleAccess: Policy): Policy {
  if (policyText === undefined || policyText === '') return roleAccess;
  const grammar = () => stsError('InvalidParameter.PolicyGrammar', 'The parameter Policy has not passed grammar check.', 400);
  if (policyText.length > 2048) throw grammar();
  let doc: unknown;
  try {
    doc = JSON.parse(policyText);
  } catch {
    throw grammar();
  }
  const statements = (doc as { Statement?: unknown } | null)?.Statement;
  if (!Array.isArray(statements)) throw grammar();
  let writes = false;
  for (const s of statements as Record<string, unknown>[]) {
    if (typeof s !== 'object' || s === null || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) throw grammar();
    const actions = typeof s.Action === 'string' ? [s.Action] : s.Action;
    if (!Array.isArray(actions) || actions.some((a) => typeof a !== 'string')) throw grammar();
    if (s.Effect !== 'Allow') continue;
    for (const a of actions as string[]) {
      if (a === '*' || a === 'voicebot:*' || (a.startsWith('voicebot:') && !READ_ACTION.test(a))) writes = true;
    }
  }
  return writes ? roleAccess : 'readonly';
}

function required(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw stsError(`Missing${name}`, `${name} is mandatory for this action.`, 400);
  return v;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function alnum(n: number): string {
  const bytes = randomBytes(n * 2);
  let out = '';
  for (let i = 0; out.length < n && i < bytes.length; i++) {
    const b = bytes[i] as number;
    // rejection sampling keeps each character equally likely
    if (b < 248) out += ALNUM[b % 62];
  }
  return out.length === n ? out : out + alnum(n - out.length);
}

/** UTC, seconds precision, as STS writes Expiration. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function numericId(seed: string): string {
  const n = BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 15)}`) % 10n ** 15n;
  return `2${n.toString().padStart(15, '0')}`;
}
