import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PART_STALE_MS, removeStaleParts } from '../../src/client/download.js';
import { tempDir } from '../helpers/run.js';

const work = tempDir('vn-parts-');
// a live process that is not a vn download: what a recycled pid looks like
const other = spawn('sleep', ['60'], { stdio: 'ignore' });
afterAll(() => {
  other.kill();
  work.cleanup();
});

describe('part files whose process id was reused', () => {
  it('a leftover named with this process id (a container gives every run the same pid) is removed unless this process writes it', async () => {
    const dir = join(work.dir, 'same-pid');
    mkdirSync(dir);
    writeFileSync(join(dir, `out.csv.${process.pid}-0123456789ab.part`), 'x');
    expect(await removeStaleParts(join(dir, 'out.csv'))).toEqual([`out.csv.${process.pid}-0123456789ab.part`]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a part file of a live pid is kept while fresh and removed once untouched for PART_STALE_MS', async () => {
    const dir = join(work.dir, 'reused');
    mkdirSync(dir);
    const fresh = `out.csv.${other.pid}-0123456789ab.part`;
    const old = `out.csv.${other.pid}-ba9876543210.part`;
    writeFileSync(join(dir, fresh), 'x');
    writeFileSync(join(dir, old), 'x');
    const then = new Date(Date.now() - PART_STALE_MS - 60_000);
    utimesSync(join(dir, old), then, then);
    expect(await removeStaleParts(join(dir, 'out.csv'))).toEqual([old]);
    expect(readdirSync(dir)).toEqual([fresh]);
  });
});
