import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { canonicalQuery, percentEncode } from '../../src/client/encode.js';
import { signV1, stringToSignV1, timestampV1 } from '../../src/client/sign-v1.js';
import { firstDifference, type LoggedRequest, RequestLog, type WatchedRequest } from '../../src/emulator/inspect/request-log.js';
import { ServiceError } from '../../src/errors.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn, tempDir } from '../helpers/run.js';

const STS_TOKEN = 'sts-token-Inspect-0123456789';
const files = tempDir('vn-inspect-');
afterAll(() => files.cleanup());

/** A marker server: any hit means a hostile script or element reached the network. */
let marker: Server;
let markerHits: string[] = [];
let markerUrl = '';

/** Bot answers that run script or add an element wherever they land unescaped. */
function hostileAnswer(): string {
  return (
    `<script>document.title='pwned';fetch('${markerUrl}/script')</script>` +
    `<img src="${markerUrl}/img" onerror="document.title='pwned-img';fetch('${markerUrl}/onerror')"><b id="injected">x</b>`
  );
}

let emu: TestEmulator;

beforeAll(async () => {
  marker = createServer((req, res) => {
    markerHits.push(req.url ?? '');
    res.end('');
  });
  await new Promise<void>((r) => marker.listen(0, '127.0.0.1', r));
  markerUrl = `http://127.0.0.1:${(marker.address() as AddressInfo).port}`;
  const chatbots = join(files.dir, 'hostile.yaml');
  writeFileSync(
    chatbots,
    [
      'chatbots:',
      '  - id: chatbot-hostile',
      '    name: hostile',
      '    createTime: 1600000000000',
      '    intents:',
      '      - name: attack',
      '        examples: [attack]',
      `        answer: ${JSON.stringify(hostileAnswer())}`,
      '',
    ].join('\n'),
  );
  emu = await startTestEmulator({ chatbotsFile: chatbots, stsTokens: [{ token: STS_TOKEN, accessKeyId: TEST_KEY.id }] });
});
afterAll(async () => {
  await emu?.stop();
  await new Promise<void>((r) => marker.close(() => r()));
});

function client(secret = TEST_KEY.secret, signatureVersion: 'v1' | 'v3' = 'v1'): Client {
  return new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: secret }, retries: 0, validate: false, signatureVersion });
}

async function call(action: ActionName, params: Record<string, unknown>, c = client()): Promise<Record<string, unknown>> {
  return (await c.call(action, params)).data;
}

async function failure(action: ActionName, params: Record<string, unknown>, c = client()): Promise<ServiceError> {
  try {
    await c.call(action, params);
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error(`${action} succeeded`);
}

async function requests(query = ''): Promise<LoggedRequest[]> {
  const res = await fetch(`${emu.url}/_vn/requests${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { requests: LoggedRequest[] }).requests;
}

/** A V1 request signed over `signed` but sent with `sent` (a request changed on the way), optionally telling its string to sign. */
async function tampered(signed: Record<string, string>, sent: Record<string, string>, tell: boolean): Promise<Response> {
  const common = {
    Action: 'ListInstances',
    Version: '2018-06-12',
    Format: 'JSON',
    AccessKeyId: TEST_KEY.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: timestampV1(new Date()),
  };
  const signature = signV1('GET', { ...common, ...signed }, TEST_KEY.secret);
  const headers: Record<string, string> = tell ? { 'x-vn-debug-string-to-sign': encodeURIComponent(stringToSignV1('GET', { ...common, ...signed })) } : {};
  return fetch(`${emu.url}/?${canonicalQuery({ ...common, ...sent })}&Signature=${percentEncode(signature)}`, { headers });
}

describe('GET /_vn/requests', () => {
  it('logs each API request with its action, key, status, code, latency and ids, newest first; filters by action, status, conversation; limits', async () => {
    const { InstanceId } = (await call('CreateInstance', { Name: `inspect-${randomUUID().slice(0, 8)}`, Concurrency: 2 })) as { InstanceId: string };
    const missing = await failure('DescribeInstance', { InstanceId: randomUUID() });
    expect(missing.code).toBe('InvalidInstanceId.NotFound');
    const conversationId = randomUUID();
    await call('DebugBeginDialogue', { InstanceId, ConversationId: conversationId, CallingNumber: '13800000000' });
    await call('DebugDialogue', { InstanceId, ConversationId: conversationId, Utterance: '你好' });

    const all = await requests();
    const [last, beforeLast] = all;
    expect(last).toMatchObject({
      action: 'DebugDialogue',
      accessKeyId: TEST_KEY.id,
      status: 200,
      code: null,
      method: 'POST',
      instanceId: InstanceId,
      conversationId,
      firedRule: null,
      version: '2018-06-12',
    });
    expect(beforeLast?.action).toBe('DebugBeginDialogue');
    expect(last?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(last?.time ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect((last?.seq ?? 0) - (beforeLast?.seq ?? 0)).toBe(1);

    const notFound = await requests('?action=DescribeInstance&status=404');
    expect(notFound[0]).toMatchObject({ action: 'DescribeInstance', status: 404, code: 'InvalidInstanceId.NotFound', requestId: missing.requestId });
    expect(notFound.every((r) => r.action === 'DescribeInstance' && r.status === 404)).toBe(true);
    expect((await requests('?status=4xx')).every((r) => r.status >= 400 && r.status < 500)).toBe(true);
    expect((await requests('?status=ok')).some((r) => r.status >= 400)).toBe(false);
    const byConversation = await requests(`?conversation=${conversationId}`);
    expect(byConversation.map((r) => r.action)).toEqual(['DebugDialogue', 'DebugBeginDialogue']);
    expect(await requests('?limit=1')).toHaveLength(1);
    expect(await requests('?action=NoSuchAction')).toEqual([]);
  });

  it('answers a bad filter with 400 and one problem per parameter', async () => {
    const res = await fetch(`${emu.url}/_vn/requests?limit=0&status=teapot&colour=red`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: string[] };
    expect(body.problems).toHaveLength(3);
    expect(body.problems.join('\n')).toMatch(/colour[\s\S]*status[\s\S]*limit/);
  });

  it('a SignatureDoesNotMatch keeps the string to sign the emulator expected and the request as received, never a secret', async () => {
    const err = await failure(
      'ListInstances',
      { PageNumber: 1 },
      new Client({
        endpoint: emu.url,
        credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: 'a-wrong-secret-42', securityToken: STS_TOKEN },
        retries: 0,
        validate: false,
      }),
    );
    expect(err.code).toBe('SignatureDoesNotMatch');
    const [entry] = await requests('?status=400&limit=1');
    expect(entry).toMatchObject({ action: 'ListInstances', code: 'SignatureDoesNotMatch', accessKeyId: TEST_KEY.id, requestId: err.requestId });
    const sig = entry?.signature;
    const serverString = /server string to sign is:(.*)$/.exec(err.message)?.[1] ?? '';
    // what the emulator computed, as its message quotes it (the STS token in it redacted)
    expect(sig?.expected).toBe(serverString.replace(/SecurityToken%3D[^%]+/, 'SecurityToken%3D<redacted>'));
    expect(sig?.expected).toMatch(/^GET&%2F&AccessKeyId%3Dtest-ak%26Action%3DListInstances/);
    expect(sig?.client).toBeUndefined();
    expect(sig?.received.method).toBe('GET');
    const names = sig?.received.query.map(([k]) => k) ?? [];
    expect(names).toEqual([...names].sort());
    expect(names).toContain('Signature');
    expect(sig?.received.query).toContainEqual(['SecurityToken', '<redacted>']);
    const text = JSON.stringify(await requests());
    expect(text).not.toContain(STS_TOKEN);
    expect(text).not.toContain(TEST_KEY.secret);
  });

  it('V3: the canonical request beside the string to sign', async () => {
    await failure('ListInstances', { PageNumber: 1 }, client('a-wrong-secret-42', 'v3'));
    const [entry] = await requests('?status=400&limit=1');
    expect(entry?.signature?.scheme).toBe('v3');
    expect(entry?.signature?.expected).toMatch(/^ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
    expect(entry?.signature?.expectedCanonicalRequest).toMatch(/^GET\n\/\nPageNumber=1\n/);
    expect(entry?.signature?.received.headers.map(([k]) => k)).toContain('x-acs-signature-nonce');
  });

  it('with the x-vn-debug-string-to-sign header, the client string too and where it first differs', async () => {
    const res = await tampered({ PageNumber: '1' }, { PageNumber: '2' }, true);
    expect(res.status).toBe(400);
    const [entry] = await requests('?status=400&limit=1');
    const sig = entry?.signature;
    expect(sig?.client).toContain('PageNumber%3D1');
    expect(sig?.expected).toContain('PageNumber%3D2');
    const at = (sig?.expected ?? '').indexOf('PageNumber%3D2') + 'PageNumber%3D'.length;
    expect(sig?.firstDifference).toEqual({ comparedWith: 'expected', char: at, byte: at });
  });

  it('vn with VN_DEBUG_SIGNING=1 sends what it signed: with a wrong secret the strings are equal, so the secret is what differs (V1 and V3)', async () => {
    const r = await runVn(['instance', 'list'], { env: { ...emu.env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'a-wrong-secret-42', VN_DEBUG_SIGNING: '1' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('SignatureDoesNotMatch');
    const [v1] = await requests('?status=400&limit=1');
    expect(v1?.signature?.client).toBe(v1?.signature?.expected);
    expect(v1?.signature?.client).toMatch(/^GET&%2F&AccessKeyId%3Dtest-ak/);
    expect(v1?.signature?.firstDifference).toBeUndefined();

    await failure(
      'ListInstances',
      { PageNumber: 1 },
      new Client({
        endpoint: emu.url,
        credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: 'a-wrong-secret-42' },
        retries: 0,
        validate: false,
        signatureVersion: 'v3',
        debugSigning: true,
      }),
    );
    const [v3] = await requests('?status=400&limit=1');
    expect(v3?.signature?.scheme).toBe('v3');
    expect(v3?.signature?.client).toBe(v3?.signature?.expectedCanonicalRequest);
    expect(v3?.signature?.firstDifference).toBeUndefined();
    // without the setting nothing is sent
    await failure('ListInstances', { PageNumber: 1 }, client('a-wrong-secret-42'));
    expect((await requests('?status=400&limit=1'))[0]?.signature?.client).toBeUndefined();
  });

  it('keeps the last `size` requests (the oldest go first), and a dropped connection as status 0', () => {
    const log = new RequestLog([], 3);
    const answer = (action: string, status: number, finished = true) => {
      const res = Object.assign(new EventEmitter(), { writableFinished: finished, statusCode: status });
      const req = { method: 'GET', url: '/', headers: {}, rawHeaders: [] };
      log.watch({ req, res, now: 0, params: { Action: action }, requestId: action, outcome: undefined } as unknown as WatchedRequest);
      res.emit('close');
    };
    for (const a of ['A1', 'A2', 'A3', 'A4']) answer(a, 200);
    answer('A5', 200, false);
    expect(log.list().map((r) => [r.action, r.status, r.code])).toEqual([
      ['A5', 0, 'ConnectionDropped'],
      ['A4', 200, null],
      ['A3', 200, null],
    ]);
    expect(log.list({ status: 'error' }).map((r) => r.action)).toEqual(['A5']);
  });

  it('firstDifference counts UTF-8 bytes and never splits a surrogate pair', () => {
    expect(firstDifference('same', 'same')).toBeUndefined();
    expect(firstDifference('热线a', '热线b')).toEqual({ char: 2, byte: 6 });
    expect(firstDifference('x😀', 'x😁')).toEqual({ char: 1, byte: 1 });
    expect(firstDifference('ab', 'abc')).toEqual({ char: 2, byte: 2 });
  });

  it('/_vn/events streams each request as it is logged', async () => {
    const ac = new AbortController();
    const res = await fetch(`${emu.url}/_vn/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = (async () => {
      while (!/event: request\ndata: .*\n\n/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    })();
    await call('ListInstances', { PageNumber: 1, PageSize: 10 });
    await read;
    ac.abort();
    const data = JSON.parse(/event: request\ndata: (.*)\n\n/.exec(text)?.[1] ?? '{}') as LoggedRequest;
    expect(data).toMatchObject({ action: 'ListInstances', status: 200 });
  });
});

describe('the inspector reads: conversations and instances', () => {
  it("answers the turns of a conversation (speaker, text, action, params, rule) and each instance's configuration, with the emulator's own secrets redacted", async () => {
    const { InstanceId } = (await call('CreateInstance', { Name: `reads-${randomUUID().slice(0, 8)}`, Concurrency: 1 })) as { InstanceId: string };
    // a configuration that quotes the emulator's key secret (a user's mistake): shown redacted
    await call('ModifyGreetingConfig', { InstanceId, GreetingWords: `hello ${TEST_KEY.secret}`, SourceType: 'chatbot' });
    await call('AssociateChatbotInstance', { InstanceId, ChatbotInstanceId: 'chatbot-hostile' });
    const conversationId = randomUUID();
    await call('DebugBeginDialogue', { InstanceId, ConversationId: conversationId, CallingNumber: '13800000000' });
    await call('DebugDialogue', { InstanceId, ConversationId: conversationId, Utterance: 'attack' });

    const res = await fetch(`${emu.url}/_vn/inspect/conversations?conversation=${conversationId}`);
    const text = await res.text();
    expect(text).not.toContain('<');
    const { conversations } = JSON.parse(text) as { conversations: { instanceId: string; turns: { speaker: string; text: string; rule: string | null }[] }[] };
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.instanceId).toBe(InstanceId);
    const turns = conversations[0]?.turns ?? [];
    expect(turns.map((t) => [t.speaker, t.rule])).toEqual([
      ['Chatbot', 'greeting'],
      ['Customer', null],
      ['Chatbot', 'knowledge'],
    ]);
    expect(turns[2]?.text).toContain(hostileAnswer());

    const instances = (await (await fetch(`${emu.url}/_vn/inspect/instances`)).json()) as {
      instances: { instanceId: string; chatbot: string; navigation: unknown }[];
    };
    const mine = instances.instances.find((i) => i.instanceId === InstanceId);
    expect(mine?.chatbot).toBe('chatbot-hostile');
    expect(JSON.stringify(mine?.navigation)).toContain('hello <redacted>');
    expect(JSON.stringify(instances)).not.toContain(TEST_KEY.secret);
  });
});

describe('the /_vn/ endpoints are loopback only', () => {
  it('refuses a request naming a host that is not a loopback name (DNS rebinding), and an unknown endpoint is 404', async () => {
    const { request } = await import('node:http');
    const status = (path: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: emu.port, path, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('/_vn/requests', `attacker.example:${emu.port}`)).toBe(403);
    expect(await status('/_vn/ui', 'attacker.example')).toBe(403);
    expect(await status('/_vn/requests', `localhost:${emu.port}`)).toBe(200);
    expect(await status('/_vn/requests', `[::1]:${emu.port}`)).toBe(200);
    expect(await status('/_vn/nothing', `127.0.0.1:${emu.port}`)).toBe(404);
  });

  it('with --admin-key, on a non-loopback address, answers the key in X-Vn-Admin-Key and refuses a request without it', async () => {
    const open = await startTestEmulator({ host: '0.0.0.0', adminKey: 'admin-key-Inspect-9' });
    try {
      expect((await fetch(`${open.url}/_vn/requests`)).status).toBe(403);
      const res = await fetch(`${open.url}/_vn/requests`, { headers: { 'x-vn-admin-key': 'admin-key-Inspect-9' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ requests: [] });
    } finally {
      await open.stop();
    }
  });

  it('refuses every /_vn/ endpoint when the emulator listens on a non-loopback address', async () => {
    const open = await startTestEmulator({ host: '0.0.0.0' });
    try {
      for (const path of ['/_vn/requests', '/_vn/ui', '/_vn/events', '/_vn/inspect/instances']) {
        const res = await fetch(`${open.url}${path}`);
        expect(res.status, path).toBe(403);
        expect(await res.text()).toContain('loopback');
      }
    } finally {
      await open.stop();
    }
  });
});

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const chromium = has('chromium') ? 'chromium' : has('chromium-browser') ? 'chromium-browser' : undefined;

/** The DOM after headless Chromium loaded the page and ran its script (asynchronously: the emulator and the marker answer it from this process). */
async function domOf(url: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'vn-chromium-'));
  try {
    const { stdout } = await promisify(execFile)(
      chromium as string,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--virtual-time-budget=3000',
        '--dump-dom',
        url,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe.skipIf(!chromium)('the inspector page in headless Chromium', () => {
  it('shows a request made just before, a mis-signed request with both strings and the first difference marked, and a hostile bot answer as inert text', async () => {
    const { InstanceId } = (await call('CreateInstance', { Name: `page-${randomUUID().slice(0, 8)}`, Concurrency: 2 })) as { InstanceId: string };
    await call('AssociateChatbotInstance', { InstanceId, ChatbotInstanceId: 'chatbot-hostile' });
    const conversationId = randomUUID();
    await call('DebugBeginDialogue', { InstanceId, ConversationId: conversationId, CallingNumber: '13800000000' });
    const answer = await call('DebugDialogue', { InstanceId, ConversationId: conversationId, Utterance: 'attack' });
    expect(answer.TextResponse).toContain(hostileAnswer());
    await tampered({ PageNumber: '1' }, { PageNumber: '2' }, true);
    const justBefore = await failure('DescribeInstance', { InstanceId: 'just-before' });
    markerHits = [];

    const dom = await domOf(`${emu.url}/_vn/ui?static`);
    // the request made just before, with its request id
    expect(dom).toContain(justBefore.requestId);
    expect(dom).toContain('InvalidInstanceId.NotFound');
    // the signature failure: expected and client strings, each with the first difference marked
    expect(dom).toContain('String to sign the emulator expected');
    expect(dom).toContain('String the client says it signed');
    expect(dom).toMatch(/PageNumber%3D<mark title="first difference">2<\/mark>/);
    expect(dom).toMatch(/PageNumber%3D<mark title="first difference">1<\/mark>/);
    expect(dom).toContain('First difference at character');
    // the conversation's timeline and the instance's configuration
    expect(dom).toContain(conversationId);
    expect(dom).toContain('answered by knowledge');
    expect(dom).toContain(InstanceId);
    // the hostile answer is text: escaped in the DOM, nothing ran, nothing was fetched
    expect(dom).toContain('&lt;script&gt;document.title=');
    expect(dom).toContain('&lt;img src=');
    expect(dom).toMatch(/<title>vn emulator inspector<\/title>/);
    expect(dom).not.toContain('<b id="injected">');
    expect(dom).not.toMatch(/<img/i);
    expect(markerHits).toEqual([]);
  }, 120_000);

  it('the check can fail: the same answer as markup, on a page without the policy, runs its script and reaches the marker', async () => {
    const page = join(files.dir, 'raw.html');
    writeFileSync(page, `<!doctype html><html><head><title>raw</title></head><body><p>${hostileAnswer()}</p></body></html>`);
    markerHits = [];
    const dom = await domOf(`file://${page}`);
    expect(dom).toMatch(/<title>pwned/);
    expect(markerHits.length).toBeGreaterThan(0);
  }, 120_000);
});
