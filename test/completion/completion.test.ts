import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runVn, tempDir } from '../helpers/run.js';

const FILES = { bash: 'vn.bash', zsh: '_vn', fish: 'vn.fish' } as const;

function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

let tmp: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tmp = tempDir('vn-completion-');
  // `vn` on PATH (the built bin), for the profile-name completion the scripts run
  const bin = join(tmp.dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'vn'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'vn'), 0o755);
  const configDir = join(tmp.dir, 'config');
  const r = await runVn(['configure', 'set', '--profile', 'staging', '--access-key-id', 'AKIDSTAGING'], {
    env: { VN_CONFIG_DIR: configDir },
    stdin: 'secret-value\n',
  });
  expect(r.code).toBe(0);
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: tmp.dir, VN_CONFIG_DIR: configDir, NO_COLOR: '1' };
});

afterAll(() => tmp.cleanup());

describe('vn completion', () => {
  it.each(Object.entries(FILES))('the committed %s script matches the generator (else: npm run gen:completions)', async (shell, file) => {
    const r = await runVn(['completion', shell]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'completions', file), 'utf8'));
  });

  it('is printed as is under -o json', async () => {
    const r = await runVn(['completion', 'bash', '-o', 'json']);
    expect(r.stdout.startsWith('# bash completion for vn')).toBe(true);
  });

  it('refuses an unknown shell', async () => {
    const r = await runVn(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown shell "powershell": choose one of bash, zsh, fish/);
  });
});

/** Each case: the words on the line (the last one being completed) and what must be offered. */
const CASES: { words: string[]; includes: string[]; excludes?: string[]; exact?: boolean }[] = [
  { words: ['vn', ''], includes: ['instance', 'tts', 'ivr', 'dialogue', 'call', 'completion', 'configure'] },
  { words: ['vn', 'in'], includes: ['instance'], exact: true },
  { words: ['vn', 'instance', 'l'], includes: ['list', 'ls'], exact: true },
  { words: ['vn', 'ivr', 'asr', ''], includes: ['get', 'set'], exact: true },
  { words: ['vn', '-o', 'json', '--profile', 'x', 'ivr', 'asr', 's'], includes: ['set'], exact: true },
  { words: ['vn', 'instance', 'ls', '--'], includes: ['--page-size', '--status', '--all', '--output', '--profile'], excludes: ['--voice'] },
  { words: ['vn', 'instance', 'list', '--status', ''], includes: ['PUBLISHED', 'DRAFTED', 'DISABLED'], exact: true },
  { words: ['vn', '--output', ''], includes: ['table', 'wide', 'json', 'yaml', 'xml', 'tsv', 'text'], exact: true },
  { words: ['vn', 'tts', 'get', 'x', '-o', 'x'], includes: ['xml'], exact: true },
  {
    words: ['vn', 'ivr', 'set-silence-timeout', 'i', '--final-action', ''],
    includes: ['TransferToAgent', 'TransferToIVR', 'RedirectToPage', 'HangUp'],
    exact: true,
  },
  { words: ['vn', 'dialogue', 'say', 'i', 'c', 'hi', '--env', ''], includes: ['debug', 'live'], exact: true },
  { words: ['vn', 'dialogue', 'silence', '--'], includes: ['--context', '--env'], excludes: ['--calling-number'] },
  { words: ['vn', 'stats', 'summary', 'i', '--time-unit', ''], includes: ['hour', 'day'] },
  { words: ['vn', 'completion', ''], includes: ['bash', 'zsh', 'fish'], exact: true },
  { words: ['vn', 'call', 'DescribeIn'], includes: ['DescribeInstance'], exact: true },
  { words: ['vn', 'call', 'DescribeInstance', '--'], includes: ['--InstanceId', '--force', '--describe'], excludes: ['--list'] },
  { words: ['vn', 'call', 'DebugBeginDialogue', '--ShouldUseSandBox', ''], includes: ['true', 'false'], exact: true },
  { words: ['vn', '--profile', ''], includes: ['local', 'staging'], exact: true },
  { words: ['vn', 'instance', 'list', '-p', 'st'], includes: ['staging'], exact: true },
];

function check(words: string[], offered: string[], c: (typeof CASES)[number]): void {
  const label = words.join(' ');
  for (const w of c.includes) expect(offered, label).toContain(w);
  for (const w of c.excludes ?? []) expect(offered, label).not.toContain(w);
  if (c.exact) expect([...offered].sort(), label).toEqual([...c.includes].sort());
}

describe('in a real bash', () => {
  it('registers _vn for vn and completes groups, commands, flags and values', () => {
    const lines = [`source ${JSON.stringify(join(ROOT, 'completions', FILES.bash))}`, 'complete -p vn'];
    for (const c of CASES) {
      const words = c.words.map((w) => `'${w}'`).join(' ');
      lines.push(`COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _vn; printf '%s\\n' "@@" "\${COMPREPLY[@]}"`);
    }
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', lines.join('\n')], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [head, ...blocks] = r.stdout.split('@@\n');
    expect(head).toBe('complete -F _vn vn\n');
    expect(blocks).toHaveLength(CASES.length);
    CASES.forEach((c, i) => {
      check(c.words, (blocks[i] ?? '').split('\n').filter(Boolean), c);
    });
  });

  it('completes file names for --output-file', () => {
    writeFileSync(join(tmp.dir, 'sample-one.wav'), '');
    const script = `source ${JSON.stringify(join(ROOT, 'completions', FILES.bash))}
cd ${JSON.stringify(tmp.dir)}
COMP_WORDS=(vn tts audition i --output-file sample-); COMP_CWORD=5; _vn; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { env, encoding: 'utf8' });
    expect(r.stdout).toBe('sample-one.wav\n');
  });
});

describe.skipIf(!has('zsh'))('in zsh', () => {
  it('completes through _describe and compadd', () => {
    // outside a completion widget the builtins are stand-ins that print what they were given
    const lines = [
      'compdef() { :; }',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh code
      '_describe() { local name=${@[-1]}; print -rl -- ${${(P)name}%%:*}; }',
      'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }',
      '_files() { print -r -- @files; }',
      '_message() { :; }',
      'compset() { :; }',
      `source ${JSON.stringify(join(ROOT, 'completions', FILES.zsh))}`,
    ];
    for (const c of CASES) {
      lines.push(`words=(${c.words.map((w) => `'${w}'`).join(' ')}); CURRENT=\${#words}; print -r -- @@; _vn`);
    }
    const r = spawnSync('zsh', ['-f', '-c', lines.join('\n')], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const blocks = r.stdout.split('@@\n').slice(1);
    expect(blocks).toHaveLength(CASES.length);
    CASES.forEach((c, i) => {
      // _describe gets every candidate; the shell filters by prefix itself
      const prefix = c.words[c.words.length - 1] ?? '';
      const offered = (blocks[i] ?? '')
        .split('\n')
        .filter(Boolean)
        .map((w) => w.replace(/\\:/g, ':'))
        .filter((w) => w.startsWith(prefix));
      check(c.words, offered, c);
    });
  });
});

describe.skipIf(!has('fish'))('in fish', () => {
  it('completes with complete -C', () => {
    const lines = [`source ${JSON.stringify(join(ROOT, 'completions', FILES.fish))}`];
    for (const c of CASES) {
      const line = c.words.join(' ');
      lines.push(`echo @@; complete -C ${JSON.stringify(line).replace(/\$/g, '\\$')}`);
    }
    const r = spawnSync('fish', ['--no-config', '-c', lines.join('\n')], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const blocks = r.stdout.split('@@\n').slice(1);
    expect(blocks).toHaveLength(CASES.length);
    CASES.forEach((c, i) => {
      const offered = (blocks[i] ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0] as string);
      check(c.words, offered, c);
    });
  });
});

describe('arguments: file paths, profile names and instance ids', () => {
  let ids: string[];
  let work: string;

  beforeAll(async () => {
    // two instances in the `local` profile's emulator, and test files in a working directory
    for (const name of ['补全一', '补全二']) {
      const r = await runVn(['--profile', 'local', 'instance', 'create', '--name', name, '--concurrency', '1'], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const list = await runVn(['--profile', 'local', 'instance', 'list', '-o', 'json', '--query', 'Instances[].InstanceId'], { env });
    ids = JSON.parse(list.stdout);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    work = join(tmp.dir, 'work');
    spawnSync('mkdir', ['-p', join(work, 'suites')]);
    writeFileSync(join(work, 'bank.test.yaml'), '');
    writeFileSync(join(work, 'banner.txt'), '');
  }, 30_000);

  /** Each: the words on the line, what must be offered, and whether exactly that. */
  const ARGS = () => [
    { words: ['vn', 'dialogue', 'test', 'ban'], includes: ['bank.test.yaml', 'banner.txt'], exact: true },
    { words: ['vn', 'dialogue', 'test', 'bank.test.yaml', 'su'], includes: ['suites'] },
    { words: ['vn', 'configure', 'use', ''], includes: ['local', 'staging'], exact: true },
    { words: ['vn', 'configure', 'delete', 'st'], includes: ['staging'], exact: true },
    { words: ['vn', '--profile', 'local', 'instance', 'describe', ''], includes: ids, exact: true },
    { words: ['vn', '-p', 'local', 'tts', 'get', ''], includes: ids, exact: true },
    { words: ['vn', '--profile=local', 'ivr', 'set-greeting', ''], includes: ids, exact: true },
    // the second argument of `stats conversation` is a conversation id: nothing to offer
    { words: ['vn', '--profile', 'local', 'stats', 'conversation', 'x', ''], includes: [], exact: true },
  ];

  it('in bash', () => {
    const lines = [`source ${JSON.stringify(join(ROOT, 'completions', FILES.bash))}`, `cd ${JSON.stringify(work)}`];
    for (const c of ARGS()) {
      const words = c.words.map((w) => `'${w}'`).join(' ');
      lines.push(`COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _vn; printf '%s\\n' "@@" "\${COMPREPLY[@]}"`);
    }
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', lines.join('\n')], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const blocks = r.stdout.split('@@\n').slice(1);
    ARGS().forEach((c, i) => {
      check(c.words, (blocks[i] ?? '').split('\n').filter(Boolean), c);
    });
  });

  it.skipIf(!has('zsh'))('in zsh', () => {
    const lines = [
      'compdef() { :; }',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh code
      '_describe() { local name=${@[-1]}; print -rl -- ${${(P)name}%%:*}; }',
      'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }',
      // _files stands in for zsh's file completion: what a glob of the prefix finds
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh code
      '_files() { print -rl -- ${words[CURRENT]}*(N); }',
      '_message() { :; }',
      'compset() { :; }',
      `source ${JSON.stringify(join(ROOT, 'completions', FILES.zsh))}`,
      `cd ${JSON.stringify(work)}`,
    ];
    for (const c of ARGS()) lines.push(`words=(${c.words.map((w) => `'${w}'`).join(' ')}); CURRENT=\${#words}; print -r -- @@; _vn`);
    const r = spawnSync('zsh', ['-f', '-c', lines.join('\n')], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const blocks = r.stdout.split('@@\n').slice(1);
    ARGS().forEach((c, i) => {
      const prefix = c.words[c.words.length - 1] ?? '';
      check(
        c.words,
        (blocks[i] ?? '')
          .split('\n')
          .filter(Boolean)
          .filter((w) => w.startsWith(prefix)),
        c,
      );
    });
  });

  it.skipIf(!has('fish'))('in fish', () => {
    const lines = [`source ${JSON.stringify(join(ROOT, 'completions', FILES.fish))}`, `cd ${JSON.stringify(work)}`];
    for (const c of ARGS()) lines.push(`echo @@; complete -C ${JSON.stringify(c.words.join(' ')).replace(/\$/g, '\\$')}`);
    const r = spawnSync('fish', ['--no-config', '-c', lines.join('\n')], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const blocks = r.stdout.split('@@\n').slice(1);
    ARGS().forEach((c, i) => {
      const offered = (blocks[i] ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => (l.split('\t')[0] as string).replace(/\/$/, ''));
      check(c.words, offered, c);
    });
  });

  it('instance ids come from a cache, and a silent endpoint never makes TAB hang', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    // accepts connections and never answers
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const set = await runVn(['configure', 'set', '--profile', 'silent', '--access-key-id', 'AKIDSILENT', '--endpoint', `http://127.0.0.1:${port}`], {
        env,
        stdin: 'secret\n',
      });
      expect(set.code, set.stderr).toBe(0);
      const started = Date.now();
      const r = spawnSync(BIN, ['--profile', 'silent', 'completion', '--instance-ids'], { env, encoding: 'utf8', timeout: 10_000 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('');
      // the local profile's list was cached by the cases above: served without starting the emulator
      const cached = spawnSync(BIN, ['--profile', 'local', 'completion', '--instance-ids'], { env, encoding: 'utf8' });
      expect(cached.stdout.trim().split('\n').sort()).toEqual([...ids].sort());
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 20_000);
});

describe('words from files and answers are filtered before a shell sees them', () => {
  /**
   * A config dir whose config.json names a profile `$(touch …)` and whose completion cache (fresh)
   * holds ids that bash would expand: `compgen -W` runs $(…) and `…` in its word list.
   */
  function poisoned(): { env: NodeJS.ProcessEnv; markers: string[] } {
    const dir = join(tmp.dir, 'poisoned');
    const markers = ['m-cache', 'm-tick', 'm-profile'].map((m) => join(dir, m));
    mkdirSync(join(dir, 'config', 'cache'), { recursive: true });
    const profile = { accessKeyId: 'AKIDPOISON', accessKeySecret: 'poison-secret', region: 'cn-shanghai', endpoint: 'http://127.0.0.1:9' };
    writeFileSync(
      join(dir, 'config', 'config.json'),
      JSON.stringify({ current: 'ok-1', profiles: { 'ok-1': profile, [`$(touch ${markers[2]})`]: profile, 'has space': profile } }),
    );
    const ids = [`$(touch ${markers[0]})`, `\`touch ${markers[1]}\``, 'good-1', '$HOME', 'a;b', '*', 'x'.repeat(65), 42, null, 'c0ffee-2'];
    writeFileSync(join(dir, 'config', 'cache', 'instances-ok-1.json'), JSON.stringify({ time: Date.now(), ids }));
    return { env: { ...env, VN_CONFIG_DIR: join(dir, 'config') }, markers };
  }

  it('bash runs nothing from a poisoned cache or config.json, and offers only the safe words', () => {
    const { env: penv, markers } = poisoned();
    const lines = [`source ${JSON.stringify(join(ROOT, 'completions', FILES.bash))}`];
    for (const words of [
      ['vn', 'instance', 'describe', ''],
      ['vn', 'configure', 'use', ''],
      ['vn', 'instance', 'list', '--profile', ''],
    ]) {
      lines.push(
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _vn; printf '%s\\n' "@@" "\${COMPREPLY[@]}"`,
      );
    }
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', lines.join('\n')], { env: penv, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const blocks = r.stdout.split('@@\n').slice(1);
    expect(blocks.map((b) => b.split('\n').filter(Boolean).sort())).toEqual([
      ['c0ffee-2', 'good-1'],
      ['local', 'ok-1'],
      ['local', 'ok-1'],
    ]);
    for (const m of markers) expect(existsSync(m), m).toBe(false);
  });

  it('the lists the scripts read hold only safe words (so zsh and fish get them too)', async () => {
    const { env: penv } = poisoned();
    const ids = await runVn(['completion', '--instance-ids'], { env: penv });
    expect(ids.stdout.split('\n').filter(Boolean)).toEqual(['good-1', 'c0ffee-2']);
    const names = await runVn(['completion', '--profile-names'], { env: penv });
    expect(names.stdout.split('\n').filter(Boolean)).toEqual(['ok-1', 'local']);
  });

  it('a FIFO at the cache file is skipped at once, not waited on', async () => {
    const { env: penv } = poisoned();
    const cache = join(String(penv.VN_CONFIG_DIR), 'cache', 'instances-ok-1.json');
    spawnSync('rm', ['-f', cache]);
    expect(spawnSync('mkfifo', [cache]).status).toBe(0);
    // the profile's endpoint is a closed port: nothing to fetch either
    const r = spawnSync(BIN, ['completion', '--instance-ids'], { env: penv, encoding: 'utf8', timeout: 10_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});
