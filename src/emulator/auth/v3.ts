import { canonicalRequestV3, parseAuthorizationV3, sha256Hex, signatureV3, V3_ALGORITHM, type V3Input } from '../../client/sign-v3.js';
import { ApiError } from '../errors.js';
import { type Authentication, header, type IncomingSigned, type SignatureScheme, same, signatureMismatch } from './types.js';

/**
 * Signature V3 (ACS3-HMAC-SHA256): the Authorization header over the client's own canonical
 * request (client/sign-v3.ts), so the emulator verifies exactly what vn signs.
 */
export const v3: SignatureScheme = {
  name: 'v3',
  claims: (req) => header(req.headers, 'authorization')?.startsWith('ACS3-') === true,
  parse(req: IncomingSigned): Authentication {
    const parsed = parseAuthorizationV3(header(req.headers, 'authorization') ?? '');
    if (!parsed) throw new ApiError('InvalidAuthorization', 'The Authorization header is malformed.', 400);
    if (parsed.algorithm !== V3_ALGORITHM) {
      throw new ApiError('InvalidSignatureMethod', `Specified signature algorithm ${parsed.algorithm} is not supported.`, 400);
    }
    const h = (n: string) => header(req.headers, n);
    const action = h('x-acs-action') ?? req.params.Action;
    if (!action) throw new ApiError('MissingAction', 'Action is mandatory for this action.', 400);
    const version = h('x-acs-version') ?? req.params.Version;
    if (!version) throw new ApiError('MissingVersion', 'Version is mandatory for this action.', 400);
    const date = h('x-acs-date');
    if (!date) throw new ApiError('MissingDate', 'x-acs-date is mandatory for this action.', 400);
    const nonce = h('x-acs-signature-nonce');
    if (!nonce) throw new ApiError('MissingSignatureNonce', 'x-acs-signature-nonce is mandatory for this action.', 400);
    const contentHash = h('x-acs-content-sha256');
    if (contentHash && contentHash !== req.bodyHash()) {
      throw new ApiError('SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the body.', 400);
    }
    // "除Authorization外的所有公共请求头，只要存在必须被加入签名": every x-acs-* header sent, host,
    // and the content type of a body must be signed, so none of them can be changed on the way
    const signed = new Set(parsed.signedHeaders);
    const mustSign = ['host', 'x-acs-date', 'x-acs-signature-nonce'];
    for (const name of Object.keys(req.headers)) {
      const lower = name.toLowerCase();
      if (lower.startsWith('x-acs-') || (lower === 'content-type' && req.hasBody)) mustSign.push(lower);
    }
    for (const required of mustSign) {
      if (!signed.has(required)) {
        throw new ApiError('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. The header ${required} must be signed.`, 400);
      }
    }
    return {
      scheme: v3,
      accessKeyId: parsed.accessKeyId,
      action,
      version,
      nonce,
      time: date,
      timeName: 'x-acs-date',
      securityToken: h('x-acs-security-token'),
      signature: parsed.signature,
      signedHeaders: parsed.signedHeaders,
      payloadHash: contentHash,
    };
  },
  verify(req, auth, key) {
    const signedHeaders = auth.signedHeaders ?? [];
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = header(req.headers, name) ?? '';
    const input: V3Input = { method: req.method, pathname: '/', query: req.query, headers, payloadHash: auth.payloadHash ?? req.bodyHash(), signedHeaders };
    if (!same(signatureV3(input, key.secret), auth.signature)) {
      const canonical = canonicalRequestV3(input);
      throw signatureMismatch(stringToSignV3(canonical), canonical);
    }
  },
};

/** ACS3-HMAC-SHA256's string to sign: the algorithm and the hex SHA-256 of the canonical request. */
function stringToSignV3(canonicalRequest: string): string {
  return `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}
