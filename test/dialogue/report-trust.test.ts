import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtomicFile } from '../../src/atomic-file.js';
import { HtmlReporter } from '../../src/dialogue/suite/reporters/html.js';
import { JsonReporter } from '../../src/dialogue/suite/reporters/json.js';
import { JunitReporter } from '../../src/dialogue/suite/reporters/junit.js';
import type { ConversationResult, Reporter } from '../../src/dialogue/suite/runner.js';
import { SummaryBuilder } from '../../src/dialogue/suite/summary.js';
import { TEST_KEY } from '../helpers/emulator.js';
import { json, startRecordingServer } from '../helpers/http-server.js';
import { runVn, tempDir } from '../helpers/run.js';
import { JENKINS_XUNIT_JUNIT_10 } from './fixtures/junit-schemas.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('vn-report-trust-');
});
afterAll(() => tmp?.cleanup());

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const chromium = has('chromium') ? 'chromium' : has('chromium-browser') ? 'chromium-browser' : undefined;

/** Markup that runs script, or adds an element, wherever it lands unescaped. */
const PAYLOAD =
  `</code></td></p><script>document.documentElement.setAttribute('data-pwned','script')</script>` +
  `<img src="x" onerror="document.documentElement.setAttribute('data-pwned','img')"><b id="injected">x</b>`;

/** The DOM after headless Chromium loaded the page and ran whatever script it holds. */
function domOf(file: string): string {
  const profile = mkdtempSync(join(tmpdir(), 'vn-chromium-'));
  try {
    return execFileSync(
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
        '--virtual-time-budget=2000',
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** What ran or was injected: empty when the page stayed inert. */
function executed(dom: string): string[] {
  const found: string[] = [];
  if (/data-pwned=/.test(dom.slice(0, dom.indexOf('<head')))) found.push('script ran');
  if (/<b id="injected">/.test(dom)) found.push('markup injected');
  if (/<script/i.test(dom)) found.push('a script element');
  if (/<img/i.test(dom)) found.push('an img element');
  return found;
}

function conversation(name: string, extra: Partial<ConversationResult> = {}): ConversationResult {
  return {
    file: 'suite.test.yaml',
    name,
    run: 1,
    conversationId: `cid-${name}`,
    outcome: 'passed',
    durationMs: 5.5,
    turns: 1,
    failures: [],
    transcript: [{ line: 3, kind: 'say', input: 'hi', answer: { TextResponse: 'hello', Action: 'Broadcast', ActionParams: '' }, latencyMs: 4.2, ok: true }],
    ...extra,
  };
}

/** A JSON report as `dialogue test --reporter json=FILE` writes it, from these conversations. */
function report(conversations: ConversationResult[], o: { shard?: { index: number; count: number }; version?: number | null } = {}) {
  const b = new SummaryBuilder();
  for (const c of conversations) b.add(c);
  const summary = b.build({ skipped: 0, durationMs: 20, shard: o.shard });
  return { ...(o.version === null ? {} : { schemaVersion: o.version ?? 1 }), conversations, summary };
}

function writeJson(name: string, doc: unknown): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

describe('dialogue merge: a shard report is checked against the report schema', () => {
  it('an outcome vn never writes ("FAILED", "exploded") is exit 2 naming the file and the field, never a pass', async () => {
    for (const outcome of ['FAILED', 'exploded']) {
      const file = writeJson(`outcome-${outcome}.json`, report([conversation('a'), conversation('b', { outcome: outcome as 'failed' })]));
      const r = await runVn(['dialogue', 'merge', file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        `${file}: conversations[1].outcome the text "${outcome}" is not an outcome vn writes (passed, flaky, failed, errored, timedOut, updated)`,
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('fields of the wrong type are exit 2 naming the file and the field, and no report is written', async () => {
    const html = join(tmp.dir, 'never.html');
    const cases: [string, (d: ReturnType<typeof report>) => void, string][] = [
      ['turns', (d) => Object.assign(d.conversations[0] as object, { turns: PAYLOAD }), 'conversations[0].turns must be a whole number ≥ 0'],
      [
        'line',
        (d) => Object.assign(d.conversations[0]?.transcript[0] as object, { line: PAYLOAD }),
        'conversations[0].transcript[0].line must be a whole number ≥ 0',
      ],
      [
        'error.line',
        (d) => Object.assign(d.conversations[0] as object, { outcome: 'errored', error: { message: 'x', line: PAYLOAD } }),
        'conversations[0].error.line must be a whole number ≥ 0',
      ],
      ['failures', (d) => Object.assign(d.conversations[0] as object, { failures: 'none' }), 'conversations[0].failures must be a list'],
      ['durationMs', (d) => Object.assign(d.summary, { durationMs: '12' }), 'summary.durationMs must be a number of milliseconds'],
      [
        'hits',
        (d) =>
          Object.assign(d.summary, {
            coverage: [
              {
                instanceId: 'i',
                paths: [{ id: 'p', label: 'l', configured: true, hits: PAYLOAD }],
                actions: {},
                targets: {},
                configuredTargets: [],
                unseenTargets: [],
              },
            ],
          }),
        'summary.coverage[0].paths[0].hits must be a whole number ≥ 0',
      ],
      ['shard', (d) => Object.assign(d.summary, { shard: { index: 1, count: 4294967295 } }), 'summary.shard.count must be at most 1000'],
      ['conversations', (d) => Object.assign(d, { conversations: {} }), 'conversations must be a list'],
    ];
    for (const [what, spoil, message] of cases) {
      const doc = report([conversation('a')]);
      spoil(doc);
      const file = writeJson(`wrong-${what}.json`, doc);
      const r = await runVn(['dialogue', 'merge', file, '--reporter', `html=${html}`]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr, what).toContain(`${file}: ${message}`);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(existsSync(html), what).toBe(false);
    }
  });

  it('reads schemaVersion 1 and the current report without one; a newer version is exit 2', async () => {
    const v1 = writeJson('v1.json', report([conversation('a')]));
    const none = writeJson('none.json', report([conversation('b')], { version: null }));
    const ok = await runVn(['dialogue', 'merge', v1, none, '--reporter', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    const merged = JSON.parse(ok.stdout);
    expect(merged.schemaVersion).toBe(1);
    expect(merged.summary.conversations).toBe(2);
    const v2 = writeJson('v2.json', report([conversation('a')], { version: 2 }));
    const r = await runVn(['dialogue', 'merge', v2]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${v2}: schemaVersion 2 is newer than this vn reads (1): upgrade vn`);
  });

  it('refuses a shard given twice: the same file, or two files with the same summary.shard index', async () => {
    const s1 = writeJson('s1.json', report([conversation('a')], { shard: { index: 1, count: 2 } }));
    const same = await runVn(['dialogue', 'merge', s1, s1]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain(`${s1}: the same report as ${s1}`);
    const copy = writeJson('s1-copy.json', report([conversation('b')], { shard: { index: 1, count: 2 } }));
    const twice = await runVn(['dialogue', 'merge', s1, copy, '--reporter', 'json']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`${copy}: shard 1 again (${s1} is shard 1 too)`);
    expect(twice.stdout).toBe('');
  });

  it('missing shards, different splits or counts that disagree: the merge is rendered, warned about, and exits 7', async () => {
    const s1 = writeJson('m1.json', report([conversation('a')], { shard: { index: 1, count: 3 } }));
    const s3 = writeJson('m3.json', report([conversation('c')], { shard: { index: 3, count: 3 } }));
    const missing = await runVn(['dialogue', 'merge', s1, s3, '--reporter', 'json']);
    expect(missing.code).toBe(7);
    expect(JSON.parse(missing.stdout).summary.conversations).toBe(2);
    expect(missing.stderr).toContain('warning: shard 2 of 3 missing: the merged run is not the whole suite');
    const s2 = writeJson('m2.json', report([conversation('b')], { shard: { index: 2, count: 3 } }));
    expect((await runVn(['dialogue', 'merge', s1, s2, s3])).code).toBe(0);

    const other = writeJson('o2.json', report([conversation('b')], { shard: { index: 2, count: 4 } }));
    const split = await runVn(['dialogue', 'merge', s1, other, s3]);
    expect(split.code).toBe(7);
    expect(split.stderr).toContain(`warning: the shards are of different splits: ${s1} is 1/3, ${other} is 2/4, ${s3} is 3/3`);

    const lying = report([conversation('a'), conversation('b', { outcome: 'failed' })]);
    lying.summary.failed = 0;
    lying.summary.passed = 2;
    const liar = writeJson('liar.json', lying);
    const counts = await runVn(['dialogue', 'merge', liar]);
    // the failed conversation counts (exit 1 wins over 7), and the disagreement is told
    expect(counts.code).toBe(1);
    expect(counts.stderr).toContain(`warning: ${liar}: its summary disagrees with its conversations (passed 2, counted 1; failed 0, counted 1)`);
  });
});

describe('every reporter escapes for its format, whatever the field’s type', () => {
  /** A conversation whose every field a reporter shows holds markup, some of them where a number belongs. */
  function hostile(): ConversationResult {
    const answer = { TextResponse: PAYLOAD, Action: PAYLOAD, ActionParams: { skillGroupId: PAYLOAD } as unknown as string, Interruptible: true };
    return {
      file: `${PAYLOAD}.test.yaml`,
      name: PAYLOAD,
      tags: [PAYLOAD],
      run: PAYLOAD as unknown as number,
      conversationId: PAYLOAD,
      outcome: 'failed',
      durationMs: PAYLOAD as unknown as number,
      turns: PAYLOAD as unknown as number,
      failures: [
        {
          line: PAYLOAD as unknown as number,
          sent: PAYLOAD,
          answer,
          latencyMs: 3,
          mismatches: [{ key: PAYLOAD as 'text', expected: PAYLOAD, actual: { x: PAYLOAD } }],
        },
      ],
      error: { message: PAYLOAD, code: PAYLOAD, requestId: PAYLOAD, step: PAYLOAD, line: PAYLOAD as unknown as number },
      transcript: [
        { line: PAYLOAD as unknown as number, kind: 'say', input: PAYLOAD, answer, latencyMs: PAYLOAD as unknown as number, ok: false },
        { line: 4, kind: 'dtmf', input: PAYLOAD, answer: { ...answer, ActionParams: PAYLOAD }, latencyMs: 2, ok: true },
      ],
      retries: [{ conversationId: PAYLOAD, outcome: PAYLOAD as 'failed', durationMs: 1, turns: 1, failures: [], transcript: [] }],
    };
  }

  async function render(reporter: Reporter, c: ConversationResult): Promise<void> {
    const b = new SummaryBuilder();
    b.add({ ...c, outcome: 'failed' });
    const summary = b.build({ skipped: 0, durationMs: 10, maxP95Ms: 1 });
    summary.coverage = [
      {
        instanceId: PAYLOAD,
        paths: [{ id: 'p', label: PAYLOAD, configured: true, hits: PAYLOAD as unknown as number }],
        actions: { [PAYLOAD]: PAYLOAD as unknown as number },
        targets: { [PAYLOAD]: 1 },
        configuredTargets: [PAYLOAD],
        unseenTargets: [PAYLOAD],
      },
    ];
    summary.unreachable = PAYLOAD;
    (summary as unknown as Record<string, unknown>).turns = PAYLOAD;
    await reporter.start({ files: 1, conversations: 1 });
    await reporter.conversation(c);
    await reporter.end(summary);
  }

  it.skipIf(!chromium)(
    'html: headless Chromium runs no script and shows no injected element (and the check sees one in an unescaped page)',
    async () => {
      // the check itself: the same markup unescaped runs its script in this browser
      const raw = join(tmp.dir, 'raw.html');
      writeFileSync(raw, `<!doctype html><html><head><title>t</title></head><body><p>${PAYLOAD}</p></body></html>`);
      expect(executed(domOf(raw))).toContain('script ran');

      const out = join(tmp.dir, 'hostile.html');
      const scratch = mkdtempSync(join(tmp.dir, 'scratch-'));
      await render(new HtmlReporter(undefined, out, { scratchDir: scratch }), hostile());
      const html = readFileSync(out, 'utf8');
      expect(html).not.toContain('<script');
      const dom = domOf(out);
      // the page rendered: the conversation and its transcript are there, the markup shown as text
      expect(dom).toContain('<section class="conversation failed"');
      expect(dom).toContain('&lt;script&gt;document.documentElement.setAttribute');
      expect(executed(dom)).toEqual([]);
      expect(readdirSync(scratch)).toEqual([]);
    },
    120_000,
  );

  it.skipIf(!chromium)(
    'html from dialogue merge: a hostile but well-typed shard renders inert in headless Chromium',
    async () => {
      const c = conversation(PAYLOAD, {
        file: PAYLOAD,
        tags: [PAYLOAD],
        outcome: 'errored',
        error: { message: PAYLOAD, code: PAYLOAD, step: PAYLOAD, line: 3, requestId: PAYLOAD },
        failures: [
          {
            line: 3,
            sent: PAYLOAD,
            answer: { TextResponse: PAYLOAD },
            latencyMs: 1,
            mismatches: [{ key: PAYLOAD as 'text', expected: PAYLOAD, actual: PAYLOAD }],
          },
        ],
        transcript: [
          { line: 3, kind: 'say', input: PAYLOAD, answer: { TextResponse: PAYLOAD, Action: PAYLOAD, ActionParams: PAYLOAD }, latencyMs: 4, ok: false },
        ],
      });
      const doc = report([c]);
      doc.summary.coverage = [
        {
          instanceId: PAYLOAD,
          paths: [{ id: PAYLOAD, label: PAYLOAD, configured: true, hits: 2 }],
          actions: { [PAYLOAD]: 1 },
          targets: { [PAYLOAD]: 1 },
          configuredTargets: [PAYLOAD],
          unseenTargets: [PAYLOAD],
        },
      ];
      const file = writeJson('hostile-shard.json', doc);
      const out = join(tmp.dir, 'merged-hostile.html');
      const r = await runVn(['dialogue', 'merge', file, '--reporter', `html=${out}`]);
      expect(r.code, r.stderr).toBe(1);
      expect(executed(domOf(out))).toEqual([]);
    },
    120_000,
  );

  it.skipIf(!has('xmllint'))('junit: the report of hostile fields of any type validates against junit-10.xsd with xmllint', async () => {
    const xsd = join(tmp.dir, 'junit-10.xsd');
    writeFileSync(xsd, JENKINS_XUNIT_JUNIT_10);
    const out = join(tmp.dir, 'hostile.xml');
    const scratch = mkdtempSync(join(tmp.dir, 'scratch-'));
    const c = hostile();
    c.name = `${PAYLOAD}]]>\u0001\u001b[31m' "`;
    await render(new JunitReporter(undefined, out, { repeat: 2, scratchDir: scratch }), c);
    const r = spawnSync('xmllint', ['--noout', '--schema', xsd, out], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/validates/);
    expect(r.status).toBe(0);
    const xml = readFileSync(out, 'utf8');
    expect(xml).not.toContain('<script');
    expect(xml).toContain('time="0.000"');
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('wrong types never crash', () => {
  const env = (url: string, cfg: string) => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
    VN_ENDPOINT: url,
    VN_CONFIG_DIR: join(tmp.dir, cfg),
  });
  const suite = () => {
    const p = join(tmp.dir, 'bot.test.yaml');
    writeFileSync(
      p,
      'conversations:\n  - name: transfer\n    turns:\n      - say: 我要投诉\n        bot: { action: TransferToAgent, params: { skillGroupId: g1 } }\n',
    );
    return p;
  };

  it('an ActionParams that is not a string (an object, a number) still gives every report, and the tests pass', async () => {
    for (const params of [{ skillGroupId: 'g1' }, 12]) {
      const server = await startRecordingServer((req, res) =>
        json(res, 200, {
          RequestId: 'r',
          TextResponse: '好的',
          Action: req.params.Action === 'DebugDialogue' ? 'TransferToAgent' : 'Broadcast',
          ActionParams: req.params.Action === 'DebugDialogue' ? params : '',
        }),
      );
      try {
        const html = join(tmp.dir, `params-${typeof params}.html`);
        const junit = join(tmp.dir, `params-${typeof params}.xml`);
        const r = await runVn(
          ['dialogue', 'test', suite(), '--instance', 'a1111111-0000-4000-8000-000000000001', '--reporter', `html=${html}`, '--reporter', `junit=${junit}`],
          {
            env: env(server.url, 'cfg-params'),
          },
        );
        if (typeof params === 'object') expect(r.code, r.stderr).toBe(0);
        else expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).not.toMatch(/internal failure|is not a function/);
        expect(readFileSync(html, 'utf8')).toContain(
          typeof params === 'object' ? '{&quot;skillGroupId&quot;:&quot;g1&quot;}' : '<code class="params">12</code>',
        );
        expect(existsSync(junit)).toBe(true);
      } finally {
        await server.close();
      }
    }
  });

  it('--last-failed with a state file of the wrong shape is exit 2 naming the file; a run replaces such a file', async () => {
    const cfg = join(tmp.dir, 'cfg-state');
    mkdirSync(cfg, { recursive: true });
    const state = join(cfg, 'dialogue-last-run.json');
    const file = suite();
    for (const bad of ['{"files":{"x":{"failed":5,"at":"t"}}}', '{"files":[]}', '[1]', 'not json']) {
      writeFileSync(state, bad);
      const r = await runVn(['dialogue', 'test', file, '--last-failed', '--list'], { env: env('http://127.0.0.1:9', 'cfg-state') });
      expect(r.code, `${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${state}: `);
      expect(r.stderr).toContain('--last-failed cannot use it (remove the file to start afresh)');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('stats conversation --as-test leaves out a null detail row (and says so) instead of crashing', async () => {
    const server = await startRecordingServer((req, res) => {
      if (req.params.Action === 'DescribeConversation') return json(res, 200, { RequestId: 'r', CallingNumber: 13800000000 });
      return json(res, 200, {
        RequestId: 'r',
        ConversationDetails: [
          null,
          { SequenceId: 1, Speaker: 'Chatbot', Utterance: '您好', Action: 'Broadcast', ActionParams: '' },
          7,
          { SequenceId: 2, Speaker: 'Customer', Utterance: 123, Action: '', ActionParams: { vip: true } },
          { SequenceId: 3, Speaker: 'Chatbot', Utterance: '好的', Action: 'TransferToAgent', ActionParams: { skillGroupId: 'g1' } },
        ],
      });
    });
    try {
      const r = await runVn(['stats', 'conversation', 'a1111111-0000-4000-8000-000000000001', 'c-1', '--as-test'], { env: env(server.url, 'cfg-as-test') });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('warning: 2 rows of ListConversationDetails are not an object: left out of the test');
      expect(r.stdout).toContain('say: "123"');
      expect(r.stdout).toMatch(/skillGroupId: g1/);
    } finally {
      await server.close();
    }
  });

  it('--shard numbers are bounded: exit 2 in one line, at once', async () => {
    const file = suite();
    for (const shard of ['1/4294967295', '1/99999999999999999999', '1/1001', '0/3', '4/3']) {
      const started = performance.now();
      const r = await runVn(['dialogue', 'test', file, '--shard', shard, '--list'], { env: env('http://127.0.0.1:9', 'cfg-shard') });
      expect(r.code, shard).toBe(2);
      expect(r.stderr.trim().split('\n'), shard).toHaveLength(1);
      expect(r.stderr).toMatch(/--shard takes i\/n with 1 ≤ i ≤ n ≤ 1000/);
      expect(performance.now() - started).toBeLessThan(2000);
    }
    expect((await runVn(['dialogue', 'test', file, '--shard', '1000/1000', '--list'], { env: env('http://127.0.0.1:9', 'cfg-shard') })).code).toBe(0);
  });
});

describe('report files', () => {
  it('--reporter json=missing/dir/r.json is exit 2 before anything is sent', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 500, {}));
    try {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-target'),
      };
      const p = join(tmp.dir, 'target.test.yaml');
      writeFileSync(p, 'conversations:\n  - name: a\n    turns:\n      - say: hi\n');
      const missing = join(tmp.dir, 'missing', 'dir', 'r.json');
      const r = await runVn(['dialogue', 'test', p, '--instance', 'a1111111-0000-4000-8000-000000000001', '--reporter', `json=${missing}`], { env });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`error: --reporter json=${missing}: the directory ${join(tmp.dir, 'missing', 'dir')} does not exist`);
      const dir = join(tmp.dir);
      const asDir = await runVn(['dialogue', 'test', p, '--instance', 'a1111111-0000-4000-8000-000000000001', '--reporter', `html=${dir}`], { env });
      expect(asDir.code).toBe(2);
      expect(asDir.stderr).toContain(`is a directory`);
      expect(server.requests).toHaveLength(0);
      const merge = await runVn(['dialogue', 'merge', writeJson('t.json', report([conversation('a')])), '--reporter', `junit=${missing}`]);
      expect(merge.code).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('a report that cannot be put in place leaves no temp or spool file behind', async () => {
    for (const name of ['json', 'junit', 'html'] as const) {
      const dir = mkdtempSync(join(tmp.dir, `fail-${name}-`));
      const scratch = mkdtempSync(join(tmp.dir, `spool-${name}-`));
      const target = join(dir, `r.${name}`);
      const reporter: Reporter =
        name === 'json'
          ? new JsonReporter(undefined, target)
          : name === 'junit'
            ? new JunitReporter(undefined, target, { repeat: 1, scratchDir: scratch })
            : new HtmlReporter(undefined, target, { scratchDir: scratch });
      await reporter.start({ files: 1, conversations: 1 });
      await reporter.conversation(conversation('a', { outcome: 'failed' }));
      // the target became a directory that is not empty: the rename fails
      mkdirSync(join(target, 'x'), { recursive: true });
      const b = new SummaryBuilder();
      await expect(Promise.resolve(reporter.end(b.build({ skipped: 0, durationMs: 1 })))).rejects.toThrow();
      expect(readdirSync(dir), name).toEqual([`r.${name}`]);
      expect(readdirSync(scratch), name).toEqual([]);
    }
    // a run that stops before the end: abort removes what was spooled
    const scratch = mkdtempSync(join(tmp.dir, 'spool-abort-'));
    const target = join(tmp.dir, 'aborted.html');
    const html = new HtmlReporter(undefined, target, { scratchDir: scratch });
    await html.conversation(conversation('a'));
    expect(readdirSync(scratch)).toHaveLength(1);
    await html.abort();
    expect(readdirSync(scratch)).toEqual([]);
    expect(existsSync(target)).toBe(false);
  });

  it('AtomicFile: a failed commit removes its temp file and keeps the target', async () => {
    const dir = mkdtempSync(join(tmp.dir, 'atomic-'));
    const target = join(dir, 'keep');
    mkdirSync(join(target, 'inside'), { recursive: true });
    const f = new AtomicFile(target);
    await f.write('text');
    await expect(f.commit()).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['keep']);
    expect(readdirSync(target)).toEqual(['inside']);
  });
});

describe('the last-run state under a lock', () => {
  it('8 runs side by side each keep their results in dialogue-last-run.json', async () => {
    const server = await startRecordingServer((_req, res) => json(res, 200, { RequestId: 'r', TextResponse: '不对', Action: 'Broadcast', ActionParams: '' }));
    try {
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-lock'),
      };
      const files = Array.from({ length: 8 }, (_, i) => {
        const p = join(tmp.dir, `lock-${i}.test.yaml`);
        writeFileSync(p, `conversations:\n  - name: c${i}\n    turns:\n      - say: hi\n        bot: { text: 再见 }\n`);
        return p;
      });
      const runs = await Promise.all(files.map((f) => runVn(['dialogue', 'test', f, '--instance', 'a1111111-0000-4000-8000-000000000001'], { env })));
      for (const r of runs) expect(r.code, r.stderr).toBe(1);
      const state = JSON.parse(readFileSync(join(tmp.dir, 'cfg-lock', 'dialogue-last-run.json'), 'utf8'));
      expect(Object.keys(state.files).sort()).toEqual([...files].sort());
      for (const [i, f] of files.entries()) expect(state.files[f].failed).toEqual([`c${i}`]);
      // and --last-failed of each file finds its own conversation
      const again = await runVn(['dialogue', 'test', files[3] as string, '--last-failed', '--list', '-o', 'tsv'], { env });
      expect(again.stdout).toMatch(/\tc3\n/);
    } finally {
      await server.close();
    }
  }, 30_000);
});

describe('textMatches and save run with a time limit', () => {
  it('a pattern with catastrophic backtracking fails its conversation within --timeout, not never', async () => {
    const server = await startRecordingServer((_req, res) =>
      json(res, 200, { RequestId: 'r', TextResponse: `${'a'.repeat(48)}!`, Action: 'Broadcast', ActionParams: '' }),
    );
    try {
      const p = join(tmp.dir, 'redos.test.yaml');
      writeFileSync(
        p,
        'conversations:\n  - name: redos\n    turns:\n      - say: hi\n        bot: { textMatches: "^(a+)+$" }\n  - name: fine\n    turns:\n      - say: hi\n        bot: { textMatches: "^a+!$" }\n',
      );
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
        VN_ENDPOINT: server.url,
        VN_CONFIG_DIR: join(tmp.dir, 'cfg-redos'),
      };
      const started = performance.now();
      const r = await runVn(['dialogue', 'test', p, '--instance', 'a1111111-0000-4000-8000-000000000001', '--timeout', '1000', '--reporter', 'json'], { env });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(r.code).toBe(1);
      const [redos, fine] = JSON.parse(r.stdout).conversations;
      expect(redos.outcome).toBe('errored');
      expect(redos.error.message).toBe('the pattern /^(a+)+$/ did not finish within 1000 ms (--timeout): it backtracks too much on this text');
      // the next pattern runs in a fresh worker
      expect(fine.outcome).toBe('passed');
    } finally {
      await server.close();
    }
  }, 30_000);

  it('the common case stays fast: thousands of patterns in well under a second each batch', async () => {
    const { checkTurn } = await import('../../src/dialogue/suite/expectations.js');
    const turn = { TextResponse: '您的余额是100元', Action: 'Broadcast', ActionParams: '' };
    checkTurn({ textMatches: '余额' }, turn, 1, undefined, 5000);
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      const r = checkTurn({ textMatches: '余额是\\d+元', save: { amount: '余额是(\\d+)元' } }, turn, 1, undefined, 5000);
      expect(r.mismatches).toEqual([]);
      expect(r.captures.amount).toBe('100');
    }
    // 4000 matches; measured about 40 µs each on an idle machine
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
