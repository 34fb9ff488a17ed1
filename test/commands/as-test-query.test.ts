import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { HttpMock } from '../helpers/httpmock.js';
import { runVn } from '../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vn-as-test-query-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK-AS-TEST',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'as-test-secret',
  VN_ENDPOINT: 'https://vn.test',
  VN_CONFIG_DIR: join(dir, 'config'),
};

it('stats conversation --as-test refuses --query when it prints the YAML (it was silently ignored): exit 2, nothing sent', async () => {
  const http = new HttpMock(); // no stub: any request fails verify()
  const r = await runVn(
    ['stats', 'conversation', '3f6e0c55-0b5c-4b8e-9a53-5d3f2c1e8a01', '15608cce-0b5c-4b8e-9a53-5d3f2c1e8a02', '--as-test', '--query', 'Turns'],
    { env: ENV, transport: http },
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--query does not apply to --as-test/);
  http.verify();
});
