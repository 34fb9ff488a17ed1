import { describe, expect, it } from 'vitest';
import { GROUPS } from '../../src/commands/registry.js';
import { action, HttpMock, json } from '../helpers/httpmock.js';
import { runVn } from '../helpers/run.js';

describe('a command declared in its registry line', () => {
  it('instance describe has no file of its own and still sends its action, with help and typed flags', async () => {
    const verb = GROUPS.find((g) => g.name === 'instance')?.verbs.find((v) => v.name === 'describe');
    const { default: def } = await (verb?.load() ?? Promise.reject(new Error('no verb')));
    expect(def.action).toBe('DescribeInstance');
    expect(def.run).toBeUndefined();
    const http = new HttpMock().register(
      action('DescribeInstance', { InstanceId: 'i-declared' }),
      json({ RequestId: 'r', Instance: { InstanceId: 'i-declared', Name: 'n' } }),
    );
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIdecl', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'decl-secret', VN_ENDPOINT: 'https://vn.example.test' };
    const r = await runVn(['instance', 'describe', 'i-declared', '-o', 'json'], { env, transport: http });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ Instance: { InstanceId: 'i-declared' } });
    http.verify();
    const help = await runVn(['instance', 'describe', '--help'], { env });
    expect(help.stdout).toContain('vn instance describe 3f6e4b1c-');
  });
});
