import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/atomic-file.js';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vn-atomic-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces a regular file whole, leaving no temp file beside it', async () => {
    const d = dir();
    writeFileSync(join(d, 'report.xml'), 'old');
    await writeFileAtomic(join(d, 'report.xml'), 'new');
    expect(readFileSync(join(d, 'report.xml'), 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['report.xml']);
  });

  it('writes into a named pipe instead of renaming a file over it (a reader gets the text; the pipe stays a pipe)', async () => {
    const d = dir();
    const fifo = join(d, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (b) => {
      got += b;
    });
    const closed = new Promise((r) => reader.on('close', r));
    try {
      await writeFileAtomic(fifo, 'through the pipe\n');
      await closed;
    } finally {
      reader.kill();
    }
    expect(got).toBe('through the pipe\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(d)).toEqual(['pipe']);
  }, 5000);

  it('writes into a device in place: a null device made in a temp dir stays a device (as /dev/null must)', async (ctx) => {
    const d = dir();
    const dev = join(d, 'null');
    try {
      execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // making a device needs root (CAP_MKNOD); the pipe case above takes the same path
    }
    await writeFileAtomic(dev, 'discarded');
    expect(statSync(dev).isCharacterDevice()).toBe(true);
    expect(readdirSync(d)).toEqual(['null']);
  });

  it('follows a symbolic link: the file it leads to is replaced and the link stays a link', async () => {
    const d = dir();
    writeFileSync(join(d, 'real.json'), 'old');
    symlinkSync(join(d, 'real.json'), join(d, 'link.json'));
    await writeFileAtomic(join(d, 'link.json'), 'new');
    expect(lstatSync(join(d, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'real.json'), 'utf8')).toBe('new');
    expect(readdirSync(d).sort()).toEqual(['link.json', 'real.json']);
  });
});
