import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Policy } from '../auth/types.js';

/**
 * The RAM roles and OIDC providers the emulated STS knows (`--role`, `--roles FILE`,
 * `--oidc-provider`): who may assume each role (its trust), what it may do (full or read-only) and
 * how long its sessions may last. (docs/emulator.md, "STS and the metadata service")
 */

export interface Role {
  /** acs:ram::<account>:role/<name> */
  arn: string;
  /** The role's name as the ARN spells it (AssumedRoleUser.Arn lower-cases it). */
  name: string;
  accountId: string;
  /** RoleId: a number derived from the ARN, stable across runs. */
  roleId: string;
  policy: Policy;
  /** Seconds: the most DurationSeconds may ask for (RAM's MaxSessionDuration, 3600..43200). */
  maxSessionDuration: number;
  /** Seconds: the least DurationSeconds may ask for (900 at STS; lower here for tests). */
  minSessionDuration: number;
  /** Who may assume it: access key ids ('*': any of the emulator's), role ARNs (chaining), OIDC provider ARNs. */
  trust: { accessKeys: string[]; roles: string[]; oidcProviders: string[] };
  /** When set, AssumeRole must carry this ExternalId (the trust policy's sts:ExternalId condition). */
  externalId?: string;
}

export interface OidcProvider {
  /** acs:ram::<account>:oidc-provider/<name> */
  arn: string;
  issuer: string;
  /** The client ids (aud) it accepts. */
  audiences: string[];
}

export interface StsSetup {
  roles: Role[];
  oidcProviders: OidcProvider[];
  /** The role the metadata service hands out (by name); the first role when unset. */
  metadataRole?: string;
}

export const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([A-Za-z0-9.\-_]{1,64})$/;
export const OIDC_PROVIDER_ARN = /^acs:ram::(\d{1,32}):oidc-provider\/([A-Za-z0-9.\-_]{1,128})$/;
export const STS_MIN_DURATION = 900;
export const STS_DEFAULT_MAX_DURATION = 3600;
export const STS_MAX_DURATION = 43200;

/** A problem with the roles given; `vn emulator start` turns it into a usage error. */
export class RoleConfigError extends Error {}

export function roleIdOf(arn: string): string {
  // 18 digits, as RAM's RoleIds are
  const n = BigInt(`0x${createHash('sha256').update(arn).digest('hex').slice(0, 15)}`) % 10n ** 17n;
  return `3${n.toString().padStart(17, '0')}`;
}

interface RoleInput {
  arn: unknown;
  access?: unknown;
  maxSessionDuration?: unknown;
  minSessionDuration?: unknown;
  trust?: { accessKeys?: unknown; roles?: unknown; oidcProviders?: unknown; externalId?: unknown };
}

/** A role from its parts; `minDuration` (seconds) is the emulator-wide floor (`--sts-min-duration`). */
export function makeRole(input: RoleInput, where: string, minDuration = STS_MIN_DURATION): Role {
  const arn = String(input.arn ?? '');
  const m = ROLE_ARN.exec(arn);
  if (!m) throw new RoleConfigError(`${where}: "${arn}" is not a role ARN (acs:ram::<account id>:role/<name>)`);
  const access = input.access ?? 'full';
  if (access !== 'full' && access !== 'readonly') throw new RoleConfigError(`${where}: access must be full or readonly, not "${String(access)}"`);
  const max = input.maxSessionDuration === undefined ? STS_DEFAULT_MAX_DURATION : Number(input.maxSessionDuration);
  if (!Number.isInteger(max) || max < 1 || max > STS_MAX_DURATION)
    throw new RoleConfigError(`${where}: maxSessionDuration must be a whole number of seconds up to ${STS_MAX_DURATION}`);
  const min = input.minSessionDuration === undefined ? Math.min(minDuration, max) : Number(input.minSessionDuration);
  if (!Number.isInteger(min) || min < 1 || min > max)
    throw new RoleConfigError(`${where}: minSessionDuration must be whole seconds between 1 and maxSessionDuration`);
  const list = (v: unknown, name: string, pattern?: RegExp): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new RoleConfigError(`${where}: trust.${name} must be a list of strings`);
    for (const x of v as string[])
      if (pattern && x !== '*' && !pattern.test(x)) throw new RoleConfigError(`${where}: trust.${name}: "${x}" is not an ARN of that kind`);
    return v as string[];
  };
  const trust = input.trust ?? { accessKeys: ['*'], roles: ['*'], oidcProviders: ['*'] };
  const externalId = 'externalId' in trust && trust.externalId !== undefined ? String(trust.externalId) : undefined;
  return {
    arn,
    name: m[2] as string,
    accountId: m[1] as string,
    roleId: roleIdOf(arn),
    policy: access,
    maxSessionDuration: max,
    minSessionDuration: min,
    trust: {
      accessKeys: list(trust.accessKeys, 'accessKeys'),
      roles: list(trust.roles, 'roles', ROLE_ARN),
      oidcProviders: list(trust.oidcProviders, 'oidcProviders', OIDC_PROVIDER_ARN),
    },
    ...(externalId !== undefined ? { externalId } : {}),
  };
}

/** `--role ARN[:readonly]` (or `:full`): trusted by every key, role and OIDC provider of the emulator. */
export function roleFromFlag(text: string, minDuration?: number): Role {
  let arn = text;
  let access = 'full';
  const suffix = /:(readonly|full)$/.exec(text);
  if (suffix) {
    arn = text.slice(0, suffix.index);
    access = suffix[1] as string;
  }
  return makeRole({ arn, access }, '--role', minDuration);
}

/** `--oidc-provider ARN,issuer=URL,audience=AUD[,audience=AUD…]` */
export function oidcProviderFromFlag(text: string): OidcProvider {
  const [arn = '', ...parts] = text.split(',');
  const fields: { issuer?: string; audiences: string[] } = { audiences: [] };
  for (const part of parts) {
    const i = part.indexOf('=');
    const key = i < 0 ? part : part.slice(0, i);
    const value = i < 0 ? '' : part.slice(i + 1);
    if (key === 'issuer') fields.issuer = value;
    else if (key === 'audience' || key === 'aud') fields.audiences.push(value);
    else throw new RoleConfigError(`--oidc-provider: unknown field "${key}" (issuer=URL, audience=CLIENT_ID)`);
  }
  return makeOidcProvider({ arn, issuer: fields.issuer, audiences: fields.audiences }, '--oidc-provider');
}

function makeOidcProvider(input: { arn: unknown; issuer: unknown; audiences: unknown }, where: string): OidcProvider {
  const arn = String(input.arn ?? '');
  if (!OIDC_PROVIDER_ARN.test(arn)) throw new RoleConfigError(`${where}: "${arn}" is not an OIDC provider ARN (acs:ram::<account id>:oidc-provider/<name>)`);
  const issuer = typeof input.issuer === 'string' ? input.issuer : '';
  if (!/^https?:\/\/\S+$/.test(issuer)) throw new RoleConfigError(`${where}: issuer must be a URL (e.g. https://token.actions.githubusercontent.com)`);
  const audiences = input.audiences;
  if (!Array.isArray(audiences) || audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === ''))
    throw new RoleConfigError(`${where}: give at least one audience (the client id the tokens carry in aud)`);
  return { arn, issuer, audiences: audiences as string[] };
}

/**
 * A roles file (YAML or JSON):
 *   roles: [{ arn, access: full|readonly, maxSessionDuration, minSessionDuration, trust: { accessKeys, roles, oidcProviders } }]
 *   oidcProviders: [{ arn, issuer, audiences }]
 *   metadataRole: <role name>
 */
export function loadRolesFile(file: string, minDuration?: number): StsSetup {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RoleConfigError(`--roles ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
  } catch (e) {
    throw new RoleConfigError(`--roles ${file}: not YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new RoleConfigError(`--roles ${file}: expected a map with roles and oidcProviders`);
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!['roles', 'oidcProviders', 'metadataRole'].includes(key))
      throw new RoleConfigError(`--roles ${file}: unknown key "${key}" (roles, oidcProviders, metadataRole)`);
  }
  const asList = (v: unknown, name: string): Record<string, unknown>[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null)) throw new RoleConfigError(`--roles ${file}: ${name} must be a list of maps`);
    return v as Record<string, unknown>[];
  };
  const roles = asList(d.roles, 'roles').map((r, i) => makeRole(r as unknown as RoleInput, `--roles ${file}: roles[${i}]`, minDuration));
  const oidcProviders = asList(d.oidcProviders, 'oidcProviders').map((p, i) =>
    makeOidcProvider({ arn: p.arn, issuer: p.issuer, audiences: p.audiences }, `--roles ${file}: oidcProviders[${i}]`),
  );
  const metadataRole = d.metadataRole === undefined ? undefined : String(d.metadataRole);
  return { roles, oidcProviders, ...(metadataRole !== undefined ? { metadataRole } : {}) };
}

/** Whether `principal` (an access key id, a role ARN, an OIDC provider ARN) may assume `role`. */
export function trusts(role: Role, kind: keyof Role['trust'], principal: string): boolean {
  const list = role.trust[kind];
  return list.includes('*') || list.includes(principal);
}
