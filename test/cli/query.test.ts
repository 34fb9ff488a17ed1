import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, tempDir } from '../helpers/run.js';

/**
 * --query is checked before anything is sent (syntax, function names, arity); what only the data
 * can refuse is found after the call, and then the exit code says the call was carried out (5),
 * never "nothing sent" (2): a script that retries on 2 would do the change twice. In-process: the
 * exit code is what run() returns, which bin/vn.js sets as the process's (test/client/cli-http.test.ts
 * and the documented examples check that on the real binary).
 */
describe('--query before and after sending', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const cfg = tempDir();
  const env = () => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKID-QUERY',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'query-secret-1234',
    VN_ENDPOINT: server.url,
    VN_CONFIG_DIR: cfg.dir,
  });
  beforeAll(async () => {
    server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'R-CRE', InstanceId: 'i-created' }));
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  const create = ['instance', 'create', '--name', 'x', '--concurrency', '1'];

  it.each([
    ['nosuchfn(@)', /unknown function nosuchfn\(\)/],
    ['Instances[?contains(Name)]', /contains\(\) takes 2 arguments, not 1/],
    ['length(@, @)', /length\(\) takes 1 argument, not 2/],
    ['not_null()', /not_null\(\) takes at least 1 argument/],
    ['Instances[', /invalid --query "Instances\["/],
    ['`{"type":"Function","name":"nosuch"}`', null],
  ])('%s: found before sending (exit 2, nothing sent)', async (query, message) => {
    const r = await runVn(['--query', query, ...create], { env: env() });
    if (message === null) {
      // a literal that looks like a function node is data, not a call
      expect(r.code).toBe(0);
      expect(server.requests).toHaveLength(1);
      return;
    }
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });

  it('an evaluation error after a create prints the answer unfiltered, names the error and exits 6', async () => {
    const r = await runVn(['--query', 'abs(InstanceId)', '-o', 'json', ...create], { env: env() });
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout)).toEqual({ RequestId: 'R-CRE', InstanceId: 'i-created' });
    expect(r.stderr).toMatch(
      /^error: --query "abs\(InstanceId\)" could not be applied to the result: .*abs\(\).*the result is printed unfiltered \(the command was carried out\)/,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('--query with -o xml is refused before sending, from the flag and from the profile default', async () => {
    const r = await runVn(['--query', 'InstanceId', '-o', 'xml', ...create], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--query .* cannot be used with -o xml/);
    expect(server.requests).toHaveLength(0);
    const xmlCfg = tempDir();
    const set = await runVn(['configure', 'set', '--profile', 'x', '--access-key-id', 'AK', '--endpoint', server.url, '-o', 'xml'], {
      env: { VN_CONFIG_DIR: xmlCfg.dir },
      stdin: 'xml-profile-secret\n',
    });
    expect(set.code).toBe(0);
    const p = await runVn(['--profile', 'x', '--query', 'InstanceId', ...create], { env: { VN_CONFIG_DIR: xmlCfg.dir } });
    xmlCfg.cleanup();
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/cannot be used with XML output/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('--query on the local profile (the issue’s own reproduction)', () => {
  const cfg = tempDir();
  afterAll(() => cfg.cleanup());
  const env = () => ({ VN_CONFIG_DIR: cfg.dir });
  const count = async () => {
    const r = await runVn(['--profile', 'local', 'instance', 'list', '--all', '-o', 'json', '--query', 'length(Instances)'], { env: env() });
    expect(r.code).toBe(0);
    return Number(r.stdout.trim());
  };

  it('an unknown function creates nothing; a type error after the create creates exactly one', async () => {
    const before = await count();
    const bad = await runVn(['--profile', 'local', '--query', 'nosuchfn(@)', 'instance', 'create', '--name', 'q1', '--concurrency', '1'], { env: env() });
    expect(bad.code).toBe(2);
    expect(await count()).toBe(before);
    const late = await runVn(['--profile', 'local', '--query', 'abs(InstanceId)', 'instance', 'create', '--name', 'q2', '--concurrency', '1', '-o', 'json'], {
      env: env(),
    });
    expect(late.code).toBe(6);
    expect(JSON.parse(late.stdout).InstanceId).toMatch(/\S/);
    expect(await count()).toBe(before + 1);
  });
});
