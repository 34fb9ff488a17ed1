/**
 * The one redaction filter. Everything vn prints (stdout, stderr, --debug traces, --dry-run,
 * error messages, text the server echoes back) passes through `redact()` in Context, so a secret
 * never reaches a terminal or a log, whatever path it took: a SignatureDoesNotMatch message that
 * quotes the string to sign (with the STS token in it, percent-encoded twice), a trace of a
 * request whose parameters include `SecretKey`, a shell error quoting a flag.
 *
 * Two nets: the values this process knows to be secret (the AccessKey secret, the STS token, the
 * values of secret-like parameters it sends), in every encoding they travel in; and the names of
 * secret-like parameters, whatever their value.
 */
export const REDACTED = '<redacted>';

/**
 * Parameter names whose values are secrets (exact, case-sensitive: `AccessKey` is not `AccessKeyId`).
 * An `AppKey` is not among them: it names a speech project (it is in every client app and in an
 * instance's exported configuration, which must round-trip), and authenticates nothing alone.
 */
export const SECRET_PARAM_NAMES: readonly string[] = ['AccessKeySecret', 'SecurityToken', 'SecretKey', 'AccessKey', 'Password'];

/** True for a parameter (or field) name whose value must not be shown. */
export function isSecretName(name: string): boolean {
  return SECRET_PARAM_NAMES.includes(name) || /secret|password|token$/i.test(name);
}

/** Shorter values are not registered: redacting every "ab" in the output would mangle it. */
const MIN_SECRET_LENGTH = 6;

const known = new Set<string>();
let knownRe: RegExp | undefined;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * RFC 3986 percent-encoding, as the signer sends a value (client/encode.ts's percentEncode; a test
 * checks the two agree). Written here so that the redaction filter stays a leaf that imports nothing.
 */
export function wireEncode(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Every form a value takes on the wire and in echoed text. */
function encodings(v: string): string[] {
  const once = wireEncode(v);
  const json = JSON.stringify(v).slice(1, -1);
  return [v, once, wireEncode(once), encodeURIComponent(v), encodeURIComponent(once), json, json.replace(/\//g, '\\/'), xmlEscape(v)];
}

/** Marks a value as secret for the rest of the process (credentials, secret-like parameters). */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  let added = false;
  for (const e of encodings(value)) {
    if (e.length >= MIN_SECRET_LENGTH && !known.has(e)) {
      known.add(e);
      added = true;
    }
  }
  if (added) knownRe = undefined;
}

/** Registers the values of the secret-like parameters among `params`. */
export function registerSecretParams(params: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(params)) if (isSecretName(k) && (typeof v === 'string' || typeof v === 'number')) registerSecret(String(v));
}

const NAMES = SECRET_PARAM_NAMES.join('|');
// A value already masked (whole or in parts: the known-value pass runs first, and text is filtered
// again on its way out) is taken in with the rest of the value, so it comes out masked once.
const MASKED = escapeRe(REDACTED);
// Name=value in a query, a form or a string to sign, once (=), twice (%3D) or three times (%253D)
// percent-encoded; the value ends where the pair does (&, %26, %2526), at white space or a quote.
const BY_NAME: [RegExp, string][] = [
  [new RegExp(`(^|[^A-Za-z0-9])(${NAMES})=(?:${MASKED}|[^&\\s"'<>])*`, 'g'), `$1$2=${REDACTED}`],
  [new RegExp(`(^|[^A-Za-z0-9]|%26)(${NAMES})%3D(?:${MASKED}|(?!%26)[^&\\s"'<>])*`, 'gi'), `$1$2%3D${REDACTED}`],
  [new RegExp(`(^|[^A-Za-z0-9]|%2526)(${NAMES})%253D(?:${MASKED}|(?!%2526)[^&\\s"'<>])*`, 'gi'), `$1$2%253D${REDACTED}`],
  // JSON and XML fields, and the V3 header
  [/"(AccessKeySecret|SecurityToken|SecretKey|AccessKey)"(\s*):(\s*)"(?:[^"\\]|\\.)*"/g, `"$1"$2:$3"${REDACTED}"`],
  [/<(AccessKeySecret|SecurityToken|SecretKey|AccessKey)>[^<]*<\/\1>/g, `<$1>${REDACTED}</$1>`],
  [/(x-acs-security-token)(\s*[:=]\s*)[^\s,;"']+/gi, `$1$2${REDACTED}`],
];

/**
 * The text with only the values this process knows to be secret replaced by <redacted> (the
 * profile's AccessKey secret and STS token, the secret-like parameters it sent), never a pattern:
 * for data that must keep its values, such as an exported configuration (`AccessKey=1234567` in a
 * greeting is the greeting's text, not a credential).
 */
export function redactKnown(text: string): string {
  if (text.length === 0 || known.size === 0) return text;
  knownRe ??= new RegExp(
    [...known]
      .sort((a, b) => b.length - a.length)
      .map(escapeRe)
      .join('|'),
    'g',
  );
  return text.replace(knownRe, REDACTED);
}

/** The text with every known secret and every secret-like parameter's value replaced by <redacted>. */
export function redact(text: string): string {
  if (text.length === 0) return text;
  let out = redactKnown(text);
  for (const [re, to] of BY_NAME) {
    re.lastIndex = 0;
    if (re.test(out)) {
      re.lastIndex = 0;
      out = out.replace(re, to);
    }
  }
  return out;
}

/**
 * A filter for a part of vn that knows secrets of its own without making them the whole process's
 * (the emulator's access key secrets and STS tokens, for its inspector): those values in every
 * encoding they travel in, then `redact()`.
 */
export function redactorFor(values: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const v of values) {
    if (v.length < MIN_SECRET_LENGTH) continue;
    for (const e of encodings(v)) if (e.length >= MIN_SECRET_LENGTH) forms.add(e);
  }
  if (forms.size === 0) return redact;
  const own = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRe)
      .join('|'),
    'g',
  );
  return (text) => redact(text.replace(own, REDACTED));
}

/** For tests: forget every registered value. */
export function forgetSecrets(): void {
  known.clear();
  knownRe = undefined;
}
