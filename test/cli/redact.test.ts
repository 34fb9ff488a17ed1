import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactKnown, registerSecret } from '../../src/redact.js';

describe('the redaction filter', () => {
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

  it('a known value under a secret-like name is one <redacted>, not one per net', () => {
    registerSecret('sts-token-Twice42');
    expect(redact('GET&%2F&SecurityToken%3Dsts-token-Twice42%26Timestamp%3D1')).toBe(`GET&%2F&SecurityToken%3D${REDACTED}%26Timestamp%3D1`);
    expect(redact('SecurityToken=sts-token-Twice42&A=1')).toBe(`SecurityToken=${REDACTED}&A=1`);
  });

  it('leaves short values and plain text alone', () => {
    registerSecret('ab');
    expect(redact('ab cab tab')).toBe('ab cab tab');
    const plain = '客服热线 instance i-1 created';
    expect(redact(plain)).toBe(plain);
  });
});
