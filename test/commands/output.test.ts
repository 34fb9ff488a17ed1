import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { displayWidth } from '../../src/output/table.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runVn, spawnVn } from '../helpers/run.js';

/** Output and interaction points of issue 12, end to end against the emulator. */

let emu: TestEmulator;
let id: string;
const vn = (argv: string[], env: Record<string, string> = {}) => runVn(argv, { env: { ...emu.env, ...env } });
const json = async (...argv: string[]) => {
  const r = await vn([...argv, '-o', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const LONG_NAME = '客服热线客服热线客服热线客服热线客服热线客服热线';
const LONG_DESCRIPTION = '这是一个非常长的描述，'.repeat(6);

beforeAll(async () => {
  emu = await startTestEmulator();
  id = (await json('instance', 'create', '--name', LONG_NAME, '--concurrency', '10', '--description', LONG_DESCRIPTION)).InstanceId;
  await json('instance', 'create', '--name', '短名', '--concurrency', '2');
});
afterAll(async () => {
  await emu.stop();
});

describe('tables fit the terminal', () => {
  it('COLUMNS=80 vn -o table instance list prints no line wider than 80 cells, even with long CJK names', async () => {
    const r = await spawnVn(['-o', 'table', 'instance', 'list'], { env: { ...emu.env, COLUMNS: '80' } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS/);
    for (const l of lines) expect(displayWidth(l), l).toBeLessThanOrEqual(80);
    expect(r.stdout).toContain(id);
    expect(r.stdout).toContain('…');
  });

  it.each(['60', '100', '140'])('and at COLUMNS=%s', async (columns) => {
    const r = await vn(['-o', 'table', 'instance', 'list'], { COLUMNS: columns });
    for (const l of r.stdout.trimEnd().split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(Number(columns));
  });

  it('instance chatbots fits 80 columns too', async () => {
    const r = await vn(['-o', 'table', 'instance', 'chatbots'], { COLUMNS: '80' });
    expect(r.code, r.stderr).toBe(0);
    for (const l of r.stdout.trimEnd().split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(80);
  });

  it('stats summary fits 80 columns with its headers on two lines, not cut', async () => {
    const r = await vn(['-o', 'table', 'stats', 'summary', id, '--time-unit', 'day', '--from', '-2d'], { COLUMNS: '80' });
    expect(r.code, r.stderr).toBe(0);
    for (const l of r.stdout.trimEnd().split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(80);
    expect(r.stdout).toMatch(
      /^PERIOD\s+CONVERSATIONS\s+RESOLVED\s+KNOWLEDGE\s+VALID\s+RESOLUTION\s+DIALOGUE\n\(UTC\)\s+HIT\s+ANSWER\s+PASS\n\d{4}-\d{2}-\d{2}\s/m,
    );
  });

  it('-o wide shows every column, whole', async () => {
    const r = await vn(['-o', 'wide', 'instance', 'list'], { COLUMNS: '80' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(LONG_NAME);
    expect(r.stdout).toContain(LONG_DESCRIPTION);
    expect(r.stdout.split('\n')[0]).toMatch(/MODIFIED\s+CreateTime\s+.*ApplicableOperations/);
  });

  it('a --query result renders as values, not characters', async () => {
    const r = await vn(['-o', 'table', 'instance', 'describe', id, '--query', '[Status,ApplicableOperations]']);
    expect(r.stdout).toBe('VALUE\nPublished\nDisable, Modify\n');
  });
});

describe('names give way last (issue 21, item 6)', () => {
  let many: TestEmulator;
  const NAMES = Array.from({ length: 11 }, (_, i) => `华东区域智能客服热线第${'一二三四五六七八九十百'[i]}号备用线路`);
  beforeAll(async () => {
    many = await startTestEmulator();
    for (const name of NAMES) {
      const r = await runVn(['instance', 'create', '--name', name, '--concurrency', '10', '-o', 'json'], { env: many.env });
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await many.stop();
  });

  it('COLUMNS=80 with 11 long CJK names and near-empty descriptions: names readable, every line within 80 cells', async () => {
    const r = await runVn(['-o', 'table', 'instance', 'list', '--page-size', '20'], { env: { ...many.env, COLUMNS: '80' } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect(displayWidth(l), l).toBeLessThanOrEqual(80);
    // every name shows at least its first nine characters (it was cut to two while DESCRIPTION kept ten cells)
    for (const name of NAMES) expect(r.stdout).toContain(name.slice(0, 9));
    const header = lines[0] as string;
    const name = header.indexOf('NAME');
    const next = header.slice(name + 4).search(/\S/) + name + 4;
    expect(displayWidth(header.slice(name, next))).toBeGreaterThanOrEqual(18);
  });
});

describe('--query and enum flags', () => {
  it("the README's --query example exits 0", async () => {
    const r = await vn(['instance', 'list', '--all', '-o', 'json', '--query', 'Instances[?Status==`Published`].InstanceId']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toContain(id);
  });

  it('--status takes the value the output shows, in any case', async () => {
    for (const status of ['Published', 'published', 'PUBLISHED']) {
      const r = await json('instance', 'list', '--status', status);
      expect(r.Instances.map((x: { InstanceId: string }) => x.InstanceId)).toContain(id);
    }
  });

  it('a misspelt value is refused with "did you mean", exit 2, nothing sent', async () => {
    const r = await vn(['--debug', 'instance', 'list', '--status', 'Publishd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --status must be one of PUBLISHED, DRAFTED, DISABLED, got "Publishd" \(did you mean PUBLISHED\?\)$/m);
    expect(r.stderr).not.toMatch(/\[debug\] >/);
    const o = await vn(['-o', 'jsn', 'instance', 'list']);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/did you mean json\?/);
  });

  it('--final-action Hangup and -o JSON are accepted', async () => {
    const r = await vn(['ivr', 'set-silence-timeout', id, '--final-action', 'Hangup', '-o', 'table']);
    expect(r.code, r.stderr).toBe(0);
    expect((await json('ivr', 'get', id)).SilenceTimeoutConfig.FinalAction).toBe('HangUp');
    const upper = await vn(['-o', 'JSON', 'instance', 'describe', id]);
    expect(JSON.parse(upper.stdout).InstanceId).toBe(id);
  });
});

describe('partial updates read, merge and write', () => {
  it('ivr set-silence-timeout ID --timeout 8 changes the timeout and keeps every other silence setting', async () => {
    const before = (await json('ivr', 'get', id)).SilenceTimeoutConfig;
    const r = await vn(['ivr', 'set-silence-timeout', id, '--timeout', '8', '-o', 'table']);
    expect(r.code, r.stderr).toBe(0);
    const after = (await json('ivr', 'get', id)).SilenceTimeoutConfig;
    expect(after).toEqual({ ...before, Timeout: 8 });
  });

  it('--dry-run reads the current config and shows the merged request, and writes nothing', async () => {
    const before = (await json('ivr', 'get', id)).UnrecognizingConfig;
    const r = await vn(['--dry-run', 'ivr', 'set-unrecognizing', id, '--threshold', '7']);
    expect(r.code, r.stderr).toBe(0);
    // what changes comes first, one line per field, then the request
    const [change, request] = r.stdout.split('\n');
    expect(change).toMatch(/^unrecognizing\.threshold \d+ → 7$/);
    const url = new URL((request as string).split(/\s+/)[1] as string);
    expect(url.searchParams.get('Action')).toBe('ModifyUnrecognizingConfig');
    expect(url.searchParams.get('Threshold')).toBe('7');
    expect(url.searchParams.get('Prompt')).toBe(before.Prompt);
    expect(url.searchParams.get('FinalPrompt')).toBe(before.FinalPrompt);
    expect(url.searchParams.get('FinalAction')).toBe(before.FinalAction);
    expect((await json('ivr', 'get', id)).UnrecognizingConfig).toEqual(before);
  });

  it('ivr set-unrecognizing and set-greeting change only what is given', async () => {
    const before = await json('ivr', 'get', id);
    await json('ivr', 'set-unrecognizing', id, '--threshold', '2');
    await json('ivr', 'set-greeting', id, '--words', '您好');
    const after = await json('ivr', 'get', id);
    expect(after.UnrecognizingConfig).toEqual({ ...before.UnrecognizingConfig, Threshold: 2 });
    expect(after.GreetingConfig).toEqual({ ...before.GreetingConfig, GreetingWords: '您好' });
    expect(after.SilenceTimeoutConfig).toEqual(before.SilenceTimeoutConfig);
  });

  it('instance modify ID --name X keeps the concurrency and the description', async () => {
    const r = await vn(['instance', 'modify', id, '--name', '新名字']);
    expect(r.code, r.stderr).toBe(0);
    expect(await json('instance', 'describe', id)).toMatchObject({ Name: '新名字', Concurrency: 10, Description: LONG_DESCRIPTION });
  });

  it('nothing to change is a usage error, and nothing is sent', async () => {
    const r = await vn(['--debug', 'ivr', 'set-silence-timeout', id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to change: give at least one of --prompt/);
    expect(r.stderr).not.toMatch(/\[debug\] >/);
  });
});

describe('views', () => {
  it('stats summary: -o tsv has the table columns in the table order; empty periods show —; debug is not counted', async () => {
    // one live conversation (counted) and one debug conversation (not counted)
    const live = (await json('dialogue', 'begin', id, '--calling-number', '13800000000', '--env', 'live')).ConversationId;
    await json('dialogue', 'say', id, live, '我想查余额', '--env', 'live');
    await json('dialogue', 'end', id, live);
    await json('dialogue', 'begin', id, '--calling-number', '13800000001');
    const range = ['--time-unit', 'day', '--from', '-3d', '--to', 'now'];
    const table = await vn(['stats', 'summary', id, ...range, '-o', 'table']);
    const tsv = await vn(['stats', 'summary', id, ...range, '-o', 'tsv']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/debug conversations .* are not counted/);
    const lines = table.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('PERIOD (UTC)'));
    const headers = (lines[head] as string).split(/\s{2,}/);
    expect(headers).toEqual(['PERIOD (UTC)', 'CONVERSATIONS', 'RESOLVED', 'KNOWLEDGE HIT', 'VALID ANSWER', 'RESOLUTION', 'DIALOGUE PASS']);
    const tableRows = lines.slice(head + 1, lines.indexOf('', head)).map((l) => l.split(/\s{2,}/));
    const tsvRows = tsv.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(tsvRows).toEqual(tableRows);
    const busy = tsvRows.find((r) => r[1] === '1') as string[];
    expect(busy).toBeDefined();
    const empty = tsvRows.find((r) => r[1] === '0') as string[];
    expect(empty.slice(3)).toEqual(['—', '—', '—', '—']);
  });

  it('recording get --slices shows the slices as a table, not a JSON blob', async () => {
    const c = (await json('dialogue', 'begin', id, '--calling-number', '13800000002', '--env', 'live')).ConversationId;
    await json('dialogue', 'say', id, c, '我想查余额', '--env', 'live');
    const r = await vn(['recording', 'get', id, c, '--slices', '-o', 'table']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('VoiceSliceRecordingListJson');
    expect(r.stdout).not.toContain('[{');
    expect(r.stdout).toMatch(/^Voice slices \(\d+\)$/m);
    expect(r.stdout).toMatch(/^#\s+SPEAKER\s+START\s+LENGTH\s+FILE\s+URL$/m);
  });

  it('-o yaml parses as YAML and equals the JSON', async () => {
    for (const argv of [
      ['instance', 'describe', id],
      ['ivr', 'get', id],
      ['instance', 'list', '--query', 'Instances[].[InstanceId,Name]'],
    ]) {
      const y = await vn([...argv, '-o', 'yaml']);
      const j = await vn([...argv, '-o', 'json']);
      const { RequestId: _a, ...fromYaml } = { RequestId: '', ...(parse(y.stdout) as object) } as Record<string, unknown>;
      const { RequestId: _b, ...fromJson } = { RequestId: '', ...(JSON.parse(j.stdout) as object) } as Record<string, unknown>;
      expect(fromYaml).toEqual(fromJson);
    }
  });

  it('piped JSON is compact whether or not --query is given', async () => {
    for (const argv of [
      ['instance', 'describe', id],
      ['instance', 'describe', id, '--query', '{n: Name, c: Concurrency}'],
      ['dialogue', 'begin', id, '--calling-number', '1'],
    ]) {
      const r = await vn([...argv, '-o', 'json']);
      expect(r.stdout.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });
});

describe('help and names', () => {
  it('a list command names its table and TSV columns; no command repeats the global options', async () => {
    const r = await vn(['instance', 'list', '--help']);
    expect(r.stdout).toMatch(/Columns \(table and -o tsv, in this order.*\):\n {2}ID, NAME, STATUS, CONCURRENCY, DESCRIPTION, MODIFIED/);
    expect(r.stdout).not.toContain('Global Options:');
    expect(r.stdout).not.toContain('--signature-version');
    expect(r.stdout).toMatch(/^Global options .*: see vn --help$/m);
    const s = await vn(['stats', 'summary', '--help']);
    expect(s.stdout).toContain('PERIOD (UTC), CONVERSATIONS, RESOLVED, KNOWLEDGE HIT, VALID ANSWER, RESOLUTION, DIALOGUE PASS');
    for (const argv of [
      ['ivr', '--help'],
      ['ivr', 'asr', 'get', '--help'],
      ['dialogue', 'chat', '--help'],
    ]) {
      const h = await vn(argv);
      expect(h.stdout, argv.join(' ')).not.toContain('--signature-version');
      expect(h.stdout.split('\n').length, argv.join(' ')).toBeLessThan(45);
    }
  });

  it('export download-tasks lists download tasks; export tasks still works', async () => {
    const a = await vn(['export', 'download-tasks', '-o', 'json']);
    const b = await vn(['export', 'tasks', '-o', 'json']);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).DownloadTasks).toBeDefined();
    expect(JSON.parse(b.stdout).DownloadTasks).toEqual(JSON.parse(a.stdout).DownloadTasks);
  });

  it('--output-file is the one name for writing a file; --save and --download are hidden aliases', async () => {
    for (const argv of [
      ['tts', 'audition', '--help'],
      ['recording', 'get', '--help'],
      ['export', 'conversations', '--help'],
    ]) {
      const h = await vn(argv);
      expect(h.stdout, argv.join(' ')).toContain('--output-file');
      expect(h.stdout, argv.join(' ')).not.toMatch(/--save\b|--download\b/);
    }
  });
});
