import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { ROOT, runVn, tempDir } from '../helpers/run.js';
import { ANT_JUNIT, JENKINS_XUNIT_JUNIT_10 } from './fixtures/junit-schemas.js';

const EXAMPLES = join(ROOT, 'examples');

let emu: TestEmulator;
let instance: string;
let tmp: { dir: string; cleanup: () => void };

function write(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

beforeAll(async () => {
  tmp = tempDir('vn-team-');
  emu = await startTestEmulator();
  const r = await runVn(['instance', 'create', '--name', 'team-scale', '--concurrency', '20', '-o', 'json'], { env: emu.env });
  expect(r.code, r.stderr).toBe(0);
  instance = JSON.parse(r.stdout).InstanceId;
});

afterAll(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

interface Report {
  conversations: { file: string; name: string; outcome: string; durationMs: number; transcript: { latencyMs: number }[]; retries?: unknown[] }[];
  summary: Record<string, unknown> & { turns: number; latency: Record<string, number>; flakyConversations: unknown[] };
}

/** A suite of 9 conversations in two files, with tags, for splitting. */
function bigSuite(): string[] {
  const conv = (name: string, says: string[], tags: string[] = []) =>
    `  - name: ${name}\n${tags.length ? `    tags: [${tags.join(', ')}]\n` : ''}    turns:\n${says.map((s) => `      - say: ${s}\n`).join('')}`;
  const a = write(
    'a.test.yaml',
    `tags: [bank]\nconversations:\n${conv('a1', ['我想查余额'], ['smoke'])}${conv('a2', ['我想查余额', '再说一遍', '我要投诉'])}${conv('a3', ['你好'], ['smoke'])}${conv(
      'a4',
      ['随便', '胡说'],
    )}${conv('a5', ['我想查余额', '没有了'], ['slow'])}`,
  );
  const b = write(
    'b.test.yaml',
    `conversations:\n${conv('b1', ['我要投诉'], ['smoke'])}${conv('b2', ['我想查余额', '再说一遍'])}${conv('b3', ['你好', '随便', '胡说', '八道'])}${conv('b4', ['没有了'])}`,
  );
  return [a, b];
}

describe('--shard and vn dialogue merge', () => {
  it('three shards are disjoint, stable and complete, balanced by turns; merged they report the totals of one run', async () => {
    const files = bigSuite();
    const env = emu.env;
    const listed: string[][] = [];
    for (const i of [1, 2, 3]) {
      const r = await runVn(['dialogue', 'test', ...files, '--shard', `${i}/3`, '--list', '-o', 'json'], { env });
      expect(r.code, r.stderr).toBe(0);
      listed.push(JSON.parse(r.stdout).Conversations.map((c: { file: string; name: string }) => c.name));
    }
    const all = listed.flat();
    expect(all.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3', 'b4']);
    expect(new Set(all).size).toBe(9);
    // stable: the same split every time
    const again = await runVn(['dialogue', 'test', ...files, '--shard', '2/3', '--list', '-o', 'json'], { env });
    expect(JSON.parse(again.stdout).Conversations.map((c: { name: string }) => c.name)).toEqual(listed[1]);

    const shardFiles: string[] = [];
    const shardTurns: number[] = [];
    for (const i of [1, 2, 3]) {
      const out = join(tmp.dir, `shard-${i}.json`);
      const r = await runVn(['dialogue', 'test', ...files, '--instance', instance, '--shard', `${i}/3`, '--reporter', `json=${out}`], { env });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`run, shard ${i}/3\\)`));
      shardFiles.push(out);
      shardTurns.push((JSON.parse(readFileSync(out, 'utf8')) as Report).summary.turns);
    }
    // balanced by turn count: 9 conversations of 2-5 turns (30 in all) dealt into three parts of 10
    expect(Math.max(...shardTurns) - Math.min(...shardTurns)).toBeLessThanOrEqual(2);

    const whole = join(tmp.dir, 'whole.json');
    expect((await runVn(['dialogue', 'test', ...files, '--instance', instance, '--reporter', `json=${whole}`], { env })).code).toBe(0);
    const merged = await runVn(['dialogue', 'merge', ...shardFiles, '--reporter', 'json'], { env });
    expect(merged.code, merged.stderr).toBe(0);
    const m = JSON.parse(merged.stdout) as Report;
    const w = JSON.parse(readFileSync(whole, 'utf8')) as Report;
    for (const k of ['conversations', 'passed', 'flaky', 'failed', 'errored', 'timedOut', 'skipped', 'turns'] as const)
      expect(m.summary[k], k).toBe(w.summary[k]);
    expect(m.summary.merged).toBe(3);
    // times are stated to 0.1 ms: no float noise such as 39.18248700000001 anywhere in the report
    expect(readFileSync(whole, 'utf8')).not.toMatch(/\d\.\d{3,}/);
    expect(m.conversations.map((c) => `${c.file} ${c.name}`).sort()).toEqual(w.conversations.map((c) => `${c.file} ${c.name}`).sort());
    // the percentiles are the merged samples' own, not an average of the shards'
    const samples = m.conversations.flatMap((c) => c.transcript.map((t) => t.latencyMs)).sort((x, y) => x - y);
    expect(m.summary.latency.max).toBe(samples.at(-1));
    expect(m.summary.latency.p50).toBe(samples[Math.ceil(samples.length / 2) - 1]);
  });

  it('merge renders any reporter and exits with the combined code; an unreadable report is exit 2', async () => {
    const ok = write('ok.test.yaml', 'conversations:\n  - name: fine\n    turns:\n      - say: 我想查余额\n        bot: { text: 余额 }\n');
    const bad = write('bad.test.yaml', 'conversations:\n  - name: wrong\n    turns:\n      - bot: { text: 再见 }\n');
    const okJson = join(tmp.dir, 'm-ok.json');
    const badJson = join(tmp.dir, 'm-bad.json');
    expect((await runVn(['dialogue', 'test', ok, '--instance', instance, '--reporter', `json=${okJson}`], { env: emu.env })).code).toBe(0);
    expect((await runVn(['dialogue', 'test', bad, '--instance', instance, '--reporter', `json=${badJson}`], { env: emu.env })).code).toBe(1);
    const junit = join(tmp.dir, 'merged.xml');
    const m = await runVn(['dialogue', 'merge', okJson, badJson, '--reporter', 'pretty', '--reporter', `junit=${junit}`], { env: emu.env });
    expect(m.code).toBe(1);
    expect(m.stdout).toContain('✗ failed wrong');
    expect(m.stdout).toContain('Conversations: 1 passed, 0 failed'.replace('0 failed', '1 failed'));
    expect(m.stderr).toMatch(/1 of 2 conversations did not pass/);
    expect(readFileSync(junit, 'utf8').match(/<testsuite /g)).toHaveLength(2);
    expect((await runVn(['dialogue', 'merge', okJson], { env: emu.env })).code).toBe(0);
    const notJson = write('not.json', '{"hello":1}');
    const r = await runVn(['dialogue', 'merge', okJson, notJson], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not\.json: not a JSON report of vn dialogue test/);
    expect(r.stdout).toBe('');
  });
});

/**
 * A loopback service whose greeting is wrong for the first `wrongBegins` calls, then right; a
 * `boom` utterance is a service error. Every request is recorded.
 */
async function flakyServer(wrongBegins: number, delayMs = 0) {
  let begins = 0;
  return startRecordingServer((req, res) => {
    const answer = (body: Record<string, unknown>) => setTimeout(() => json(res, 200, { RequestId: `R${req.params.Action}`, ...body }), delayMs);
    switch (req.params.Action) {
      case 'DebugBeginDialogue':
        begins++;
        return answer({ TextResponse: begins <= wrongBegins ? '系统繁忙' : '您好，欢迎致电', Action: 'Broadcast', ActionParams: '{}', Interruptible: false });
      case 'DebugDialogue':
        if (req.params.Utterance === 'boom') return json(res, 400, { RequestId: 'R-boom', Code: 'InvalidParameter', Message: 'boom is refused' });
        return answer({ TextResponse: `你说了${req.params.Utterance}`, Action: 'Broadcast', ActionParams: '{}', Interruptible: true });
      default:
        return answer({});
    }
  });
}

const FLAKY = `instance: i-1
conversations:
  - name: greets
    turns:
      - bot: { text: 欢迎 }
      - say: 你好
        bot: { text: 你好 }
`;

describe('--retries', () => {
  it('--retries 2 on a conversation that fails once and then passes: flaky in every reporter, exit 0', async () => {
    const server = await flakyServer(1);
    try {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-r'),
      };
      const file = write('flaky.test.yaml', FLAKY);
      const out = { json: join(tmp.dir, 'f.json'), junit: join(tmp.dir, 'f.xml'), ant: join(tmp.dir, 'f-ant.xml'), html: join(tmp.dir, 'f.html') };
      const r = await runVn(
        [
          'dialogue',
          'test',
          file,
          '--retries',
          '2',
          '--reporter',
          'pretty',
          '--reporter',
          `json=${out.json}`,
          '--reporter',
          `junit=${out.junit}`,
          '--reporter',
          `junit-ant=${out.ant}`,
          '--reporter',
          `html=${out.html}`,
        ],
        { env },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('⚠ flaky greets');
      expect(r.stdout).toMatch(/attempt 1: failed: line 5 greeting: text did not match/);
      expect(r.stdout).toContain('0 passed, 1 flaky, 0 failed');
      // two calls (the failed one and the retry), each begun and ended: a new ConversationId, nothing re-sent
      const begins = server.requests.filter((q) => q.params.Action === 'DebugBeginDialogue');
      expect(begins).toHaveLength(2);
      expect(new Set(begins.map((q) => q.params.ConversationId)).size).toBe(2);
      expect(server.requests.filter((q) => q.params.Action === 'EndDialogue')).toHaveLength(2);
      const report = JSON.parse(readFileSync(out.json, 'utf8')) as Report;
      expect(report.conversations[0]?.outcome).toBe('flaky');
      expect(report.conversations[0]?.retries).toHaveLength(1);
      expect(report.summary).toMatchObject({ passed: 0, flaky: 1, failed: 0 });
      expect(report.summary.flakyConversations).toEqual([{ file, name: 'greets', runs: 1, passed: 0, flaky: 1, failed: 0 }]);
      const junit = readFileSync(out.junit, 'utf8');
      expect(junit).toMatch(
        /<testcase name="greets" classname="[^"]*flaky\.test\.yaml" time="[\d.]+"><flakyFailure message="line 5 greeting: text did not match" type="mismatch"><stackTrace>/,
      );
      expect(junit).not.toMatch(/<failure/);
      expect(readFileSync(out.ant, 'utf8')).toMatch(/attempt 1 \(ConversationId [0-9a-f-]{36}\): failed: line 5 greeting/);
      expect(readFileSync(out.html, 'utf8')).toMatch(/class="badge flaky">flaky<\/span> greets/);
      if (has('xmllint')) {
        const xsd = schemas();
        expect(xmllint(xsd.xunit, out.junit)).toBe('');
        expect(xmllint(xsd.ant, out.ant)).toBe('');
      }
      // without retries the same service fails the run
      const again = await flakyServer(1);
      try {
        const no = await runVn(['dialogue', 'test', file], { env: { ...env, VN_ENDPOINT: again.url } });
        expect(no.code).toBe(1);
      } finally {
        await again.close();
      }
    } finally {
      await server.close();
    }
  });

  it('a conversation that fails on every attempt is failed, after 1 + N calls', async () => {
    const server = await flakyServer(100);
    try {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-r2'),
      };
      const r = await runVn(['dialogue', 'test', write('always.test.yaml', FLAKY), '--retries', '2'], { env });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✗ failed greets');
      expect(r.stdout).toContain('(3 attempts)');
      expect(server.requests.filter((q) => q.params.Action === 'DebugBeginDialogue')).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});

function schemas(): { xunit: string; ant: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vn-xsd-'));
  const xunit = join(dir, 'junit-10.xsd');
  const ant = join(dir, 'JUnit.xsd');
  writeFileSync(xunit, JENKINS_XUNIT_JUNIT_10);
  writeFileSync(ant, ANT_JUNIT);
  return { xunit, ant };
}

/** '' when the file validates, else xmllint's complaint. */
function xmllint(schema: string, file: string): string {
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr;
}

describe('JUnit', () => {
  it.skipIf(!has('xmllint'))('validates with xmllint against the Jenkins xUnit junit-10.xsd and the Ant JUnit XSD: one <testsuite> per file', async () => {
    const xsd = schemas();
    // the schemas themselves are checked: a file they should refuse is refused
    const wrong = write('wrong.xml', '<testsuites skipped="0"><testsuite name="x" tests="1" failures="0" errors="0"/></testsuites>');
    expect(xmllint(xsd.xunit, wrong)).toMatch(/skipped.*not allowed/);
    expect(xmllint(xsd.ant, wrong)).not.toBe('');

    const server = await flakyServer(0);
    try {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-j'),
      };
      const one = write(
        'one.test.yaml',
        'instance: i-1\nconversations:\n  - name: passes <&> "quoted"\n    turns:\n      - say: 你好\n  - name: fails\n    turns:\n      - say: 你好\n        bot: { text: 再见 }\n',
      );
      const two = write(
        'two.test.yaml',
        'instance: i-1\nconversations:\n  - name: errors\n    turns:\n      - say: boom\n  - name: passes too\n    turns:\n      - say: 嗯\n',
      );
      const out = join(tmp.dir, 'j.xml');
      const ant = join(tmp.dir, 'j-ant.xml');
      const r = await runVn(['dialogue', 'test', one, two, '--reporter', `junit=${out}`, '--reporter', `junit-ant=${ant}`, '--max-p95', '100000'], { env });
      expect(r.code).toBe(1);
      const xml = readFileSync(out, 'utf8');
      expect(xml.match(/<testsuite /g)).toHaveLength(3);
      expect(xml).toMatch(
        /<testsuite name="[^"]*one\.test\.yaml" package="[^"]*" id="0" hostname="[^"]+" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" tests="2" failures="1" errors="0" time="[\d.]+">/,
      );
      expect(xml).toMatch(/<testsuite name="[^"]*two\.test\.yaml" [^>]*tests="2" failures="0" errors="1"/);
      expect(xml).toMatch(/<testcase name="passes &lt;&amp;&gt; &quot;quoted&quot;" classname="[^"]*one\.test\.yaml"/);
      expect(xml).toMatch(/<error message="line 5 say boom: InvalidParameter: boom is refused" type="error">/);
      expect(xml).toMatch(/<testsuite name="latency" [^>]*tests="1" failures="0"/);
      expect(xml).not.toMatch(/<testsuites [^>]/);
      for (const file of [out, ant]) {
        expect(xmllint(xsd.xunit, file), `${file} against junit-10.xsd`).toBe('');
        expect(xmllint(xsd.ant, file), `${file} against the Ant XSD`).toBe('');
      }
    } finally {
      await server.close();
    }
  });
});

describe('--max-p95', () => {
  it('fails the run (exit 1) when turn latency p95 exceeds it, stated in every reporter', async () => {
    const server = await flakyServer(0, 25);
    try {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-p'),
      };
      const file = write('gate.test.yaml', FLAKY);
      const out = { json: join(tmp.dir, 'g.json'), junit: join(tmp.dir, 'g.xml'), html: join(tmp.dir, 'g.html') };
      const r = await runVn(
        [
          'dialogue',
          'test',
          file,
          '--max-p95',
          '5',
          '--reporter',
          'pretty',
          '--reporter',
          `json=${out.json}`,
          '--reporter',
          `junit=${out.junit}`,
          '--reporter',
          `html=${out.html}`,
        ],
        { env },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✓ greets');
      expect(r.stdout).toMatch(/Latency gate failed: p95 \d+ ms exceeds --max-p95 5 ms/);
      expect(r.stderr).toMatch(/turn latency p95 [\d.]+ ms exceeds --max-p95 5 ms/);
      expect(JSON.parse(readFileSync(out.json, 'utf8')).summary.latencyGate).toMatchObject({ maxP95Ms: 5, passed: false });
      expect(readFileSync(out.junit, 'utf8')).toMatch(
        /<testcase name="turn latency p95 ≤ 5 ms" classname="latency" time="0"><failure message="turn latency p95 [\d.]+ ms exceeds 5 ms" type="latency"\/>/,
      );
      expect(readFileSync(out.html, 'utf8')).toMatch(/Latency gate: p95 \d+ ms exceeds 5 ms — the run fails/);
      const pass = await runVn(['dialogue', 'test', file, '--max-p95', '60000'], { env });
      expect(pass.code).toBe(0);
      expect(pass.stdout).toMatch(/Latency gate: p95 \d+ ms ≤ 60000 ms/);
    } finally {
      await server.close();
    }
  });
});

describe('HTML report', () => {
  const chromium = has('chromium') ? 'chromium' : has('chromium-browser') ? 'chromium-browser' : undefined;
  let htmlReport: string | undefined;

  it('is one self-contained file: summary, a transcript per conversation, failures side by side, histogram, coverage', async () => {
    const file = write(
      'html.test.yaml',
      'conversations:\n  - name: balance\n    turns:\n      - say: 我想查余额\n        bot: { text: 余额 }\n  - name: wrong <b>\n    turns:\n      - say: 我要投诉\n        bot: { action: HangUp }\n',
    );
    const out = join(tmp.dir, 'report.html');
    const r = await runVn(
      ['dialogue', 'test', file, join(EXAMPLES, 'demo-bank.test.yaml'), '--instance', instance, '--coverage', '--reporter', `html=${out}`],
      {
        env: emu.env,
      },
    );
    expect(r.code).toBe(1);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html.match(/<section class="conversation /g)).toHaveLength(7);
    expect(html).toContain('wrong &lt;b&gt;');
    // what did not pass is linked from the top
    expect(html).toMatch(/<nav class="jump">.*<a href="#(c\d+)"><span class="badge failed">failed<\/span> wrong &lt;b&gt;<\/a>/);
    const anchor = /<a href="#(c\d+)"><span class="badge failed">/.exec(html)?.[1];
    expect(html).toContain(`<section class="conversation failed" id="${anchor}"`);
    expect(html).toMatch(/<td>action<\/td><td class="expected"><code>HangUp<\/code><\/td><td class="actual"><code>TransferToAgent<\/code><\/td>/);
    expect(html).toMatch(
      /<span class="action">TransferToAgent<\/span> <code class="params">\{&quot;skillGroupId&quot;:&quot;fallbackSkillGroup&quot;\}<\/code> · <span class="latency">/,
    );
    expect(html).toMatch(/<span class="interruptible">interruptible<\/span>/);
    expect(html).toContain('<svg id="latency-histogram"');
    expect(html).toContain('Coverage of instance');
    htmlReport = out;
  });

  it.skipIf(!chromium)(
    'renders in headless Chromium: one transcript per conversation and the chart',
    () => {
      const out = htmlReport as string;
      expect(out).toBeDefined();
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ];
      const profile = mkdtempSync(join(tmpdir(), 'vn-chromium-'));
      const dom = execFileSync(chromium as string, [...flags, `--user-data-dir=${profile}`, '--dump-dom', `file://${out}`], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      // the browser parsed the page into one transcript per conversation, with its turns, and the chart's bars
      expect(dom.match(/<section class="conversation /g)).toHaveLength(7);
      expect(dom.match(/<ol class="transcript">/g)).toHaveLength(7);
      // 20 turns of the demo suite (greetings included) and 4 of the other file
      expect(dom.match(/<li class="turn /g)?.length).toBe(24);
      expect(dom).toMatch(/<svg id="latency-histogram"[^>]*>(<rect class="bar"[^>]*><title>[^<]*<\/title><\/rect>){20}/);
      const png = join(tmp.dir, 'report.png');
      execFileSync(chromium as string, [...flags, `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1100,2400', `file://${out}`], {
        timeout: 60_000,
        stdio: 'ignore',
      });
      expect(existsSync(png)).toBe(true);
      const pngBytes = readFileSync(png);
      expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
      expect(pngBytes.readUInt32BE(16)).toBe(1100);
      expect(statSync(png).size).toBeGreaterThan(20_000);
    },
    120_000,
  );
});

describe('selecting', () => {
  it('tags on files and conversations, --tag T and --tag !T; --list sends nothing', async () => {
    const files = bigSuite();
    const server = await startRecordingServer((_req, res) => json(res, 500, {}));
    try {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-t'),
      };
      const names = async (...extra: string[]) => {
        const r = await runVn(['dialogue', 'test', ...files, '--instance', 'a1111111-0000-4000-8000-000000000001', '--list', '-o', 'tsv', ...extra], { env });
        expect(r.code, r.stderr).toBe(0);
        return r.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[1]);
      };
      expect(await names('--tag', 'smoke')).toEqual(['a1', 'a3', 'b1']);
      expect(await names('--tag', 'bank', '--tag', '!smoke')).toEqual(['a2', 'a4', 'a5']);
      expect(await names('--tag', '!bank')).toEqual(['b1', 'b2', 'b3', 'b4']);
      expect(await names('--tag', 'smoke', '--grep', '^b')).toEqual(['b1']);
      const line = (await runVn(['dialogue', 'test', files[0] as string, '--list', '-o', 'tsv', '--tag', 'slow'], { env })).stdout;
      expect(line).toMatch(/a\.test\.yaml:\d+\ta5\t@bank @slow\n/);
      expect(server.requests).toHaveLength(0);
      const none = await runVn(['dialogue', 'test', ...files, '--list', '--tag', 'nope'], { env });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/--tag nope matches no conversation/);
    } finally {
      await server.close();
    }
  });

  it('--last-failed runs only what did not pass last time, from a state file under the config directory', async () => {
    const env = { ...emu.env, VN_CONFIG_DIR: join(tmp.dir, 'cfg-lf') };
    const file = write(
      'lf.test.yaml',
      'conversations:\n  - name: good\n    turns:\n      - say: 我想查余额\n  - name: bad\n    turns:\n      - bot: { text: 再见 }\n  - name: also good\n    turns:\n      - say: 你好\n',
    );
    const first = await runVn(['dialogue', 'test', file, '--instance', instance], { env });
    expect(first.code).toBe(1);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'cfg-lf', 'dialogue-last-run.json'), 'utf8')).files[file].failed).toEqual(['bad']);
    const second = await runVn(['dialogue', 'test', file, '--instance', instance, '--last-failed', '--reporter', 'json'], { env });
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout).conversations.map((c: { name: string }) => c.name)).toEqual(['bad']);
    // fixed: it passes, and then nothing is left to run
    writeFileSync(file, readFileSync(file, 'utf8').replace('text: 再见', 'text: 欢迎'));
    expect((await runVn(['dialogue', 'test', file, '--instance', instance, '--last-failed'], { env })).code).toBe(0);
    // nothing left: one clear line and exit 0, no empty summary or report; the record stays as it was
    const state = readFileSync(join(tmp.dir, 'cfg-lf', 'dialogue-last-run.json'), 'utf8');
    const report = join(tmp.dir, 'lf-report.xml');
    const third = await runVn(['dialogue', 'test', file, '--instance', instance, '--last-failed', '--reporter', `junit=${report}`], { env });
    expect(third.code).toBe(0);
    expect(third.stderr).toBe('nothing to run: the last run of these files had no failures\n');
    expect(third.stdout).toBe('');
    expect(existsSync(report)).toBe(false);
    expect(readFileSync(join(tmp.dir, 'cfg-lf', 'dialogue-last-run.json'), 'utf8')).toBe(state);
    const listed = await runVn(['dialogue', 'test', file, '--last-failed', '--list'], { env });
    expect(listed.stderr).toContain('nothing to run: the last run of these files had no failures');
  });
});

describe('findings of the QA run', () => {
  it.skipIf(!has('script'))('the progress line on a real terminal is drawn again after every erase (recorded with script, as the QA run did)', async () => {
    const typescript = join(tmp.dir, 'typescript');
    const file = join(EXAMPLES, 'demo-bank.test.yaml');
    const env = { ...process.env, ...emu.env, NO_COLOR: '1' };
    const cmd = [process.execPath, join(ROOT, 'bin/vn.js'), 'dialogue', 'test', file, '--instance', instance, '--concurrency', '4'];
    for (const extra of [[], ['--repeat', '40']]) {
      const line = [...cmd, ...extra].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
      // asynchronously: the emulator answering it runs in this process
      const status = await new Promise<number | null>((resolve) => {
        const child = spawn('script', ['-q', '-e', '-c', line, typescript], { env, stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      expect(status).toBe(0);
      const raw = readFileSync(typescript, 'utf8');
      const ERASE = '\r\x1b[K';
      const draws = raw.split(`${ERASE}[`).length - 1;
      const erases = raw.split(ERASE).length - 1 - draws;
      expect(draws, extra.join(' ')).toBeGreaterThan(0);
      // the final erase leaves a clean row for the summary; every other erase is followed by a draw
      expect(erases, extra.join(' ')).toBeLessThanOrEqual(draws + 1);
      expect(raw).toMatch(/Conversations: \d+ passed/);
    }
  });

  it('--coverage counts what the bot did: a negative-feedback utterance answered with 无法理解 / Broadcast is not negative feedback', async () => {
    const file = write(
      'nf.test.yaml',
      'conversations:\n  - name: too early\n    turns:\n      - say: 没有了\n        bot: { text: 无法理解, action: Broadcast }\n',
    );
    const r = await runVn(['dialogue', 'test', file, '--instance', instance, '--coverage'], { env: emu.env });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('✗ negative feedback (TransferToIVR): unreached');
    expect(r.stdout).toMatch(/configured targets never seen: .*IVR \{"route":"satisfaction"\}/);
    // after the asking-back prompt it is negative feedback, and the IVR target is seen
    const real = write(
      'nf-real.test.yaml',
      'conversations:\n  - name: survey\n    turns:\n      - say: 我想查余额\n      - say: 没有了\n        bot: { action: TransferToIVR }\n',
    );
    const ok = await runVn(['dialogue', 'test', real, '--instance', instance, '--coverage'], { env: emu.env });
    expect(ok.stdout).toContain('✓ negative feedback (TransferToIVR) (1)');
    expect(ok.stdout).not.toMatch(/never seen: .*IVR/);
  });

  it('`action: Transfer` is not an Action the API has: exit 2 with the choices, nothing sent', async () => {
    const file = write(
      'transfer.test.yaml',
      'conversations:\n  - name: t\n    turns:\n      - say: 我要投诉\n        bot: { action: Transfer }\n      - say: x\n        bot: { action: hangup }\n',
    );
    const r = await runVn(['dialogue', 'test', file, '--instance', instance], { env: emu.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /transfer\.test\.yaml:5:\d+: `action` "Transfer" is not an Action the API answers \(did you mean TransferToAgent\?\); expected Broadcast, TransferToAgent, TransferToIVR, RedirectToPage, HangUp/,
    );
    expect(r.stderr).toMatch(/:7:\d+: `action` "hangup" is not an Action the API answers \(did you mean HangUp\?\)/);
  });

  it('--reporter refuses what cannot be written: unknown names, two reports to stdout, one file twice', async () => {
    const file = join(EXAMPLES, 'demo-bank.test.yaml');
    for (const [argv, message] of [
      [['--reporter', 'tap'], /unknown reporter "tap"/],
      [['--reporter', 'json', '--reporter', 'junit'], /only one report can go to stdout/],
      [['--reporter', 'json=a.json', '--reporter', 'junit=a.json'], /two reports would be written to a\.json/],
      [['--reporter', 'json=x.json', '--report-file', 'y.json'], /--report-file goes with exactly one --reporter/],
      [['--shard', '4/3'], /--shard takes i\/n with 1 ≤ i ≤ n/],
      [['--retries', '1', '--update'], /--update rewrites what failed/],
    ] as [string[], RegExp][]) {
      const r = await runVn(['dialogue', 'test', file, '--instance', instance, ...argv], { env: emu.env });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
