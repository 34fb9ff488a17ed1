import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { signV1 } from '../../src/client/sign-v1.js';
import { authorizationV3, parseAuthorizationV3, sha256Hex } from '../../src/client/sign-v3.js';

// The official SDK's own signing utilities: an implementation independent of ours.
const require = createRequire(import.meta.url);
const Utils = require('@alicloud/openapi-core/dist/utils.js').default as {
  getAuthorization(req: unknown, alg: string, payload: string, ak: string, secret: string): string;
  getRPCSignature(params: Record<string, string>, method: string, secret: string): string;
};

describe('V3 (ACS3-HMAC-SHA256) signing', () => {
  it('matches @alicloud/openapi-core for query values with Chinese text, spaces and reserved characters', () => {
    const headers = {
      host: '127.0.0.1:8080',
      'x-acs-action': 'DebugDialogue',
      'x-acs-version': '2018-06-12',
      'x-acs-date': '2026-11-25T10:00:00Z',
      'x-acs-signature-nonce': 'a3c1d2e4-0000-4000-8000-000000000001',
      'x-acs-content-sha256': sha256Hex(''),
      'x-acs-security-token': 'CAIS/sts+token==',
    };
    const query = { InstanceId: 'i-1', Utterance: '我想查 余额*~/+&=', ConversationId: 'c 1' };
    const ours = authorizationV3({ method: 'POST', pathname: '/', query, headers, payloadHash: headers['x-acs-content-sha256'] }, 'ak-id', 'sk-secret');
    const official = Utils.getAuthorization(
      { pathname: '/', method: 'POST', query, headers },
      'ACS3-HMAC-SHA256',
      headers['x-acs-content-sha256'],
      'ak-id',
      'sk-secret',
    );
    expect(ours).toBe(official);
    expect(parseAuthorizationV3(ours)).toMatchObject({ accessKeyId: 'ak-id', algorithm: 'ACS3-HMAC-SHA256' });
  });

  it('changes when any signed header or query value changes', () => {
    const base = { method: 'GET', query: { A: '1' }, headers: { host: 'h', 'x-acs-date': 'd' }, payloadHash: sha256Hex('') };
    const sig = authorizationV3(base, 'k', 's');
    expect(authorizationV3({ ...base, query: { A: '2' } }, 'k', 's')).not.toBe(sig);
    expect(authorizationV3({ ...base, headers: { host: 'h2', 'x-acs-date': 'd' } }, 'k', 's')).not.toBe(sig);
  });
});

describe('V1 against the official SDK', () => {
  it('matches @alicloud/openapi-core getRPCSignature', () => {
    const params = { Action: 'CreateInstance', Name: '测试 场景*~', Concurrency: '3', SecurityToken: 'tok+/=', Timestamp: '2026-11-25T10:00:00Z' };
    for (const m of ['GET', 'POST']) expect(signV1(m, params, 'sk')).toBe(Utils.getRPCSignature(params, m, 'sk'));
  });
});
