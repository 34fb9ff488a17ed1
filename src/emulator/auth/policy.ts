import type { ActionSpec } from '../../api/types.js';
import { ApiError } from '../errors.js';
import type { Policy } from './types.js';

/**
 * seed: 授权 (RAM) — AliyunVoicebotReadOnlyAccess allows voicebot:List*, voicebot:Describe*,
 * voicebot:Query and voicebot:Export. "Query" and "Export" carry no wildcard in the seed; read
 * literally they name no action, so we take them as the prefixes they evidently mean (Query*,
 * Export*: exporting only reads data). Get* is added because GetAsrConfig and
 * GetRealTimeConcurrency only read; every other action needs AliyunVoicebotFullAccess.
 * CreateDownloadUrl only reads an export's file and is allowed too. (docs/emulator.md)
 */
export function allowedByPolicy(policy: Policy, action: ActionSpec): boolean {
  if (policy === 'full') return true;
  return /^(List|Describe|Query|Get|Export)/.test(action.name) || action.name === 'CreateDownloadUrl';
}

/** The account every emulated key belongs to (AccessDeniedDetail.AuthPrincipalOwnerId). */
export const EMULATOR_ACCOUNT_ID = '1000000000000000';

/**
 * Forbidden.RAM as the gateway answers it, with its AccessDeniedDetail: which policy type denied
 * which action to which principal. The emulator's keys stand for RAM users (SubUser) of one
 * account, their policies attached to the user (AccountLevelIdentityBasedPolicy); nothing allows
 * the action, so the denial is implicit. EncodedDiagnosticMessage is base64 of that same detail as
 * JSON (the real one is opaque, decoded by RAM's DecodeDiagnosticMessage). (docs/emulator.md)
 */
export function forbidden(action: string, accessKeyId: string, principal: Principal = { type: 'SubUser', displayName: accessKeyId }): ApiError {
  const authAction = `voicebot:${action}`;
  const diagnostic = {
    AuthAction: authAction,
    AuthResource: '*',
    AuthPrincipalType: principal.type,
    AuthPrincipalDisplayName: principal.displayName,
    ExplicitDeny: false,
  };
  return new ApiError('Forbidden.RAM', `User not authorized to operate on the specified resource, or this API doesn't support RAM. (${authAction})`, 403, {
    AccessDeniedDetail: {
      AuthAction: authAction,
      AuthPrincipalDisplayName: principal.displayName,
      AuthPrincipalOwnerId: EMULATOR_ACCOUNT_ID,
      AuthPrincipalType: principal.type,
      EncodedDiagnosticMessage: Buffer.from(JSON.stringify(diagnostic)).toString('base64'),
      NoPermissionType: 'ImplicitDeny',
      PolicyType: 'AccountLevelIdentityBasedPolicy',
    },
  });
}

/** Who was denied: a RAM user (a long-lived key), or a role session (a key the emulated STS issued: `role:session`). */
export interface Principal {
  type: 'SubUser' | 'AssumedRoleUser';
  displayName: string;
}

/** Refuses, with Forbidden.RAM, an action the key's policy does not allow. */
export function checkPolicy(policy: Policy, action: ActionSpec, accessKeyId: string, principal?: Principal): void {
  if (!allowedByPolicy(policy, action)) throw forbidden(action.name, accessKeyId, principal);
}
