import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
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
  { words: ['vn', '--output', ''], includes: ['table', 'json', 'xml', 'tsv'], exact: true },
  { words: ['vn', 'tts', 'get', 'x', '-o', 'x'], includes: ['xml'], exact: true },
  {
    words: ['vn', 'ivr', 'set-silence-timeout', 'i', '--final-action', ''],
    includes: ['TransferToAgent', 'TransferToIVR', 'RedirectToPage', 'HangUp'],
    exact: true,
  },
  { words: ['vn', 'dialogue', 'say', 'i', 'c', 'hi', '--env', ''], includes: ['debug', 'live'], exact: true },
  { words: ['vn', 'dialogue', 'silence', '--'], includes: ['--context'], excludes: ['--env'] },
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

  it('completes file names for --save', () => {
    writeFileSync(join(tmp.dir, 'sample-one.wav'), '');
    const script = `source ${JSON.stringify(join(ROOT, 'completions', FILES.bash))}
cd ${JSON.stringify(tmp.dir)}
COMP_WORDS=(vn tts audition i --save sample-); COMP_CWORD=5; _vn; printf '%s\\n' "\${COMPREPLY[@]}"`;
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
