import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOKEN_CACHE_FILE } from '../../../src/config/credentials/token-cache.js';
import { ProfileStore } from '../../../src/config/profiles.js';
import { json, startRecordingServer } from '../../helpers/http-server.js';
import { spawnVn, tempDir } from '../../helpers/run.js';

const t = tempDir('vn-cache-proc-');
afterAll(() => t.cleanup());

const SECRET = 'source-secret-spawned-0123456789';
const TOKEN = 'CAIS-spawned-security-token-abcdef';
const TEMP_SECRET = 'assumed-secret-spawned-ABCDEFGH';

describe('the inter-process token cache (spawned vn processes, a loopback STS)', () => {
  it('eight vn processes starting at once make one AssumeRole call, and print no secret', async () => {
    const store = await ProfileStore.open(t.dir);
    await store.set('ci', { mode: 'RamRoleArn', accessKeyId: 'LTAI-ci-source', accessKeySecret: SECRET, ramRoleArn: 'acs:ram::1234567890123456:role/ci' });
    await store.use('ci');
    const sts = await startRecordingServer((req, res) => {
      const action = req.params.Action;
      // a slow STS: the others must wait on the lock, not call it too
      const answer = () =>
        action === 'AssumeRole'
          ? json(res, 200, {
              RequestId: 'R-1',
              AssumedRoleUser: { Arn: 'acs:ram::1234567890123456:role/ci/vn-cli', AssumedRoleId: '3445:vn-cli' },
              Credentials: {
                AccessKeyId: 'STS.spawned',
                AccessKeySecret: TEMP_SECRET,
                SecurityToken: TOKEN,
                Expiration: new Date(Date.now() + 3600e3).toISOString(),
              },
            })
          : json(res, 200, {
              RequestId: 'R-2',
              AccountId: '1234567890123456',
              Arn: 'acs:ram::1234567890123456:assumed-role/ci/vn-cli',
              IdentityType: 'AssumedRoleUser',
              UserId: '3445',
              PrincipalId: '3445:vn-cli',
            });
      setTimeout(answer, action === 'AssumeRole' ? 300 : 0);
    });
    try {
      const env = { VN_CONFIG_DIR: t.dir, HOME: t.dir, ALIBABA_CLOUD_STS_ENDPOINT: sts.url };
      const runs = await Promise.all(Array.from({ length: 8 }, () => spawnVn(['configure', 'whoami', '-o', 'json'], { env, timeoutMs: 30_000 })));
      for (const r of runs) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ AccessKeyId: 'STS.****wned', IdentityType: 'AssumedRoleUser' });
        for (const s of [SECRET, TOKEN, TEMP_SECRET]) expect(r.stdout + r.stderr).not.toContain(s);
      }
      expect(sts.requests.filter((r) => r.params.Action === 'AssumeRole')).toHaveLength(1);
      expect(sts.requests.filter((r) => r.params.Action === 'GetCallerIdentity')).toHaveLength(8);
      expect(statSync(join(t.dir, TOKEN_CACHE_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      await sts.close();
    }
  });
});
