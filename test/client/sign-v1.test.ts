import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalQuery, percentEncode } from '../../src/client/encode.js';
import { signV1, stringToSignV1 } from '../../src/client/sign-v1.js';

/** An independent hand computation of the seed's 签名机制: no code shared with src/. */
function handSign(method: string, params: Record<string, string>, secret: string): string {
  const enc = (s: string) =>
    Array.from(new TextEncoder().encode(s))
      .map((b) => {
        const c = String.fromCharCode(b);
        return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      })
      .join('');
  const canon = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k] as string)}`)
    .join('&');
  const sts = `${method}&${enc('/')}&${enc(canon)}`;
  return createHmac('sha1', `${secret}&`).update(sts).digest('base64');
}

describe('percentEncode (seed: 签名机制 1.b)', () => {
  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ['/', '%2F'],
    ['+', '%2B'],
    ['&', '%26'],
    ['=', '%3D'],
    ["!'()", '%21%27%28%29'],
    ['A-z_0.9', 'A-z_0.9'],
    ['智能', '%E6%99%BA%E8%83%BD'],
  ])('%j → %s', (input, out) => {
    expect(percentEncode(input)).toBe(out);
  });
});

describe('signV1', () => {
  it('reproduces the signature the seed prints — which belongs to the classic ECS DescribeRegions example, not the BeginDialogue URL beside it', () => {
    // The seed shows OLeaidS1jvxuMvnyHOwuj+uX5qY= (OCR lower-cased two J's). It is the signature of
    // Action=DescribeRegions, Version=2014-05-26 with these common parameters; with
    // Action=BeginDialogue and Version=2018-06-12 the same key gives another value.
    const params = {
      Timestamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    expect(stringToSignV1('GET', params)).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(signV1('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    const seedUrl = { ...params, Action: 'BeginDialogue', Version: '2018-06-12' };
    expect(signV1('GET', seedUrl, 'testsecret')).not.toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(signV1('GET', seedUrl, 'testsecret')).toBe(handSign('GET', seedUrl, 'testsecret'));
  });

  it('agrees with the hand computation on reserved characters, Chinese text and an STS token', () => {
    const params = {
      Action: 'DebugDialogue',
      Utterance: '我想查 余额*~/+&=',
      'Options.1': 'a b',
      SecurityToken: 'CAIS+token/with==',
      AccessKeyId: 'ak',
      Signature: 'ignored',
    };
    for (const method of ['GET', 'POST']) {
      expect(signV1(method, params, 'sec ret')).toBe(handSign(method, params, 'sec ret'));
    }
  });

  it('canonicalQuery sorts by name and never uses +', () => {
    expect(canonicalQuery({ b: 'x y', a: '1', B: '*' })).toBe('B=%2A&a=1&b=x%20y');
  });

  it('the string to sign leaves Signature out wherever it sorts, and leaves the parameters as they were', () => {
    const params = { Signature: 'sig', Action: 'A', Version: 'v', Z: '', a: 'x' };
    const before = JSON.stringify(params);
    expect(stringToSignV1('get', params)).toBe(`GET&%2F&${encodeURIComponent('Action=A&Version=v&Z=&a=x')}`);
    expect(stringToSignV1('GET', { Signature: 'only' })).toBe('GET&%2F&');
    expect(canonicalQuery({ Signature: 's', Action: 'A' }, 'Signature')).toBe('Action=A');
    expect(JSON.stringify(params)).toBe(before);
  });
});
