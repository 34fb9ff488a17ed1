import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { HttpMock } from '../helpers/httpmock.js';
import { ROOT, runVn } from '../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vn-gate-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK-GATE-ORDER',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'gate-order-secret',
  VN_ENDPOINT: 'https://vn.test',
  VN_CONFIG_DIR: join(dir, 'config'),
};

it.each([
  ['apply', ['apply', '-f', join(ROOT, 'examples/hotline.yaml'), '--dry-run']],
  ['diff', ['diff', '-f', join(ROOT, 'examples/hotline.yaml')]],
])('%s --test: an invalid test file is exit 2 before the plan reads anything (it was read after the reads)', async (_name, argv) => {
  const bad = join(dir, 'bad.test.yaml');
  writeFileSync(bad, 'conversations: 7\n');
  const http = new HttpMock(); // no stub: any request fails verify()
  const r = await runVn([...argv, '--test', bad], { env: ENV, transport: http });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain('bad.test.yaml');
  http.verify();
});
