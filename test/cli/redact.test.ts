import { describe, expect, it } from 'vitest';
import { percentEncode } from '../../src/client/encode.js';
import { REDACTED, redact, redactKnown, registerSecret, wireEncode } from '../../src/redact.js';
import { runVn } from '../helpers/run.js';

describe('the redaction filter', () => {
  it('encodes a value as the signer sends it (its own copy, so that it stays a leaf)', () => {
    for (const v of ["a b!'()*~", 'tok/en+va=lue', '中文&%', '-_.~', '']) {
      expect(wireEncode(v)).toBe(percentEncode(v));
      expect(wireEncode(wireEncode(v))).toBe(percentEncode(percentEncode(v)));
    }
  });

  it('hides a registered value in every encoding it travels in', () => {
    const v = 'tok/en+va=lue~x';
    registerSecret(v);
    const once = encodeURIComponent(v);
    const twice = encodeURIComponent(once);
    for (const text of [v, once, twice, JSON.stringify(v)]) expect(redact(`before ${text} after`)).not.toMatch(/tok|%2F|%252F/);
    expect(redact(`a ${v} b`)).toBe(`a ${REDACTED} b`);
  });

  it('hides secret-like parameters by name whatever their value, and keeps the rest', () => {
    const q = 'AccessKeyId=LTAI123&AppKey=k1&SecretKey=s1&Signature=abc%3D&SecurityToken=t1&Text=hi';
    expect(redact(q)).toBe(`AccessKeyId=LTAI123&AppKey=k1&SecretKey=${REDACTED}&Signature=abc%3D&SecurityToken=${REDACTED}&Text=hi`);
    // the string to sign: pairs encoded once more (%3D, %26)
    expect(redact('GET&%2F&AccessKey%3Dak9%26AccessKeyId%3DLTAI%26SecurityToken%3Dabc%252Bdef%26Timestamp%3D1')).toBe(
      `GET&%2F&AccessKey%3D${REDACTED}%26AccessKeyId%3DLTAI%26SecurityToken%3D${REDACTED}%26Timestamp%3D1`,
    );
    expect(redact('{"SecretKey": "s\\"1", "Name": "n"}')).toBe(`{"SecretKey": "${REDACTED}", "Name": "n"}`);
    expect(redact('<SecurityToken>abc</SecurityToken><Name>n</Name>')).toBe(`<SecurityToken>${REDACTED}</SecurityToken><Name>n</Name>`);
    expect(redact('x-acs-security-token: abc')).toBe(`x-acs-security-token: ${REDACTED}`);
  });

  it('redactKnown masks the known secret values only, never a secret-looking pattern (an export keeps its text)', () => {
    registerSecret('sts-token-Known9');
    const text = 'greeting: 请报 AccessKey=1234567\nparams: {"AccessKey": "abc", "SecretKey": "s1"}\ntoken: sts-token-Known9\n';
    expect(redactKnown(text)).toBe(`greeting: 请报 AccessKey=1234567\nparams: {"AccessKey": "abc", "SecretKey": "s1"}\ntoken: ${REDACTED}\n`);
    expect(redact(text)).not.toContain('1234567');
  });

  it('leaves short values and plain text alone', () => {
    registerSecret('ab');
    expect(redact('ab cab tab')).toBe('ab cab tab');
    const plain = '客服热线 instance i-1 created';
    expect(redact(plain)).toBe(plain);
  });
});

describe('an STS token is masked once, however many passes the text takes', () => {
  it('a known token after its name comes out as one <redacted>, in every encoding of the pair', () => {
    const token = 'CAIS+sts/Token==Once9';
    registerSecret(token);
    const once = encodeURIComponent(token);
    for (const [text, want] of [
      [`a=1&SecurityToken=${once}&b=2`, `a=1&SecurityToken=${REDACTED}&b=2`],
      [`a%3D1%26SecurityToken%3D${encodeURIComponent(once)}%26b%3D2`, `a%3D1%26SecurityToken%3D${REDACTED}%26b%3D2`],
      [`SecurityToken=${token} next`, `SecurityToken=${REDACTED} next`],
    ] as const) {
      expect(redact(text)).toBe(want);
      // the writer filters text that was filtered before (an error message, a trace line): no repeats
      expect(redact(redact(redact(text)))).toBe(want);
    }
    // what an earlier version printed is tidied too
    expect(redact(`SecurityToken=${REDACTED}${REDACTED}${REDACTED}&x=1`)).toBe(`SecurityToken=${REDACTED}&x=1`);
  });

  it('vn --dry-run with an STS token shows SecurityToken=<redacted> once', async () => {
    const r = await runVn(['--dry-run', '--endpoint', 'http://127.0.0.1:9', 'instance', 'list'], {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tDRYRUN',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'dry-run-secret-1',
        ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIS+dry/run==token7',
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).toContain(`SecurityToken=${REDACTED}&`);
    expect(all).not.toContain(`${REDACTED}${REDACTED}`);
    expect(all).not.toMatch(/CAIS|dry%2Frun/);
  });
});
