import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { significant } from '../../src/output/watch.js';
import { action, HttpMock, json, jsonFrom } from '../helpers/httpmock.js';
import { runVn } from '../helpers/run.js';

/**
 * Issue #21: waiting, done right. `--watch` on a command with a final state stops there (exit 0 on
 * success, 1 on failure) and, piped, prints a change only (a re-signed URL is no change);
 * `--wait-until EXPR` polls any read command until a JMESPath is true. On the HTTP seam.
 */

const dir = mkdtempSync(join(tmpdir(), 'vn-wait-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK-WAIT',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wait-secret-value-1',
  VN_ENDPOINT: 'https://vn.test',
  VN_CONFIG_DIR: join(dir, 'config'),
  VN_RETRY_BASE_MS: '0',
};
const I = '5a0c7d2e-1b3f-4a5c-8d9e-0f1a2b3c4d5e';
let signed = 0;
/** A progress answer; a finished one carries a URL signed afresh on every read, as the service's. */
const progress = (Status: string) =>
  jsonFrom(() => ({ RequestId: `R-${++signed}`, Status, ...(Status === 'FINISHED' ? { FileHttpUrl: `https://oss.test/f.csv?Signature=${signed}` } : {}) }));

describe('export status --watch', () => {
  it('stops at FINISHED with exit 0; piped, it prints each change once', async () => {
    const http = new HttpMock()
      .register(action('DescribeExportProgress', { InstanceId: I, ExportTaskId: 't-1' }), progress('RUNNING'), { times: 3 })
      .register(action('DescribeExportProgress'), progress('FINISHED'));
    const r = await runVn(['export', 'status', I, 't-1', '--watch', '--interval', '0.1', '-o', 'json'], { env, transport: http });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.Status)).toEqual(['RUNNING', 'FINISHED']);
    http.verify();
  });

  it('stops at a failure with exit 1, naming the state', async () => {
    const http = new HttpMock().register(action('DescribeExportProgress'), progress('RUNNING')).register(action('DescribeExportProgress'), progress('FAILED'));
    const r = await runVn(['export', 'status', I, 't-1', '--watch', '--interval', '0.1', '-o', 'json'], { env, transport: http });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: vn export status \S+ t-1: ended in FAILED$/m);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
    http.verify();
  });

  it('compares answers with the re-signed URL masked', () => {
    const a = { Status: 'FINISHED', FileHttpUrl: 'https://x?Signature=1', RequestId: 'a' };
    const b = { Status: 'FINISHED', FileHttpUrl: 'https://x?Signature=2', RequestId: 'b' };
    expect(significant(a)).not.toBe(significant(b));
    expect(significant(a, ['FileHttpUrl'])).toBe(significant(b, ['FileHttpUrl']));
  });

  it('says in its help that it stops at a final state', async () => {
    const r = await runVn(['export', 'status', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/until a final state \(exit 0 on success, 1 on failure\)/);
  });
});

describe('--wait-until', () => {
  const concurrency = (n: number) => json({ RequestId: 'R', InstanceId: I, MaxConcurrency: 5, RealTimeConcurrency: n, Timestamp: 1 });

  it('polls until the expression is true, then prints that answer (exit 0)', async () => {
    const http = new HttpMock()
      .register(action('GetRealTimeConcurrency', { InstanceId: I }), concurrency(0), { times: 2 })
      .register(action('GetRealTimeConcurrency'), concurrency(3));
    const r = await runVn(['instance', 'concurrency', I, '--wait-until', 'RealTimeConcurrency > `2`', '--interval', '0.1', '-o', 'json'], {
      env,
      transport: http,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).RealTimeConcurrency).toBe(3);
    expect(http.actions()).toHaveLength(3);
    http.verify();
  });

  it('works on any read command, with --query applied to the final answer', async () => {
    const http = new HttpMock()
      .register(action('DescribeInstance'), json({ RequestId: 'R', InstanceId: I, Name: 'x', Status: 'Drafted' }))
      .register(action('DescribeInstance'), json({ RequestId: 'R', InstanceId: I, Name: 'x', Status: 'Published' }));
    const r = await runVn(['instance', 'describe', I, '--wait-until', "Status == 'Published'", '--interval', '0.1', '-o', 'text', '--query', 'Status'], {
      env,
      transport: http,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Published\n');
    http.verify();
  });

  it('exits 8 when --wait-timeout passes first, with nothing on stdout', async () => {
    const http = new HttpMock().register(action('GetRealTimeConcurrency'), concurrency(0), { times: 100 });
    const r = await runVn(['instance', 'concurrency', I, '--wait-until', 'RealTimeConcurrency > `2`', '--wait-timeout', '0.3', '--interval', '0.1'], {
      env,
      transport: http,
    });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--wait-until "RealTimeConcurrency > `2`" was still not true after 0\.3s \(it gave false\)/);
  });

  it.each([
    [['--wait-until', 'Status =='], /^error: invalid --wait-until "Status ==": /m],
    [['--wait-until', 'nosuch(Status)'], /invalid --wait-until "nosuch\(Status\)": unknown function nosuch\(\)/],
    [['--wait-until', 'Status', '--wait-timeout', 'soon'], /--wait-timeout must be a number of seconds/],
    [['--wait-timeout', '5'], /--wait-timeout needs --wait-until/],
    [['--interval', '1'], /--interval needs --wait-until/],
    [['--wait-until', 'Status', '--interval', '0'], /--interval must be a number of seconds from 0\.1 to 3600/],
  ])('refuses %j before sending (exit 2)', async (extra, message) => {
    const http = new HttpMock();
    const r = await runVn(['instance', 'describe', I, ...extra], { env, transport: http });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(http.requests).toHaveLength(0);
  });

  it('is offered by read commands only', async () => {
    expect((await runVn(['instance', 'describe', '--help'])).stdout).toMatch(/--wait-until <jmespath>/);
    expect((await runVn(['stats', 'summary', '--help'])).stdout).toMatch(/--wait-until <jmespath>/);
    expect((await runVn(['instance', 'modify', '--help'])).stdout).not.toMatch(/--wait-until/);
    expect((await runVn(['apply', '--help'])).stdout).not.toMatch(/--wait-until/);
    // the export commands have a --wait of their own
    expect((await runVn(['export', 'download', '--help'])).stdout).not.toMatch(/--wait-until/);
  });
});
