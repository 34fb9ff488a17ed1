import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, tempDir } from '../helpers/run.js';

const SECRET = 'k9F2-never-print-me-Q7';
const TOKEN = 'sts-never-print-me-T3';

/** Every path a secret could leak through: results, tables, errors, --debug, --dry-run, listings. */
describe('secrets stay secret', () => {
  const cfg = tempDir();
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  const env = () => ({ VN_CONFIG_DIR: cfg.dir, VN_RETRY_BASE_MS: '1' });

  beforeAll(async () => {
    server = await startRecordingServer((req, res) => {
      if (req.params.InstanceId === 'bad')
        return json(res, 400, { RequestId: 'R1', Code: 'InvalidParameter', Message: 'The specified parameter InstanceId is invalid.' });
      json(res, 200, { RequestId: 'R2', Instances: [], TotalCount: 0, PageNumber: 1, PageSize: 10 });
    });
    const r = await runVn(['configure', 'set', '--profile', 'p', '--access-key-id', 'AKIDSECRETTEST', '--sts-token', '--endpoint', server.url], {
      env: env(),
      stdin: `${SECRET}\n${TOKEN}\n`,
    });
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    cfg.cleanup();
  });

  it('is stored 0600 and appears in no output', async () => {
    const file = join(cfg.dir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(SECRET);
    const runs = [
      ['instance', 'list', '--debug', '-o', 'json'],
      ['instance', 'list', '--dry-run'],
      ['instance', 'list', '--dry-run', '--signature-version', 'v3'],
      ['instance', 'describe', 'bad', '--debug'],
      ['instance', 'list', '--endpoint', 'http://127.0.0.1:9', '--retries', '0', '--debug'],
      ['configure', 'list', '-o', 'json'],
      ['configure', 'list', '-o', 'table'],
      ['configure', 'get', 'access-key-secret'],
      ['configure', 'get', 'sts-token'],
    ];
    for (const argv of runs) {
      const r = await runVn(argv, { env: env() });
      const all = r.stdout + r.stderr;
      expect(all, argv.join(' ')).not.toContain(SECRET);
      expect(all, argv.join(' ')).not.toContain(TOKEN);
    }
    // the token was sent (to the server), and only there
    await runVn(['instance', 'list'], { env: env() });
    expect(server.requests.at(-1)?.params.SecurityToken).toBe(TOKEN);
  });
});
