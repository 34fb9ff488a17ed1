import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpRequest, HttpResponse, Transport } from '../../src/client/transport.js';
import { NetworkError } from '../../src/errors.js';
import { runVn, tempDir } from '../helpers/run.js';

/**
 * A command's own policy is an argument to its client (HandlerContext.client(policy)), never a
 * write to the global options: these tests read the policy off the requests that reach the seam.
 */
class Recorder implements Transport {
  readonly sent: HttpRequest[] = [];
  constructor(private readonly answer: (req: HttpRequest) => HttpResponse | Promise<HttpResponse>) {}
  async send(req: HttpRequest): Promise<HttpResponse> {
    this.sent.push(req);
    return this.answer(req);
  }
}

const json = (body: unknown): HttpResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const action = (req: HttpRequest) => new URL(req.url).searchParams.get('Action') ?? new URLSearchParams(req.body ?? '').get('Action');

const tmp: (() => void)[] = [];
afterEach(() => {
  for (const c of tmp.splice(0)) c();
});

function envIn(): NodeJS.ProcessEnv {
  const { dir, cleanup } = tempDir('vn-policy-');
  tmp.push(cleanup);
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIpolicy',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'policy-secret',
    VN_ENDPOINT: 'https://vn.example.test',
    VN_CONFIG_DIR: join(dir, 'cfg'),
    VN_RETRY_BASE_MS: '1',
  };
}

describe('per-command policy is an argument', () => {
  it('dialogue test --timeout is its client’s request timeout (the global --timeout stays for the others)', async () => {
    const env = envIn();
    const file = join(env.VN_CONFIG_DIR as string, '..', 'one.test.yaml');
    writeFileSync(file, 'conversations:\n  - name: one\n    turns:\n      - say: hi\n        bot: { textMatches: "." }\n');
    const seam = new Recorder((req) => {
      if (action(req) === 'DescribeInstance') return json({ RequestId: 'r0', InstanceId: '1c2d3e4f-0000-4000-8000-000000000001' });
      throw new NetworkError('cannot connect (ECONNREFUSED)', false);
    });
    const r = await runVn(
      [
        '--timeout',
        '7',
        'dialogue',
        'test',
        file,
        '--instance',
        '1c2d3e4f-0000-4000-8000-000000000001',
        '--timeout',
        '1500',
        '--retries',
        '0',
        '--reporter',
        'json',
      ],
      {
        env,
        transport: seam,
      },
    );
    // nothing could connect: exit 3, with every turn sent on the command's own timeout; the instance
    // check before the run is no turn, and keeps the global one
    expect(r.code).toBe(3);
    const sent = seam.sent.map((s) => [action(s), s.timeoutMs]);
    expect(sent[0]).toEqual(['DescribeInstance', 7000]);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.slice(1)).toEqual(sent.slice(1).map(() => ['DebugBeginDialogue', 1500]));
  });

  it('completion --instance-ids asks for a short client without retries, whatever --timeout and --retries say', async () => {
    const env = envIn();
    const seam = new Recorder(() => ({ status: 503, headers: {}, body: '' }));
    const r = await runVn(['--timeout', '30', '--retries', '3', 'completion', '--instance-ids'], { env, transport: seam });
    expect(r.code).toBe(0);
    expect(seam.sent.map((s) => [action(s), s.timeoutMs])).toEqual([['ListInstances', 2000]]);
  });

  it('diff --target-profile: the second profile goes through the same seam', async () => {
    const env = envIn();
    const seam = new Recorder(() => json({ RequestId: 'r', Instance: { InstanceId: 'x', Name: 'n', Status: 'Published' } }));
    const made = await runVn(['configure', 'set', '--profile', 'other', '--access-key-id', 'LTAIother'], { env, stdin: 'other-secret\n' });
    expect(made.code).toBe(0);
    const r = await runVn(['diff', 'i-a', 'i-b', '--target-profile', 'other', '-o', 'json'], { env, transport: seam });
    // before the Factory, the second profile's Context was built without the test's transport and went to the network
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ match: true, to: 'b (other)' });
    const ids = seam.sent.map((s) => [action(s), new URL(s.url).searchParams.get('InstanceId') ?? new URLSearchParams(s.body ?? '').get('InstanceId')]);
    expect(
      ids
        .filter(([a]) => a === 'DescribeInstance')
        .map(([, id]) => id)
        .sort(),
    ).toEqual(['i-a', 'i-b']);
  });
});
